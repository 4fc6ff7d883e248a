/// Gradients of the ONNX losses with respect to their scores (`[batch, classes, spatial]`).
///
/// `dLoss` is the upstream gradient: one value for the `sum` / `mean` reductions, one per
/// `(n, d)` position for `none`. With `mean` each term is divided by the sum of the
/// weights of the non-ignored positions, exactly as the forward pass divides; ignored
/// positions get a zero gradient. Returns the first label that is neither a class nor the
/// ignore index (the output is then incomplete).

/// `dLogProb = -dLoss * w[c] / divisor` at the label class `c`, zero elsewhere.
public func negativeLogLikelihoodLossBackward(
    dLoss: UnsafePointer<Float>, labels: UnsafePointer<Int64>, weights: UnsafePointer<Float>?,
    _ p: LossParams, gradLogProb: UnsafeMutablePointer<Float>
) -> LossLabelError? {
    gradLogProb.update(repeating: 0, count: p.batch * p.classes * p.spatial)
    let divisor: Float
    switch lossDivisor(labels: labels, weights: weights, p) {
    case .failure(let e): return e
    case .success(let d): divisor = d
    }
    for n in 0..<p.batch {
        for d in 0..<p.spatial {
            let pos = n * p.spatial + d
            let label = labels[pos]
            guard label != p.ignoreIndex else { continue }
            let c = Int(label)
            let g = (p.reduction == .none ? dLoss[pos] : dLoss[0]) * (weights?[c] ?? 1) / divisor
            gradLogProb[(n * p.classes + c) * p.spatial + d] = -g
        }
    }
    return nil
}

/// `dScores = dLoss * w[c] / divisor * (softmax(scores) - onehot(c))` over the class axis.
/// `gradScores` may not alias `scores`.
public func softmaxCrossEntropyLossBackward(
    dLoss: UnsafePointer<Float>, scores: UnsafePointer<Float>, labels: UnsafePointer<Int64>,
    weights: UnsafePointer<Float>?, _ p: LossParams, gradScores: UnsafeMutablePointer<Float>
) -> LossLabelError? {
    let divisor: Float
    switch lossDivisor(labels: labels, weights: weights, p) {
    case .failure(let e): return e
    case .success(let d): divisor = d
    }
    softmax(scores, gradScores, SoftmaxShape(outer: p.batch, axis: p.classes, inner: p.spatial), log: false)
    for n in 0..<p.batch {
        for d in 0..<p.spatial {
            let pos = n * p.spatial + d
            let label = labels[pos]
            let ignored = label == p.ignoreIndex
            let c = ignored ? -1 : Int(label)
            let g = ignored ? 0 : (p.reduction == .none ? dLoss[pos] : dLoss[0]) * (weights?[c] ?? 1) / divisor
            for k in 0..<p.classes {
                let i = (n * p.classes + k) * p.spatial + d
                gradScores[i] = g * (gradScores[i] - (k == c ? 1 : 0))
            }
        }
    }
    return nil
}

/// The mean reduction's divisor (the weight sum of the counted positions), else 1;
/// validates every label on the way.
private func lossDivisor(labels: UnsafePointer<Int64>, weights: UnsafePointer<Float>?,
                         _ p: LossParams) -> Result<Float, LossLabelError> {
    var weightSum: Float = 0
    for pos in 0..<(p.batch * p.spatial) {
        let label = labels[pos]
        guard label != p.ignoreIndex else { continue }
        guard label >= 0, label < Int64(p.classes) else { return .failure(LossLabelError(position: pos, label: label)) }
        weightSum += weights?[Int(label)] ?? 1
    }
    return .success(p.reduction == .mean ? weightSum : 1)
}

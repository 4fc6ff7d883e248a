/// How per-element losses are combined (ONNX `reduction`).
public enum LossReduction: String, Sendable, Equatable {
    case none, sum, mean
}

/// Geometry and options of an ONNX NLL / softmax cross-entropy loss. Scores are
/// `[batch, classes, d1...dk]` viewed as `[batch, classes, spatial]`, labels `[batch, spatial]`.
public struct LossParams: Sendable, Equatable {
    public var batch: Int
    public var classes: Int
    /// Product of d1...dk (1 when the scores are 2-D).
    public var spatial: Int
    public var reduction: LossReduction
    /// Label value whose positions contribute nothing (may be negative).
    public var ignoreIndex: Int64?

    public init(batch: Int, classes: Int, spatial: Int, reduction: LossReduction, ignoreIndex: Int64?) {
        self.batch = batch
        self.classes = classes
        self.spatial = spatial
        self.reduction = reduction
        self.ignoreIndex = ignoreIndex
    }
}

/// A label that is neither a class index nor the ignore index.
public struct LossLabelError: Error, Equatable {
    /// Flat position in the labels tensor.
    public var position: Int
    public var label: Int64
}

/// ONNX NegativeLogLikelihoodLoss: `loss[n,d] = -w[c] * logProb[n,c,d]` with `c = labels[n,d]`.
/// `mean` divides by the sum of the weights of the non-ignored positions (their count
/// without weights). `loss` holds `batch * spatial` values for `.none`, else one.
public func negativeLogLikelihoodLoss(
    logProb: UnsafePointer<Float>, labels: UnsafePointer<Int64>, weights: UnsafePointer<Float>?,
    _ p: LossParams, loss: UnsafeMutablePointer<Float>
) -> LossLabelError? {
    var total: Float = 0, weightSum: Float = 0
    for n in 0..<p.batch {
        for d in 0..<p.spatial {
            let pos = n * p.spatial + d
            let label = labels[pos]
            var value: Float = 0
            if label != p.ignoreIndex {
                guard label >= 0, label < Int64(p.classes) else { return LossLabelError(position: pos, label: label) }
                let c = Int(label)
                let w = weights?[c] ?? 1
                value = -w * logProb[(n * p.classes + c) * p.spatial + d]
                weightSum += w
            }
            if p.reduction == .none { loss[pos] = value } else { total += value }
        }
    }
    switch p.reduction {
    case .none: break
    case .sum: loss[0] = total
    case .mean: loss[0] = total / weightSum
    }
    return nil
}

/// ONNX SoftmaxCrossEntropyLoss: log-softmax over the class axis into `logProb` (which is
/// also the op's optional second output), then the NLL loss of it.
public func softmaxCrossEntropyLoss(
    scores: UnsafePointer<Float>, labels: UnsafePointer<Int64>, weights: UnsafePointer<Float>?,
    _ p: LossParams, loss: UnsafeMutablePointer<Float>, logProb: UnsafeMutablePointer<Float>
) -> LossLabelError? {
    softmax(scores, logProb, SoftmaxShape(outer: p.batch, axis: p.classes, inner: p.spatial), log: true)
    return negativeLogLikelihoodLoss(logProb: logProb, labels: labels, weights: weights, p, loss: loss)
}

// REFERENCE IMPLEMENTATIONS - naive loops, written for correctness (ONNX semantics) and
// readability, not speed. They are the test oracle the Program's optimized kernels are
// compared against; nothing in the Runtime runs them.

/// A 1-D, 2-D or 3-D window (conv or pool) lifted to three spatial axes (depth, height,
/// width) by prepending unit axes, so one loop nest serves every rank.
struct ReferenceWindow {
    var inSpatial, kernel, strides, dilations, padsBegin, padsEnd, outSpatial: [Int]

    /// Lists with one entry per spatial dim of the problem (1...3); missing strides and
    /// dilations are 1, missing pads 0.
    init(inSpatial: [Int], kernel: [Int], strides: [Int]? = nil, dilations: [Int]? = nil,
         padsBegin: [Int]? = nil, padsEnd: [Int]? = nil, outSpatial: [Int]) {
        let rank = inSpatial.count
        func lift(_ list: [Int]?, _ fill: Int) -> [Int] {
            Array(repeating: fill, count: 3 - rank) + (list ?? Array(repeating: fill, count: rank))
        }
        self.inSpatial = lift(inSpatial, 1)
        self.kernel = lift(kernel, 1)
        self.strides = lift(strides, 1)
        self.dilations = lift(dilations, 1)
        self.padsBegin = lift(padsBegin, 0)
        self.padsEnd = lift(padsEnd, 0)
        self.outSpatial = lift(outSpatial, 1)
    }

    var inputPlane: Int { inSpatial.reduce(1, *) }
    var outputPlane: Int { outSpatial.reduce(1, *) }

    /// Calls `body(outputOffset, taps)` for every output position, where `taps` lists each
    /// window tap as (input offset within the plane, or nil in the padding; the tap's
    /// coordinates; whether it lies inside the padded extent).
    func forEachWindow(_ body: (Int, [(offset: Int?, at: [Int], insidePadded: Bool)]) -> Void) {
        var out = 0
        for od in 0..<outSpatial[0] {
            for oh in 0..<outSpatial[1] {
                for ow in 0..<outSpatial[2] {
                    var taps: [(Int?, [Int], Bool)] = []
                    for kd in 0..<kernel[0] {
                        for kh in 0..<kernel[1] {
                            for kw in 0..<kernel[2] {
                                let at = [od, oh, ow].indices.map { axis in
                                    [od, oh, ow][axis] * strides[axis] - padsBegin[axis]
                                        + [kd, kh, kw][axis] * dilations[axis]
                                }
                                let inside = (0..<3).allSatisfy { at[$0] >= 0 && at[$0] < inSpatial[$0] }
                                let insidePadded = (0..<3).allSatisfy { at[$0] < inSpatial[$0] + padsEnd[$0] }
                                let offset = inside ? (at[0] * inSpatial[1] + at[1]) * inSpatial[2] + at[2] : nil
                                taps.append((offset, at, insidePadded))
                            }
                        }
                    }
                    body(out, taps)
                    out += 1
                }
            }
        }
    }
}

/// Naive reference kernels for the heavy ops, on plain arrays, accumulating in Double.
enum ReferenceKernels {
    /// Grouped, strided, dilated, padded convolution; weights are
    /// `[outC, inC/group, kernel...]`; `bias` has outC values.
    static func conv(batch: Int, inChannels: Int, outChannels: Int, group: Int, _ window: ReferenceWindow,
                     x: [Float], w: [Float], bias: [Float]?) -> [Float] {
        let inPerGroup = inChannels / group, outPerGroup = outChannels / group
        let taps = window.kernel.reduce(1, *)
        var y = [Float](repeating: 0, count: batch * outChannels * window.outputPlane)
        for n in 0..<batch {
            for oc in 0..<outChannels {
                let g = oc / outPerGroup
                window.forEachWindow { out, windowTaps in
                    var sum = Double(bias?[oc] ?? 0)
                    for ic in 0..<inPerGroup {
                        let plane = (n * inChannels + g * inPerGroup + ic) * window.inputPlane
                        for (t, tap) in windowTaps.enumerated() {
                            guard let offset = tap.offset else { continue }
                            sum += Double(x[plane + offset]) * Double(w[(oc * inPerGroup + ic) * taps + t])
                        }
                    }
                    y[(n * outChannels + oc) * window.outputPlane + out] = Float(sum)
                }
            }
        }
        return y
    }

    /// Max pooling and ONNX's flat indices into the input: `(n*C + c) * plane + offset`,
    /// with the offset row-major (`storageOrder` 0) or column-major (1) within the plane.
    /// Padding never wins; the first maximum in window order does.
    static func maxPool(planes: Int, _ window: ReferenceWindow, storageOrder: Int, originalRank: Int,
                        x: [Float]) -> (values: [Float], indices: [Int64]) {
        var values = [Float](repeating: 0, count: planes * window.outputPlane)
        var indices = [Int64](repeating: 0, count: values.count)
        // Column-major strides over the problem's own spatial dims (not the lifted unit axes).
        let dims = Array(window.inSpatial.suffix(originalRank))
        for p in 0..<planes {
            window.forEachWindow { out, taps in
                var best = -Float.infinity, bestTap: (offset: Int?, at: [Int], insidePadded: Bool)?
                for tap in taps {
                    guard let offset = tap.offset else { continue }
                    if bestTap == nil || x[p * window.inputPlane + offset] > best {
                        best = x[p * window.inputPlane + offset]
                        bestTap = tap
                    }
                }
                values[p * window.outputPlane + out] = best
                guard let bestTap, let rowMajor = bestTap.offset else { return }
                var offset = rowMajor
                if storageOrder == 1 {
                    let at = Array(bestTap.at.suffix(originalRank))
                    offset = zip(at, dims).reversed().reduce(0) { $0 * $1.1 + $1.0 }
                }
                indices[p * window.outputPlane + out] = Int64(p * window.inputPlane + offset)
            }
        }
        return (values, indices)
    }

    /// Average pooling. With `countIncludePad` the divisor counts taps inside the padded
    /// extent (not those a ceil-mode window reaches past the end padding); otherwise only
    /// taps inside the input.
    static func averagePool(planes: Int, _ window: ReferenceWindow, countIncludePad: Bool, x: [Float]) -> [Float] {
        var y = [Float](repeating: 0, count: planes * window.outputPlane)
        for p in 0..<planes {
            window.forEachWindow { out, taps in
                var sum = 0.0, inside = 0, padded = 0
                for tap in taps {
                    if tap.insidePadded { padded += 1 }
                    guard let offset = tap.offset else { continue }
                    inside += 1
                    sum += Double(x[p * window.inputPlane + offset])
                }
                let divisor = countIncludePad ? padded : inside
                y[p * window.outputPlane + out] = divisor > 0 ? Float(sum / Double(divisor)) : 0
            }
        }
        return y
    }

    static func globalPool(planes: Int, spatial: Int, max isMax: Bool, x: [Float]) -> [Float] {
        (0..<planes).map { p in
            let row = x[(p * spatial)..<((p + 1) * spatial)]
            return isMax ? row.max() ?? 0 : Float(row.reduce(0.0) { $0 + Double($1) } / Double(spatial))
        }
    }

    /// BatchNormalization. Inference uses the given statistics. Training mode normalizes
    /// with the batch mean and biased variance and returns the updated running statistics
    /// `running * momentum + batch * (1 - momentum)` (ONNX reference semantics).
    static func batchNorm(batch: Int, channels: Int, spatial: Int, epsilon: Float, momentum: Float, training: Bool,
                          x: [Float], scale: [Float], bias: [Float], mean: [Float], variance: [Float])
        -> (y: [Float], runningMean: [Float], runningVariance: [Float]) {
        var y = x, runningMean = mean, runningVariance = variance
        for c in 0..<channels {
            var mu = Double(mean[c]), sigma2 = Double(variance[c])
            var elements: [Int] = []
            for n in 0..<batch {
                let start = (n * channels + c) * spatial
                elements += Array(start..<(start + spatial))
            }
            if training {
                let count = Double(elements.count)
                var sum = 0.0, squares = 0.0
                for i in elements { sum += Double(x[i]) }
                mu = sum / count
                for i in elements { squares += (Double(x[i]) - mu) * (Double(x[i]) - mu) }
                sigma2 = squares / count
                runningMean[c] = Float(Double(mean[c]) * Double(momentum) + mu * (1 - Double(momentum)))
                runningVariance[c] = Float(Double(variance[c]) * Double(momentum) + sigma2 * (1 - Double(momentum)))
            }
            let invStd = 1 / (sigma2 + Double(epsilon)).squareRoot()
            for i in elements { y[i] = Float((Double(x[i]) - mu) * invStd * Double(scale[c]) + Double(bias[c])) }
        }
        return (y, runningMean, runningVariance)
    }

    /// Y = alpha * op(A) * op(B) + beta * C, with C (if any) broadcast from `cShape`.
    static func gemm(m: Int, n: Int, k: Int, transA: Bool, transB: Bool, alpha: Float, beta: Float,
                     a: [Float], b: [Float], c: [Float]?, cShape: [Int]) -> [Float] {
        let c2 = Array(repeating: 1, count: max(0, 2 - cShape.count)) + cShape
        var y = [Float](repeating: 0, count: m * n)
        for i in 0..<m {
            for j in 0..<n {
                var sum = 0.0
                for p in 0..<k {
                    let av = transA ? a[p * m + i] : a[i * k + p]
                    let bv = transB ? b[j * k + p] : b[p * n + j]
                    sum += Double(av) * Double(bv)
                }
                var v = Double(alpha) * sum
                if let c { v += Double(beta) * Double(c[(c2[0] == 1 ? 0 : i) * c2[1] + (c2[1] == 1 ? 0 : j)]) }
                y[i * n + j] = Float(v)
            }
        }
        return y
    }

    /// numpy matmul: 1-D operands are promoted (and the added dim dropped), batch dims
    /// broadcast. Returns the output shape and values.
    static func matMul(aShape: [Int], bShape: [Int], a: [Float], b: [Float]) -> (shape: [Int], values: [Float]) {
        let ad = aShape.count == 1 ? [1] + aShape : aShape
        let bd = bShape.count == 1 ? bShape + [1] : bShape
        let m = ad[ad.count - 2], k = ad[ad.count - 1], n = bd[bd.count - 1]
        let rank = max(ad.count, bd.count) - 2
        let aBatch = Array(repeating: 1, count: rank - (ad.count - 2)) + ad.dropLast(2)
        let bBatch = Array(repeating: 1, count: rank - (bd.count - 2)) + bd.dropLast(2)
        let batch = zip(aBatch, bBatch).map { max($0, $1) }
        var values: [Float] = []
        for flat in 0..<batch.reduce(1, *) {
            // Unravel the output batch index, then clamp broadcast dims to 0 per operand.
            var rest = flat, index = Array(repeating: 0, count: rank)
            for axis in (0..<rank).reversed() { index[axis] = rest % batch[axis]; rest /= batch[axis] }
            let aMatrix = (0..<rank).reduce(0) { $0 * aBatch[$1] + (aBatch[$1] == 1 ? 0 : index[$1]) }
            let bMatrix = (0..<rank).reduce(0) { $0 * bBatch[$1] + (bBatch[$1] == 1 ? 0 : index[$1]) }
            for i in 0..<m {
                for j in 0..<n {
                    var sum = 0.0
                    for p in 0..<k { sum += Double(a[aMatrix * m * k + i * k + p]) * Double(b[bMatrix * k * n + p * n + j]) }
                    values.append(Float(sum))
                }
            }
        }
        var shape = batch
        if aShape.count > 1 { shape.append(m) }
        if bShape.count > 1 { shape.append(n) }
        return (shape, values)
    }
}

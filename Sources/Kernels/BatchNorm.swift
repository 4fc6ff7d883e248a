/// ONNX `BatchNormalization` (opset 15), float32 NCHW with any spatial size flattened.
///
/// All buffers are contiguous: `x` and `y` are `[batch, channels, spatial]`; per-channel
/// vectors are `[channels]`. `y` may alias `x`.
public enum BatchNorm {
    /// Inference mode: `y = scale * (x - mean) / sqrt(variance + epsilon) + bias`.
    public static func inference(
        x: UnsafePointer<Float>, scale: UnsafePointer<Float>, bias: UnsafePointer<Float>,
        mean: UnsafePointer<Float>, variance: UnsafePointer<Float>, epsilon: Float,
        batch: Int, channels: Int, spatial: Int, y: UnsafeMutablePointer<Float>
    ) throws {
        try checkCounts(batch, channels, spatial)
        applyAffine(x: x, batch: batch, channels: channels, spatial: spatial, y: y) { channel in
            let factor = scale[channel] / (variance[channel] + epsilon).squareRoot()
            return (factor, bias[channel] - mean[channel] * factor)
        }
    }

    /// Training mode: normalizes with the batch statistics (mean and population variance over
    /// batch and spatial positions) and updates the running statistics:
    /// `runningMeanOut = runningMean * momentum + batchMean * (1 - momentum)`, and likewise for
    /// the variance with the population batch variance (as the ONNX reference and test data do).
    ///
    /// `savedMean` / `savedInvStd` (optional, `[channels]`) receive the batch mean and
    /// `1 / sqrt(batchVariance + epsilon)` for a backward pass. The running outputs may alias
    /// the running inputs.
    public static func training(
        x: UnsafePointer<Float>, scale: UnsafePointer<Float>, bias: UnsafePointer<Float>,
        runningMean: UnsafePointer<Float>, runningVariance: UnsafePointer<Float>,
        epsilon: Float, momentum: Float, batch: Int, channels: Int, spatial: Int,
        y: UnsafeMutablePointer<Float>,
        runningMeanOut: UnsafeMutablePointer<Float>, runningVarianceOut: UnsafeMutablePointer<Float>,
        savedMean: UnsafeMutablePointer<Float>? = nil, savedInvStd: UnsafeMutablePointer<Float>? = nil
    ) throws {
        try checkCounts(batch, channels, spatial)
        guard batch * spatial > 0 else {
            throw KernelParameterError(kernel: "BatchNormalization", field: "batch",
                                       message: "training statistics need at least one element per channel")
        }
        let count = Double(batch * spatial)
        let channelStride = channels * spatial
        // Per-channel statistics in one pass: each plane summed in float lanes, shifted by the
        // channel's first element so that the variance from the sum of squares does not
        // cancel (as in the gradient), planes added in double.
        Parallel.forEachChunk(count: channels, minimumChunk: Swift.max(1, 8192 / (batch * spatial))) { range in
            for channel in range {
                let sample = x[channel * spatial]
                var sum: Double = 0, squares: Double = 0
                for image in 0..<batch {
                    let moments = planeMoments(x + image * channelStride + channel * spatial, spatial, shift: sample)
                    sum += Double(moments.sum)
                    squares += Double(moments.squares)
                }
                let shiftedMean = sum / count
                let mean = Double(sample) + shiftedMean
                let variance = Swift.max(0, squares / count - shiftedMean * shiftedMean)
                let invStd = 1 / (variance + Double(epsilon)).squareRoot()
                let keep = Double(momentum)
                runningMeanOut[channel] = Float(Double(runningMean[channel]) * keep + mean * (1 - keep))
                runningVarianceOut[channel] = Float(Double(runningVariance[channel]) * keep + variance * (1 - keep))
                savedMean?[channel] = Float(mean)
                savedInvStd?[channel] = Float(invStd)
                let factor = Double(scale[channel]) * invStd
                let shift = Float(Double(bias[channel]) - mean * factor)
                for image in 0..<batch {
                    let offset = image * channelStride + channel * spatial
                    affine(x + offset, y + offset, spatial, Float(factor), shift)
                }
            }
        }
    }

    /// `sum(x - shift)` and `sum((x - shift)^2)` of one plane in eight float lanes.
    @inline(__always)
    static func planeMoments(_ x: UnsafePointer<Float>, _ count: Int, shift: Float) -> (sum: Float, squares: Float) {
        typealias V = SIMD8<Float>
        var s0 = V(), q0 = V(), s1 = V(), q1 = V()
        let k = V(repeating: shift)
        let raw = UnsafeRawPointer(x)
        var i = 0
        while i + 16 <= count {
            let d0 = raw.loadUnaligned(fromByteOffset: i * 4, as: V.self) - k
            let d1 = raw.loadUnaligned(fromByteOffset: i * 4 + 32, as: V.self) - k
            s0 += d0
            q0 += d0 * d0
            s1 += d1
            q1 += d1 * d1
            i += 16
        }
        var sum = (s0 + s1).sum(), squares = (q0 + q1).sum()
        while i < count {
            let d = x[i] - shift
            sum += d
            squares += d * d
            i += 1
        }
        return (sum, squares)
    }

    /// `y = x * factor(c) + shift(c)` per channel, parallel over `(n, c)` planes.
    private static func applyAffine(
        x: UnsafePointer<Float>, batch: Int, channels: Int, spatial: Int,
        y: UnsafeMutablePointer<Float>, _ coefficients: (Int) -> (Float, Float)
    ) {
        let planes = batch * channels
        Parallel.forEachChunk(count: planes, minimumChunk: Swift.max(1, 16_384 / Swift.max(spatial, 1))) { range in
            for plane in range {
                let (factor, shift) = coefficients(plane % channels)
                affine(x + plane * spatial, y + plane * spatial, spatial, factor, shift)
            }
        }
    }

    @inline(__always)
    private static func affine(
        _ source: UnsafePointer<Float>, _ destination: UnsafeMutablePointer<Float>,
        _ count: Int, _ factor: Float, _ shift: Float
    ) {
        for index in 0..<count { destination[index] = source[index] * factor + shift }
    }

    private static func checkCounts(_ batch: Int, _ channels: Int, _ spatial: Int) throws {
        for (field, value) in [("batch", batch), ("channels", channels), ("spatial", spatial)] where value < 0 {
            throw KernelParameterError(kernel: "BatchNormalization", field: field, message: "\(value) is negative")
        }
    }
}

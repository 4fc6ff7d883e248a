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
        // Per-channel statistics in double (two passes: mean, then squared deviations).
        Parallel.forEachChunk(count: channels, minimumChunk: Swift.max(1, 8192 / (batch * spatial))) { range in
            for channel in range {
                var sum: Double = 0
                for image in 0..<batch {
                    let plane = x + image * channelStride + channel * spatial
                    for index in 0..<spatial { sum += Double(plane[index]) }
                }
                let mean = sum / count
                var squares: Double = 0
                for image in 0..<batch {
                    let plane = x + image * channelStride + channel * spatial
                    for index in 0..<spatial {
                        let deviation = Double(plane[index]) - mean
                        squares += deviation * deviation
                    }
                }
                let variance = squares / count
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

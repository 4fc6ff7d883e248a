/// BatchNormalization's gradient (float32 NCHW, spatial flattened), in double per channel.
extension BatchNorm {
    /// Computes `(dX, dScale, dBias)` of `y = scale * (x - mean) * invStd + bias`.
    ///
    /// - `training`: the statistics are the batch's (mean and population variance of `x`
    ///   over batch and spatial positions, recomputed here), so the gradient also flows
    ///   through them: `dX = scale * invStd * (dY - mean(dY) - xhat * mean(dY * xhat))`.
    ///   `mean` and `variance` are not read (pass nil).
    /// - inference: `mean` and `variance` are constants: `dX = scale * invStd * dY`.
    ///
    /// `dBias = sum(dY)`, `dScale = sum(dY * xhat)` per channel. `gradInput` may alias `gradOutput`.
    public static func backward(
        gradOutput dy: UnsafePointer<Float>, x: UnsafePointer<Float>, scale: UnsafePointer<Float>,
        mean: UnsafePointer<Float>?, variance: UnsafePointer<Float>?, epsilon: Float, training: Bool,
        batch: Int, channels: Int, spatial: Int,
        gradInput dx: UnsafeMutablePointer<Float>, gradScale: UnsafeMutablePointer<Float>,
        gradBias: UnsafeMutablePointer<Float>
    ) throws {
        func fail(_ field: String, _ message: String) -> KernelParameterError {
            KernelParameterError(kernel: "BatchNormalizationGrad", field: field, message: message)
        }
        for (field, value) in [("batch", batch), ("channels", channels), ("spatial", spatial)] where value < 0 {
            throw fail(field, "\(value) is negative")
        }
        if training, batch * spatial == 0 { throw fail("batch", "training statistics need at least one element per channel") }
        if !training, mean == nil || variance == nil { throw fail("mean", "inference mode needs mean and variance") }
        let count = Double(batch * spatial)
        let channelStride = channels * spatial
        Parallel.forEachChunk(count: channels, minimumChunk: Swift.max(1, 8192 / Swift.max(1, batch * spatial))) { range in
            for channel in range {
                var mu: Double, sigma2: Double
                if training {
                    var sum: Double = 0
                    for image in 0..<batch {
                        let plane = x + image * channelStride + channel * spatial
                        for i in 0..<spatial { sum += Double(plane[i]) }
                    }
                    mu = sum / count
                    var squares: Double = 0
                    for image in 0..<batch {
                        let plane = x + image * channelStride + channel * spatial
                        for i in 0..<spatial {
                            let deviation = Double(plane[i]) - mu
                            squares += deviation * deviation
                        }
                    }
                    sigma2 = squares / count
                } else {
                    mu = Double(mean![channel])
                    sigma2 = Double(variance![channel])
                }
                let invStd = 1 / (sigma2 + Double(epsilon)).squareRoot()
                var sumDy: Double = 0, sumDyXhat: Double = 0
                for image in 0..<batch {
                    let offset = image * channelStride + channel * spatial
                    for i in 0..<spatial {
                        let g = Double(dy[offset + i])
                        sumDy += g
                        sumDyXhat += g * (Double(x[offset + i]) - mu) * invStd
                    }
                }
                gradBias[channel] = Float(sumDy)
                gradScale[channel] = Float(sumDyXhat)
                let factor = Double(scale[channel]) * invStd
                let meanDy = training && count > 0 ? sumDy / count : 0
                let meanDyXhat = training && count > 0 ? sumDyXhat / count : 0
                for image in 0..<batch {
                    let offset = image * channelStride + channel * spatial
                    for i in 0..<spatial {
                        let xhat = (Double(x[offset + i]) - mu) * invStd
                        dx[offset + i] = Float(factor * (Double(dy[offset + i]) - meanDy - xhat * meanDyXhat))
                    }
                }
            }
        }
    }
}

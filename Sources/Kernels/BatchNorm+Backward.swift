/// BatchNormalization's gradient (float32 NCHW, spatial flattened): one pass for the
/// per-channel sums (float lanes per plane, double across planes), one for dX.
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
                // One pass gathers every sum, shifted by a sample of the channel (its first
                // element, or the given mean) so that the variance from sums of squares does
                // not cancel; planes are summed in float lanes, planes added in double.
                let shift: Float = training ? (batch * spatial > 0 ? x[channel * spatial] : 0) : mean![channel]
                var sums = ChannelSums()
                for image in 0..<batch {
                    let offset = image * channelStride + channel * spatial
                    sums.add(plane: ChannelSums.plane(x + offset, dy + offset, spatial, shift: shift, squares: training))
                }
                let shiftedMean = training && count > 0 ? sums.x / count : 0
                let mu = Double(shift) + shiftedMean
                let sigma2 = training ? Swift.max(0, sums.xx / count - shiftedMean * shiftedMean) : Double(variance![channel])
                let invStd = 1 / (sigma2 + Double(epsilon)).squareRoot()
                // sum(dy * (x - mu)) = sum(dy * (x - shift)) - (mu - shift) * sum(dy)
                let sumDy = sums.dy
                let sumDyXhat = (sums.dyx - shiftedMean * sums.dy) * invStd
                gradBias[channel] = Float(sumDy)
                gradScale[channel] = Float(sumDyXhat)
                // dx = factor * (dy - meanDy - xhat * meanDyXhat) = a * dy + b * (x - mu) + c
                let factor = Double(scale[channel]) * invStd
                let meanDy = training && count > 0 ? sumDy / count : 0
                let meanDyXhat = training && count > 0 ? sumDyXhat / count : 0
                let a = Float(factor), b = Float(-factor * invStd * meanDyXhat)
                let c = Float(-factor * meanDy)
                for image in 0..<batch {
                    let offset = image * channelStride + channel * spatial
                    ChannelSums.combine(dy + offset, x + offset, dx + offset, spatial, a, b, c, mean: Float(mu))
                }
            }
        }
    }
}

/// The per-channel sums of BatchNormalization's gradient, in double.
struct ChannelSums {
    /// sum(x - shift), sum((x - shift)^2), sum(dy), sum(dy * (x - shift)).
    var x: Double = 0, xx: Double = 0, dy: Double = 0, dyx: Double = 0

    mutating func add(plane s: (x: Float, xx: Float, dy: Float, dyx: Float)) {
        x += Double(s.x)
        xx += Double(s.xx)
        dy += Double(s.dy)
        dyx += Double(s.dyx)
    }

    /// The four sums of one plane in eight float lanes (a plane is at most a few thousand
    /// elements, so float partial sums keep about 6 digits).
    @inline(__always)
    static func plane(_ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ count: Int, shift: Float,
                      squares: Bool) -> (x: Float, xx: Float, dy: Float, dyx: Float) {
        typealias V = SIMD8<Float>
        var sx = V(), sxx = V(), sdy = V(), sdyx = V()
        let k = V(repeating: shift)
        let rx = UnsafeRawPointer(x), rdy = UnsafeRawPointer(dy)
        var i = 0
        while i + 8 <= count {
            let d = rx.loadUnaligned(fromByteOffset: i * 4, as: V.self) - k
            let g = rdy.loadUnaligned(fromByteOffset: i * 4, as: V.self)
            sx += d
            sxx += d * d
            sdy += g
            sdyx += g * d
            i += 8
        }
        var tx = sx.sum(), txx = sxx.sum(), tdy = sdy.sum(), tdyx = sdyx.sum()
        while i < count {
            let d = x[i] - shift, g = dy[i]
            tx += d
            txx += d * d
            tdy += g
            tdyx += g * d
            i += 1
        }
        return (tx, squares ? txx : 0, tdy, tdyx)
    }

    /// `dx = a * dy + b * (x - mean) + c`; `dx` may alias `dy`.
    @inline(__always)
    static func combine(_ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>,
                        _ count: Int, _ a: Float, _ b: Float, _ c: Float, mean: Float) {
        typealias V = SIMD8<Float>
        let va = V(repeating: a), vb = V(repeating: b), vc = V(repeating: c), vm = V(repeating: mean)
        let rx = UnsafeRawPointer(x), rdy = UnsafeRawPointer(dy), rdx = UnsafeMutableRawPointer(dx)
        var i = 0
        while i + 8 <= count {
            let g = rdy.loadUnaligned(fromByteOffset: i * 4, as: V.self)
            let v = rx.loadUnaligned(fromByteOffset: i * 4, as: V.self)
            rdx.storeBytes(of: va * g + vb * (v - vm) + vc, toByteOffset: i * 4, as: V.self)
            i += 8
        }
        while i < count {
            dx[i] = a * dy[i] + b * (x[i] - mean) + c
            i += 1
        }
    }
}

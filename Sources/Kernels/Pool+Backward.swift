/// Gradients of the pooling kernels (float32 NCHW, 1...3 spatial dims). Each `(n, c)`
/// plane is independent, so planes run in parallel and every sum keeps its order.
extension Pool {
    /// `gradInput` (like the input, overwritten): each `gradOutput` value goes to the first
    /// maximum of its window in row-major window order, the cell `max` selected.
    public static func maxBackward(
        _ plan: Plan, gradOutput: UnsafePointer<Float>, input: UnsafePointer<Float>,
        gradInput: UnsafeMutablePointer<Float>
    ) {
        let g = plan.geometry
        let (d, h, w) = (g.depth, g.height, g.width)
        forEachPlaneBackward(plan) { plane in
            let source = input + plane * g.inputPlane
            let dx = gradInput + plane * g.inputPlane
            let dy = gradOutput + plane * g.outputPlane
            dx.update(repeating: 0, count: g.inputPlane)
            if d.input == 1, d.output == 1, d.kernel == 1 {
                maxBackward2D(h, w, source: source, gradOutput: dy, gradInput: dx)
                return
            }
            var out = 0
            for od in 0..<d.output {
                for oh in 0..<h.output {
                    for ow in 0..<w.output {
                        let cell = g.firstMaximum(in: source, od: od, oh: oh, ow: ow).cell
                        let bestAt = cell.d < 0 ? -1 : (cell.d * h.input + cell.h) * w.input + cell.w
                        if bestAt >= 0 { dx[bestAt] += dy[out] }
                        out += 1
                    }
                }
            }
        }
    }

    /// One plane of `maxBackward` for 1-D / 2-D windows: the same first maximum in
    /// row-major window order as `firstMaximum` (padding never wins), with flat indexing.
    @inline(__always)
    private static func maxBackward2D(
        _ h: WindowAxis, _ w: WindowAxis, source: UnsafePointer<Float>, gradOutput dy: UnsafePointer<Float>,
        gradInput dx: UnsafeMutablePointer<Float>
    ) {
        // Windows whose taps all lie inside the input skip the bounds arithmetic.
        func interior(_ a: WindowAxis) -> Range<Int> {
            let first = Swift.min(a.output, WindowAxis.ceilDiv(a.padBegin, a.stride))
            let lastTap = (a.kernel - 1) * a.dilation - a.padBegin
            let end = Swift.min(a.output, WindowAxis.floorDiv(a.input - 1 - lastTap, a.stride) + 1)
            return first..<Swift.max(first, end)
        }
        let insideH = interior(h), insideW = interior(w)
        var out = 0
        for oh in 0..<h.output {
            let tapsH = h.validTaps(at: oh)
            let top = oh * h.stride - h.padBegin
            for ow in 0..<w.output {
                let left = ow * w.stride - w.padBegin
                var best = -Float.infinity
                var bestAt = -1
                if insideH.contains(oh), insideW.contains(ow) {
                    bestAt = top * w.input + left
                    best = source[bestAt]
                    for kh in 0..<h.kernel {
                        let row = (top + kh * h.dilation) * w.input + left
                        for kw in 0..<w.kernel {
                            let index = row + kw * w.dilation
                            let value = source[index]
                            if value > best {
                                best = value
                                bestAt = index
                            }
                        }
                    }
                } else {
                    for kh in tapsH {
                        let row = (top + kh * h.dilation) * w.input + left
                        for kw in w.validTaps(at: ow) {
                            let index = row + kw * w.dilation
                            let value = source[index]
                            if value > best || bestAt < 0 {
                                best = value
                                bestAt = index
                            }
                        }
                    }
                }
                if bestAt >= 0 { dx[bestAt] += dy[out] }
                out += 1
            }
        }
    }

    /// `gradInput` (`[batch, channels, inSpatial...]`, overwritten): each `gradOutput` value
    /// is spread evenly over its window's cells, divided by the count `average` used
    /// (`countIncludePad` counts the padded taps too).
    public static func averageBackward(
        _ plan: Plan, gradOutput: UnsafePointer<Float>, gradInput: UnsafeMutablePointer<Float>
    ) {
        let g = plan.geometry
        let (d, h, w) = (g.depth, g.height, g.width)
        let includePad = plan.params.countIncludePad
        forEachPlaneBackward(plan) { plane in
            let dx = gradInput + plane * g.inputPlane
            let dy = gradOutput + plane * g.outputPlane
            dx.update(repeating: 0, count: g.inputPlane)
            var out = 0
            for od in 0..<d.output {
                let tapsD = d.validTaps(at: od)
                for oh in 0..<h.output {
                    let tapsH = h.validTaps(at: oh)
                    for ow in 0..<w.output {
                        let tapsW = w.validTaps(at: ow)
                        let count = includePad
                            ? d.paddedTapCount(at: od) * h.paddedTapCount(at: oh) * w.paddedTapCount(at: ow)
                            : tapsD.count * tapsH.count * tapsW.count
                        let share = count > 0 ? dy[out] / Float(count) : 0
                        for kd in tapsD {
                            let id = d.coordinate(output: od, tap: kd)
                            for kh in tapsH {
                                let rowStart = (id * h.input + h.coordinate(output: oh, tap: kh)) * w.input
                                for kw in tapsW { dx[rowStart + w.coordinate(output: ow, tap: kw)] += share }
                            }
                        }
                        out += 1
                    }
                }
            }
        }
    }

    /// GlobalAveragePool's gradient: every cell of plane `p` gets `gradOutput[p] / spatialCount`.
    public static func globalAverageBackward(
        batch: Int, channels: Int, spatialCount: Int,
        gradOutput: UnsafePointer<Float>, gradInput: UnsafeMutablePointer<Float>
    ) {
        guard spatialCount > 0 else { return }
        let scale = 1 / Float(spatialCount)
        Parallel.forEachChunk(count: batch * channels, minimumChunk: Swift.max(1, 16_384 / spatialCount)) { range in
            for plane in range {
                (gradInput + plane * spatialCount).update(repeating: gradOutput[plane] * scale, count: spatialCount)
            }
        }
    }

    /// GlobalMaxPool's gradient: `gradOutput[p]` goes to the first maximum of plane `p`.
    public static func globalMaxBackward(
        batch: Int, channels: Int, spatialCount: Int, gradOutput: UnsafePointer<Float>,
        input: UnsafePointer<Float>, gradInput: UnsafeMutablePointer<Float>
    ) {
        guard spatialCount > 0 else { return }
        Parallel.forEachChunk(count: batch * channels, minimumChunk: Swift.max(1, 16_384 / spatialCount)) { range in
            for plane in range {
                let x = input + plane * spatialCount, dx = gradInput + plane * spatialCount
                dx.update(repeating: 0, count: spatialCount)
                var bestAt = 0
                for i in 1..<Swift.max(1, spatialCount) where x[i] > x[bestAt] { bestAt = i }
                dx[bestAt] = gradOutput[plane]
            }
        }
    }

    private static func forEachPlaneBackward(_ plan: Plan, _ body: (Int) -> Void) {
        let g = plan.geometry
        let planes = plan.params.batch * plan.params.channels
        let work = Swift.max(1, g.outputPlane * g.kernelVolume)
        Parallel.forEachChunk(count: planes, minimumChunk: Swift.max(1, 8192 / work)) { range in
            for plane in range { body(plane) }
        }
    }
}

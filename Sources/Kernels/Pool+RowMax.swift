import KernelsAVX512

extension Pool {
    /// MaxPool over 1-D or 2-D windows when no indices are asked for: per output row, the
    /// maximum over the window's input rows is taken first across whole rows (contiguous,
    /// vectorizes), then along each window's columns of that one row. The value equals the
    /// window-order scan of `firstMaximum` (max is order-free for non-NaN inputs).
    static func rowwiseMax(_ plan: Plan, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>) {
        let params = plan.params
        let g = plan.geometry
        let (h, w) = (g.height, g.width)
        let planes = params.batch * params.channels
        let work = Swift.max(1, g.outputPlane * g.kernelVolume)
        let vectorized = CPUFeatures.usesAVX512GEMM
        // 3x3 stride 2 halving an even plane (ResNet's pool): flat passes on AVX-512.
        if vectorized, params.rank == 2, h.kernel == 3, w.kernel == 3, h.stride == 2, w.stride == 2,
           h.dilation == 1, w.dilation == 1, h.padBegin == 1, w.padBegin == 1, h.input % 2 == 0, w.input % 2 == 0,
           h.output == h.input / 2, w.output == w.input / 2 {
            let scratch = AVX512Pool.halvingScratchCount(height: h.input, width: w.input)
            Parallel.forEachChunk(count: planes, minimumChunk: Swift.max(1, 8192 / work)) { range in
                withUnsafeTemporaryAllocation(of: Float.self, capacity: scratch) { buffer in
                    for plane in range {
                        AVX512Pool.maxPool3x3Stride2Halving(
                            input + plane * g.inputPlane, height: h.input, width: w.input,
                            into: output + plane * g.outputPlane, scratch: buffer.baseAddress!)
                    }
                }
            }
            return
        }
        // 3x3 stride 2 (every window inside [-1, width + 32) of a row): whole planes on AVX-512.
        if vectorized, params.rank == 2, h.kernel == 3, w.kernel == 3, h.stride == 2, w.stride == 2,
           h.dilation == 1, w.dilation == 1, h.padBegin <= 1, w.padBegin <= 1,
           2 * (w.output - 1) - w.padBegin + 3 <= w.input + 32 {
            Parallel.forEachChunk(count: planes, minimumChunk: Swift.max(1, 8192 / work)) { range in
                withUnsafeTemporaryAllocation(of: Float.self, capacity: w.input + 64) { buffer in
                    for plane in range {
                        AVX512Pool.maxPool3x3Stride2(
                            input + plane * g.inputPlane, height: h.input, width: w.input, padTop: h.padBegin,
                            padLeft: w.padBegin, outHeight: h.output, outWidth: w.output,
                            into: output + plane * g.outputPlane, buffer: buffer.baseAddress!)
                    }
                }
            }
            return
        }
        Parallel.forEachChunk(count: planes, minimumChunk: Swift.max(1, 8192 / work)) { range in
            // Room past the row for the vector loads of `AVX512Pool.max3Stride2`.
            withUnsafeTemporaryAllocation(of: Float.self, capacity: w.input + 64) { buffer in
                let rowMax = buffer.baseAddress!
                for plane in range {
                    let source = input + plane * g.inputPlane
                    let destination = output + plane * g.outputPlane
                    for oh in 0..<h.output {
                        let taps = h.validTaps(at: oh)
                        let out = destination + oh * w.output
                        guard !taps.isEmpty else {
                            out.update(repeating: -.infinity, count: w.output)
                            continue
                        }
                        // Max over the window's rows, whole input width at once.
                        rowMax.update(from: source + h.coordinate(output: oh, tap: taps.lowerBound) * w.input,
                                      count: w.input)
                        for kh in taps.dropFirst() {
                            let row = source + h.coordinate(output: oh, tap: kh) * w.input
                            if vectorized {
                                AVX512Pool.maxInPlace(rowMax, row, count: w.input)
                                continue
                            }
                            for iw in 0..<w.input {
                                let v = row[iw]
                                rowMax[iw] = v > rowMax[iw] ? v : rowMax[iw]
                            }
                        }
                        columnMax(w, rowMax, out, vectorized: vectorized)
                    }
                }
            }
        }
    }

    /// `out[ow] = max over the window's valid columns of row`.
    /// `vectorized`: 3-wide stride-2 windows 16 at a time (`row` must have 64 floats of room
    /// past its end).
    @inline(__always)
    private static func columnMax(_ w: WindowAxis, _ row: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
                                  vectorized: Bool) {
        // Interior outputs (all taps inside) without bounds checks; edges through validTaps.
        let first = Swift.min(w.output, WindowAxis.ceilDiv(w.padBegin, w.stride))
        let lastTapOffset = (w.kernel - 1) * w.dilation - w.padBegin
        let end = Swift.max(first, Swift.min(w.output, WindowAxis.floorDiv(w.input - 1 - lastTapOffset, w.stride) + 1))
        func edge(_ ow: Int) {
            var best = -Float.infinity
            var seen = false
            for kw in w.validTaps(at: ow) {
                let v = row[w.coordinate(output: ow, tap: kw)]
                if !seen || v > best { best = v; seen = true }
            }
            out[ow] = best
        }
        for ow in 0..<first { edge(ow) }
        if vectorized, w.kernel == 3, w.dilation == 1, w.stride == 2 {
            AVX512Pool.max3Stride2(row, offset: -w.padBegin, outputs: first..<end, into: out)
        } else if w.kernel == 3, w.dilation == 1 {
            for ow in first..<end {
                let start = ow * w.stride - w.padBegin
                let a = row[start], b = row[start + 1], c = row[start + 2]
                let ab = b > a ? b : a
                out[ow] = c > ab ? c : ab
            }
        } else {
            for ow in first..<end {
                let start = ow * w.stride - w.padBegin
                var best = row[start]
                for kw in 1..<w.kernel {
                    let v = row[start + kw * w.dilation]
                    if v > best { best = v }
                }
                out[ow] = best
            }
        }
        for ow in end..<w.output { edge(ow) }
    }
}

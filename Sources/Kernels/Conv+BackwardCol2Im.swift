/// The adjoint of `Im2Col.fill`: adds every column entry back onto the image cell it was
/// read from (entries that came from the padding are dropped).
enum Col2Im {
    /// Overwrites `image` (`channels * inputPlane` floats) with the scatter-sum of
    /// `columns` (`channels * kernelVolume` rows `(channel, kd, kh, kw)` of `outputPlane`
    /// floats, `rowStride` apart: more than `outputPlane` when images sit side by side).
    static func accumulate(
        geometry g: WindowGeometry, channels: Int,
        columns: UnsafePointer<Float>, image: UnsafeMutablePointer<Float>, rowStride: Int? = nil
    ) {
        let rowStride = rowStride ?? g.outputPlane
        let kernelVolume = g.kernelVolume
        let outPlane = g.outputPlane
        let inPlane = g.inputPlane
        // One thread owns each channel plane, so the sums never race and keep their order.
        let minimumChannels = max(1, 16_384 / max(kernelVolume * outPlane, 1))
        Parallel.forEachChunk(count: channels, minimumChunk: minimumChannels) { range in
            for channel in range {
                let plane = image + channel * inPlane
                plane.update(repeating: 0, count: inPlane)
                for tap in 0..<kernelVolume {
                    let kw = tap % g.width.kernel
                    let kh = (tap / g.width.kernel) % g.height.kernel
                    let kd = tap / (g.width.kernel * g.height.kernel)
                    addRow(g, columns + (channel * kernelVolume + tap) * rowStride, kd: kd, kh: kh, kw: kw, into: plane)
                }
            }
        }
    }

    @inline(__always)
    private static func addRow(
        _ g: WindowGeometry, _ source: UnsafePointer<Float>, kd: Int, kh: Int, kw: Int,
        into plane: UnsafeMutablePointer<Float>
    ) {
        let outW = g.width.output
        let outHW = g.height.output * outW
        let validW = g.width.validOutputs(forTap: kw)
        let columnShift = kw * g.width.dilation - g.width.padBegin
        let strideW = g.width.stride
        guard !validW.isEmpty else { return }
        for od in g.depth.validOutputs(forTap: kd) {
            let id = g.depth.coordinate(output: od, tap: kd)
            for oh in g.height.validOutputs(forTap: kh) {
                let ih = g.height.coordinate(output: oh, tap: kh)
                let row = plane + (id * g.height.input + ih) * g.width.input
                let src = source + od * outHW + oh * outW
                for ow in validW {
                    row[ow * strideW + columnShift] += src[ow]
                }
            }
        }
    }
}

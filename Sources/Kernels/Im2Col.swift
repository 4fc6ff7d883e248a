import KernelsAVX512

/// Lowers one image to the column matrix that turns a convolution into a GEMM.
///
/// Rows are ordered `(channel, kd, kh, kw)` — the same order as a weight row
/// `[inChannels / group, kernel...]` — and columns are output positions `(od, oh, ow)`, so a
/// group's rows are contiguous and `weight_g * columns_g` is that group's output directly.
enum Im2Col {
    /// Elements of the column matrix for one image: `channels * kernelVolume * outputPlane`.
    static func count(geometry: WindowGeometry, channels: Int) -> Int {
        channels * geometry.kernelVolume * geometry.outputPlane
    }

    /// Fills `columns` (`count(geometry:channels:)` elements) from `image`
    /// (`channels * inputPlane` elements); taps in the padding read as zero. Row `r` starts at
    /// `columns + r * rowStride` (default `outputPlane`; wider when images share the matrix).
    static func fill(
        geometry g: WindowGeometry, channels: Int,
        image: UnsafePointer<Float>, columns: UnsafeMutablePointer<Float>, rowStride: Int? = nil
    ) {
        let rowStride = rowStride ?? g.outputPlane
        let kernelVolume = g.kernelVolume
        let rows = channels * kernelVolume
        let outPlane = g.outputPlane
        // Small rows are cheap; keep several per thread to amortize dispatch.
        let minimumRows = max(1, 16_384 / max(outPlane, 1))
        Parallel.forEachChunk(count: rows, minimumChunk: minimumRows) { range in
            for row in range {
                let channel = row / kernelVolume
                let tap = row % kernelVolume
                let kw = tap % g.width.kernel
                let kh = (tap / g.width.kernel) % g.height.kernel
                let kd = tap / (g.width.kernel * g.height.kernel)
                fillRow(g, image: image, channel: channel, kd: kd, kh: kh, kw: kw,
                        into: columns + row * rowStride, readLimit: image + channels * g.inputPlane)
            }
        }
    }

    /// `fill` for `images` consecutive images (`imageStride` floats apart) side by side in one
    /// column matrix: image `i`'s columns start at column `i * outputPlane` of every row. One
    /// parallel region for all of them (small late-layer images made one region each too short
    /// to split well).
    static func fill(
        geometry g: WindowGeometry, channels: Int, images: Int, first image: UnsafePointer<Float>, imageStride: Int,
        columns: UnsafeMutablePointer<Float>, rowStride: Int
    ) {
        let kernelVolume = g.kernelVolume
        let rows = channels * kernelVolume
        let outPlane = g.outputPlane
        Parallel.forEachChunk(count: rows * images, minimumChunk: max(1, 16_384 / max(outPlane, 1))) { range in
            for item in range {
                let row = item / images, index = item % images
                let channel = row / kernelVolume
                let tap = row % kernelVolume
                let kw = tap % g.width.kernel
                let kh = (tap / g.width.kernel) % g.height.kernel
                let kd = tap / (g.width.kernel * g.height.kernel)
                fillRow(g, image: image + index * imageStride, channel: channel, kd: kd, kh: kh, kw: kw,
                        into: columns + row * rowStride + index * outPlane,
                        readLimit: image + (images - 1) * imageStride + channels * g.inputPlane)
            }
        }
    }

    /// One row of the column matrix for one image: `outputPlane` floats at `destination`.
    /// `readLimit`: the end of the input buffer (vector loads never reach past it).
    @inline(__always)
    private static func fillRow(
        _ g: WindowGeometry, image: UnsafePointer<Float>, channel: Int, kd: Int, kh: Int, kw: Int,
        into destination: UnsafeMutablePointer<Float>, readLimit: UnsafePointer<Float>
    ) {
        let outW = g.width.output
        let outHW = g.height.output * outW
        let validW = g.width.validOutputs(forTap: kw)
        let columnShift = kw * g.width.dilation - g.width.padBegin
        let strideW = g.width.stride
        // Stride 2 (ResNet's downsampling convs) in 16-output vectors, each written whole when
        // it stays inside this row's plane: what it writes past a row is rewritten next.
        let evenGathers = strideW == 2 && CPUFeatures.usesAVX512GEMM
        let planeEnd = destination + g.depth.output * outHW
        var dst = destination
        for od in 0..<g.depth.output {
            let id = g.depth.coordinate(output: od, tap: kd)
            guard id >= 0, id < g.depth.input else {
                dst.update(repeating: 0, count: outHW)
                dst += outHW
                continue
            }
            for oh in 0..<g.height.output {
                let ih = g.height.coordinate(output: oh, tap: kh)
                guard ih >= 0, ih < g.height.input, !validW.isEmpty else {
                    dst.update(repeating: 0, count: outW)
                    dst += outW
                    continue
                }
                let source = image + ((channel * g.depth.input + id) * g.height.input + ih) * g.width.input
                dst.update(repeating: 0, count: validW.lowerBound)
                if strideW == 1 {
                    (dst + validW.lowerBound).update(
                        from: source + (validW.lowerBound + columnShift), count: validW.count)
                } else {
                    var ow = validW.lowerBound
                    if evenGathers {
                        while ow < validW.upperBound, dst + ow + 16 <= planeEnd,
                              source + (ow * 2 + columnShift + 32) <= readLimit {
                            AVX512Im2Col.gatherEven16(source + (ow * 2 + columnShift), into: dst + ow)
                            ow += 16
                        }
                    }
                    while ow < validW.upperBound {
                        dst[ow] = source[ow * strideW + columnShift]
                        ow += 1
                    }
                }
                (dst + validW.upperBound).update(repeating: 0, count: outW - validW.upperBound)
                dst += outW
            }
        }
    }
}

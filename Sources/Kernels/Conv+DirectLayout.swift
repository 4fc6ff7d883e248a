import KernelsAVX512

/// Scratch layout of the direct convolution for few input channels: for one image and one
/// band of `bandRows` output rows, every input channel's padded rows that the band reads,
/// split into `stride x stride` phases by row and column parity (as in `DepthwiseLayout`).
///
/// Phase `(qh, qw)` of channel `ci` holds the band's padded cells
/// `(bandStart * strideH + qh + i * strideH, qw + j * strideW)` at
/// `ci * channelStride + (qh * strideW + qw) * phaseStride + i * phaseWidth + j`. Output
/// `(oh, ow)` of the band, indexed flat as `o = (oh - bandStart) * phaseWidth + ow`, then reads
/// input channel `ci` through tap `(kh, kw)` at `o + pairOffsets[(ci * kernelH + kh) * kernelW + kw]`: one
/// shifted contiguous run for the whole band; flat positions past the output width are
/// computed and dropped.
struct DirectConvLayout {
    let geometry: WindowGeometry
    let inChannels: Int
    /// Output rows per band (the last band may have fewer).
    let bandRows: Int
    /// Rows (columns) per phase that one band reads.
    let phaseRows: Int
    let phaseWidth: Int
    /// Floats from one phase to the next: the phase's rows plus slack, so whole tiles of 48
    /// flat outputs past the last real one never read outside the scratch.
    let phaseStride: Int
    let channelStride: Int
    /// Offset of each (input channel, tap) pair from the output's flat index.
    let pairOffsets: [Int]

    /// Stacked input floats a band aims not to exceed (so it stays in L1 across channels).
    static let targetBandFloats = 8_192
    /// Flat outputs a band aims not to exceed: the sums of 8 channels (24 KB) stay in L1 too.
    static let targetBandOutputs = 768

    init(_ g: WindowGeometry, inChannels: Int) {
        geometry = g
        self.inChannels = inChannels
        let h = g.height, w = g.width
        let phases = h.stride * w.stride
        let width = (w.padBegin + w.input + w.padEnd + w.stride - 1) / w.stride
        let extraRows = (h.kernel - 1) * h.dilation / h.stride
        let rowsFitting = Self.targetBandFloats / max(1, phases * width * inChannels) - extraRows
        let rows = max(1, min(h.output, rowsFitting, Self.targetBandOutputs / width))
        bandRows = rows
        phaseRows = rows + extraRows
        phaseWidth = width
        let stride = phaseRows * width + 64
        phaseStride = stride
        channelStride = phases * stride
        let channelStride = phases * stride
        pairOffsets = (0..<inChannels).flatMap { ci in
            (0..<h.kernel).flatMap { kh in
                (0..<w.kernel).map { kw in
                    let dh = kh * h.dilation, dw = kw * w.dilation
                    return ci * channelStride + ((dh % h.stride) * w.stride + dw % w.stride) * stride
                        + (dh / h.stride) * width + dw / w.stride
                }
            }
        }
    }

    /// Bands per image.
    var bandCount: Int { (geometry.height.output + bandRows - 1) / bandRows }
    /// Floats of the stacked, padded, phase-split input of one band.
    var inputCount: Int { inChannels * channelStride }
    /// Flat outputs to compute for a band of `rows` output rows (through the last real one).
    func flatCount(rows: Int) -> Int { (rows - 1) * phaseWidth + geometry.width.output }
    /// Floats per channel of the flat sums (room for whole tiles).
    var sumsStride: Int { (bandRows * phaseWidth + 47) / 48 * 48 + 48 }

    /// Copies the rows of `image` (`inChannels` planes) that the band starting at output row
    /// `bandStart` reads into `scratch`; rows of the padding are zeroed, padding columns are
    /// never written (they stay zero from the scratch's first initialization).
    func loadBand(_ image: UnsafePointer<Float>, bandStart: Int, into scratch: UnsafeMutablePointer<Float>,
                  avx512: Bool) {
        let h = geometry.height, w = geometry.width
        let firstPadded = bandStart * h.stride
        let paddedRows = phaseRows * h.stride
        for ci in 0..<inChannels {
            let plane = image + ci * geometry.inputPlane
            let channel = scratch + ci * channelStride
            // Padded rows r (band-local) whose input row ih = firstPadded + r - padBegin exists.
            let firstValid = max(0, h.padBegin - firstPadded)
            let endValid = min(paddedRows, h.input + h.padBegin - firstPadded)
            for r in 0..<paddedRows where r < firstValid || r >= endValid {
                let row = channel + (r % h.stride) * w.stride * phaseStride + (r / h.stride) * phaseWidth
                for qw in 0..<w.stride { (row + qw * phaseStride).update(repeating: 0, count: phaseWidth) }
            }
            guard endValid > firstValid else { continue }
            let firstInput = firstPadded + firstValid - h.padBegin
            if avx512, w.stride <= 2 {
                let evenPhase = w.padBegin % w.stride
                let even = channel + evenPhase * phaseStride + w.padBegin / w.stride
                let odd = channel + (1 - evenPhase) * phaseStride + (w.padBegin + 1) / 2
                AVX512Depthwise.loadPlane(
                    plane + firstInput * w.input, width: w.input, height: endValid - firstValid,
                    destination: even, firstRow: firstValid, rowStride: h.stride,
                    rowPhaseJump: w.stride * phaseStride, phaseWidth: phaseWidth,
                    deinterleave: w.stride == 2, oddOffset: odd - even)
                continue
            }
            for r in firstValid..<endValid {
                let source = plane + (firstInput + r - firstValid) * w.input
                let row = channel + (r % h.stride) * w.stride * phaseStride + (r / h.stride) * phaseWidth
                for c in 0..<w.input {
                    let padded = c + w.padBegin
                    row[(padded % w.stride) * phaseStride + padded / w.stride] = source[c]
                }
            }
        }
    }
}

import KernelsAVX512

/// Scratch layout of the direct depthwise convolution: a group of zero-padded input planes
/// (several images of one channel) stacked vertically, split into `stride x stride` phases by
/// row and column parity (`row % strideH`, `column % strideW`).
///
/// Phase `(qh, qw)` holds padded cells `(qh + i * strideH, qw + j * strideW)` at `i * phaseWidth + j`,
/// plane `p` of the group starting at phase row `p * phaseRows`. Output `(p, oh, ow)` of tap
/// `(kh, kw)` then reads phase `(kh*dh % sh, kw*dw % sw)` at
/// `(p * phaseRows + oh) * phaseWidth + ow + tapOffset`, so with outputs indexed flat as
/// `o = (p * phaseRows + oh) * phaseWidth + ow` every tap is one shifted contiguous run over the
/// whole group, with no bounds tests; the few flat positions that are not outputs (`ow` past
/// the output width, rows between planes) are computed and dropped.
struct DepthwiseLayout {
    let geometry: WindowGeometry
    /// Padded rows (columns) per plane in one phase: padded height (width) / stride, rounded up.
    let phaseRows: Int
    let phaseWidth: Int
    /// Input planes stacked in one group.
    let planesPerGroup: Int
    /// Floats from one phase to the next: the stacked phase image plus 16 floats of slack,
    /// so whole 16-float vectors past the last output never read outside the scratch.
    let phaseStride: Int
    /// Offset of each tap `(kh, kw)` (row-major) from the output's flat index.
    let tapOffsets: [Int]

    /// Stacked input floats a group aims not to exceed (so it stays in L2 across taps).
    static let targetGroupFloats = 16_384

    init(_ g: WindowGeometry, batch: Int) {
        geometry = g
        let h = g.height, w = g.width
        phaseRows = (h.padBegin + h.input + h.padEnd + h.stride - 1) / h.stride
        phaseWidth = (w.padBegin + w.input + w.padEnd + w.stride - 1) / w.stride
        let planeFloats = phaseRows * phaseWidth * h.stride * w.stride
        planesPerGroup = max(1, min(batch, Self.targetGroupFloats / max(planeFloats, 1)))
        let stride = planesPerGroup * phaseRows * phaseWidth + 16
        phaseStride = stride
        let width = phaseWidth
        tapOffsets = (0..<h.kernel).flatMap { kh in
            (0..<w.kernel).map { kw in
                let dh = kh * h.dilation, dw = kw * w.dilation
                return ((dh % h.stride) * w.stride + dw % w.stride) * stride
                    + (dh / h.stride) * width + dw / w.stride
            }
        }
    }

    /// Floats of the stacked, padded, phase-split input of one group.
    var inputCount: Int { geometry.height.stride * geometry.width.stride * phaseStride }
    /// Floats of the flat tap sums of one group (with room for whole vectors).
    var sumsCount: Int { phaseStride }

    /// Flat outputs to compute for a group of `planes` planes (through the last real output).
    func flatCount(planes: Int) -> Int {
        ((planes - 1) * phaseRows + geometry.height.output - 1) * phaseWidth + geometry.width.output
    }

    /// Flat index of output row `oh` of plane `p` of a group.
    @inline(__always)
    func flatRow(plane p: Int, row oh: Int) -> Int { (p * phaseRows + oh) * phaseWidth }

    /// Copies input `plane` into slot `slot` of the group in `scratch`; the padding cells are
    /// never written, so they stay zero from the scratch's first initialization.
    func load(_ plane: UnsafePointer<Float>, slot: Int, into scratch: UnsafeMutablePointer<Float>,
              avx512: Bool) {
        let h = geometry.height, w = geometry.width
        let slotBase = scratch + slot * phaseRows * phaseWidth
        if avx512, w.stride <= 2 {
            // Input column c is padded column c + padBegin: phase (c + padBegin) % stride.
            let evenPhase = w.padBegin % w.stride
            let even = slotBase + evenPhase * phaseStride + w.padBegin / w.stride
            let odd = slotBase + (1 - evenPhase) * phaseStride + (w.padBegin + 1) / 2
            AVX512Depthwise.loadPlane(
                plane, width: w.input, height: h.input, destination: even, firstRow: h.padBegin,
                rowStride: h.stride, rowPhaseJump: w.stride * phaseStride, phaseWidth: phaseWidth,
                deinterleave: w.stride == 2, oddOffset: odd - even)
            return
        }
        for ih in 0..<h.input {
            let source = plane + ih * w.input
            let r = ih + h.padBegin
            let rowBase = slotBase + (r % h.stride) * w.stride * phaseStride + (r / h.stride) * phaseWidth
            for c in 0..<w.input {
                let padded = c + w.padBegin
                rowBase[(padded % w.stride) * phaseStride + padded / w.stride] = source[c]
            }
        }
    }
}

extension Conv {
    /// Portable `AVX512Depthwise.accumulate` for exactly `count` outputs: blocks of 64 outputs
    /// stay in L1 while the taps are added in order.
    static func accumulateDepthwiseTaps(
        base: UnsafePointer<Float>, offsets: UnsafePointer<Int>, weights: UnsafePointer<Float>,
        tapCount: Int, count: Int, output: UnsafeMutablePointer<Float>
    ) {
        var start = 0
        while start < count {
            let n = min(64, count - start)
            let block = output + start
            let first = base + offsets[0] + start, w0 = weights[0]
            for i in 0..<n { block[i] = w0 * first[i] }
            for t in 1..<max(tapCount, 1) {
                let source = base + offsets[t] + start, w = weights[t]
                for i in 0..<n { block[i] += w * source[i] }
            }
            start += n
        }
    }
}

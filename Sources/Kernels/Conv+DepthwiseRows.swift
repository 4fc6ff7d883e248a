import KernelsAVX512

/// Layout of the AVX-512 row kernel for 3x3 depthwise convolutions of stride 1 (padded by one
/// on every side) or 2 (`AVX512Depthwise.rows3x3`). The scratch has no padding columns: with
/// rows `outW` floats apart, output `o = oh * outW + ow` of every tap is one shifted read, and
/// the taps that would wrap into the next row are masked lanes. So output vectors are computed
/// where they land, with no compaction and no epilogue pass: planes of 16 or more outputs cost
/// whole vectors only (a 7x7 plane is 4, a 4x4 plane 1), rows of 16 or more outputs are covered
/// row by row with the last vector overlapping.
///
/// Stride 1: each plane is copied whole, planes `planeStride` apart with zeros between them
/// (the padding rows). Stride 2: planes are split by row and column parity into four phases
/// (as in `DepthwiseLayout`) of `outH + 1` rows of `phaseWidth` floats each, so tap `(kh, kw)`
/// reads phase `(kh % 2, kw % 2)` at `oh * phaseWidth + ow + (kh / 2) * phaseWidth + kw / 2`;
/// cells never written (padding) stay zero. Flat runs (`outW < 16`) need `phaseWidth = outW`,
/// where only the kw = 2 tap can wrap, on the last output column, and must land on padding;
/// rows of 16 or more outputs take `outW + 1`, which holds every input column (PyTorch's
/// stride-2 pads of one on both sides of an even size read the last one there).
struct DepthwiseRowsLayout {
    let geometry: WindowGeometry
    let stride: Int
    /// Floats before plane 0 of the group (room for the stride-1 padding row above it).
    let lead: Int
    /// Floats from one plane to the next in the scratch (in each phase for stride 2).
    let planeStride: Int
    /// Floats from one phase to the next (stride 2).
    let phaseStride: Int
    /// Images whose planes of one channel are copied together.
    let planesPerGroup: Int
    /// Offsets of the nine taps (row-major) from a plane's start in the scratch.
    let tapOffsets: [Int]
    /// Output vectors: `rowCount` rows `rowStep` apart (`inputRowStep` apart in the scratch),
    /// `columnStarts` inside each row.
    let rowCount: Int
    let rowStep: Int
    let inputRowStep: Int
    let columnStarts: [Int]
    /// Per column start, 16 lanes: all bits where the lane keeps its kw = 0 (kw = 2) tap.
    let leftMasks: [UInt32]
    let rightMasks: [UInt32]

    /// Scratch floats a group aims not to exceed. Small: a unit of one large plane reads one
    /// contiguous run of the input, and consecutive units continue it (the next channel), which
    /// the hardware prefetchers follow; groups only gather planes too small to be worth a unit.
    static let targetGroupFloats = 1024

    /// Stride 2, planes of at most `scatterCells` cells: each input cell's offset from its
    /// plane's slot in the scratch, so a small plane is copied in one scalar loop (splitting
    /// short rows by parity one call at a time cost more than the convolution).
    let cellOffsets: [Int32]
    static let scatterCells = 64

    /// Scratch floats of one worker.
    var scratchCount: Int { stride == 1 ? lead + planesPerGroup * planeStride + 16 : 4 * phaseStride }

    /// Nil unless the window is 3x3 with dilation 1 and either stride 1 padded by one on every
    /// side, or stride 2 with at most one padding row / column before and every input cell
    /// inside the phases' `outH + 1` rows and `outW` columns; and the output plane holds at
    /// least 16 floats.
    init?(_ g: WindowGeometry, batch: Int) {
        let h = g.height, w = g.width
        guard h.kernel == 3, w.kernel == 3, h.dilation == 1, w.dilation == 1, h.stride == w.stride,
              h.output * w.output >= 16 else { return nil }
        let outW = w.output, outH = h.output
        geometry = g
        stride = h.stride
        let groupFloats: Int
        switch stride {
        case 1:
            guard h.padBegin == 1, h.padEnd == 1, w.padBegin == 1, w.padEnd == 1 else { return nil }
            lead = (outW + 1 + 15) / 16 * 16
            planeStride = (outW * outH + outW + 1 + 15) / 16 * 16
            groupFloats = planeStride
        case 2:
            let width = outW >= 16 ? outW + 1 : outW
            guard h.padBegin <= 1, w.padBegin <= 1, (h.padBegin + h.input - 1) / 2 <= outH,
                  outW >= 16 ? (w.padBegin + w.input - 1) / 2 < width : w.padBegin + w.input <= 2 * outW
            else { return nil }
            lead = 0
            planeStride = (outH + 1) * width
            groupFloats = 4 * planeStride
        default:
            return nil
        }
        planesPerGroup = max(1, min(batch, Self.targetGroupFloats / groupFloats))
        let phase = (planesPerGroup * planeStride + 16 + 15) / 16 * 16
        phaseStride = stride == 2 ? phase : 0
        let stride1 = stride == 1
        let phaseWidth = stride1 || outW < 16 ? outW : outW + 1
        inputRowStep = phaseWidth
        tapOffsets = (0..<9).map { t in
            let (kh, kw) = (t / 3, t % 3)
            return stride1
                ? (kh - 1) * outW + kw - 1
                : ((kh % 2) * 2 + kw % 2) * phase + (kh / 2) * phaseWidth + kw / 2
        }
        let (pbh, pbw) = (h.padBegin, w.padBegin)
        cellOffsets = stride1 || h.input * w.input > Self.scatterCells ? [] : (0..<h.input * w.input).map { cell in
            let (r, c) = (cell / w.input + pbh, cell % w.input + pbw)
            return Int32(((r % 2) * 2 + c % 2) * phase + (r / 2) * phaseWidth + c / 2)
        }
        // Rows of 16 or more outputs vector by vector; narrower planes as one flat run.
        let runLength = outW >= 16 ? outW : outW * outH
        (rowCount, rowStep) = outW >= 16 ? (outH, outW) : (1, 0)
        var starts = Array(Swift.stride(from: 0, through: runLength - 16, by: 16))
        if runLength % 16 != 0 { starts.append(runLength - 16) }
        columnStarts = starts
        leftMasks = starts.flatMap { s in
            (0..<16).map { !stride1 || (s + $0) % outW != 0 ? UInt32.max : 0 }
        }
        // Stride-2 rows hold a column past the last output: nothing wraps there.
        let rightWraps = stride1 || outW < 16
        rightMasks = starts.flatMap { s in
            (0..<16).map { !rightWraps || (s + $0) % outW != outW - 1 ? UInt32.max : 0 }
        }
    }

    /// Copies `planes` input planes, `sourceStride` floats apart, into the group in `scratch`;
    /// only input cells are written, so padding stays zero from the scratch's initialization.
    func load(_ source: UnsafePointer<Float>, sourceStride: Int, planes: Int,
              into scratch: UnsafeMutablePointer<Float>) {
        let h = geometry.height, w = geometry.width
        let count = h.input * w.input
        if stride == 1 {
            AVX512Depthwise.copyPlanes(source, sourceStride: sourceStride, count: count, planes: planes,
                                       to: scratch + lead, destinationStride: planeStride)
            return
        }
        if !cellOffsets.isEmpty {
            cellOffsets.withUnsafeBufferPointer { offsets in
                for p in 0..<planes {
                    let from = source + p * sourceStride, slot = scratch + p * planeStride
                    for cell in 0..<count { slot[Int(offsets[cell])] = from[cell] }
                }
            }
            return
        }
        // Input column c is padded column c + padBegin: phase (c + padBegin) % 2.
        let evenPhase = w.padBegin % 2
        for p in 0..<planes {
            let slot = scratch + p * planeStride
            let even = slot + evenPhase * phaseStride + w.padBegin / 2
            let odd = slot + (1 - evenPhase) * phaseStride + (w.padBegin + 1) / 2
            AVX512Depthwise.loadPlane(
                source + p * sourceStride, width: w.input, height: h.input, destination: even,
                firstRow: h.padBegin, rowStride: 2, rowPhaseJump: 2 * phaseStride, phaseWidth: inputRowStep,
                deinterleave: true, oddOffset: odd - even)
        }
    }
}

extension Conv {
    /// `depthwise` for the geometries `DepthwiseRowsLayout` accepts, on CPUs with AVX-512:
    /// units of one output channel over a group of images, image groups outermost so
    /// consecutive units read consecutive planes. Any activation (`EpilogueCode`).
    static func depthwiseRows(
        _ params: ConvParams, _ layout: DepthwiseRowsLayout, input: UnsafePointer<Float>,
        weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
        output: UnsafeMutablePointer<Float>, epilogue: ConvEpilogue
    ) {
        let g = layout.geometry
        let multiplier = params.outChannels / params.inChannels
        let groupSize = layout.planesPerGroup
        let groups = (params.batch + groupSize - 1) / groupSize
        let units = groups * params.inChannels * multiplier
        let inPlane = g.inputPlane, outPlane = g.outputPlane
        let (code, low, high) = epilogue.activation.epilogueCode
        layout.columnStarts.withUnsafeBufferPointer { starts in
        layout.tapOffsets.withUnsafeBufferPointer { taps in
        layout.leftMasks.withUnsafeBufferPointer { leftMasks in
        layout.rightMasks.withUnsafeBufferPointer { rightMasks in
            Parallel.forEachChunk(count: units, minimumChunk: max(1, 16_384 / (groupSize * outPlane))) { range in
                let buffer = GemmScratch.shared.take(layout.scratchCount)
                defer { GemmScratch.shared.give(buffer) }
                let scratch = buffer.pointer
                scratch.initialize(repeating: 0, count: layout.scratchCount)
                var loaded = -1
                for unit in range {
                    let sourceGroup = unit / multiplier
                    let source = sourceGroup % params.inChannels
                    let firstImage = sourceGroup / params.inChannels * groupSize
                    let planes = min(groupSize, params.batch - firstImage)
                    if sourceGroup != loaded {
                        layout.load(input + (firstImage * params.inChannels + source) * inPlane,
                                    sourceStride: params.inChannels * inPlane, planes: planes, into: scratch)
                        loaded = sourceGroup
                    }
                    let outChannel = source * multiplier + unit % multiplier
                    let offset = (firstImage * params.outChannels + outChannel) * outPlane
                    AVX512Depthwise.rows3x3(
                        input: scratch + layout.lead, inputStride: layout.planeStride, planes: planes,
                        tapOffsets: taps.baseAddress!, rowCount: layout.rowCount, rowStep: layout.rowStep,
                        inputRowStep: layout.inputRowStep,
                        columnStarts: starts.baseAddress!, vectorsPerRow: starts.count,
                        leftMasks: leftMasks.baseAddress!, rightMasks: rightMasks.baseAddress!,
                        weights: weight + outChannel * 9, bias: bias?[outChannel] ?? 0, output: output + offset,
                        outputStride: params.outChannels * outPlane,
                        residual: epilogue.residual.map { $0 + offset }, activation: code, low: low, high: high)
                }
            }
        }
        }
        }
        }
    }
}

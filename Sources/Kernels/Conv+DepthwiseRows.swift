import KernelsAVX512

/// Layout of the AVX-512 row kernel for 3x3, stride-1, pad-1 depthwise convolutions
/// (`AVX512Depthwise.rows3x3`): each input plane is copied whole (no column padding) into a
/// scratch where zeros separate the planes, which stand in for the padding rows; the padding
/// columns are lane masks on the taps that would wrap into the next row. Output vectors are
/// computed where they land, so there is no compaction pass and no epilogue pass: planes of 16
/// or more floats cost whole vectors only (a 7x7 plane is 4 vectors, a 4x4 plane 1), rows of
/// 16 or more floats are covered row by row with the last vector overlapping.
struct DepthwiseRowsLayout {
    let width: Int
    let height: Int
    /// Floats before plane 0 (at least one padding row and one float, rounded up to a vector).
    let lead: Int
    /// Floats from one plane's copy to the next (plane, padding row and one float, rounded up).
    let planeStride: Int
    /// Images whose planes of one channel are copied together.
    let planesPerGroup: Int
    /// Output vectors: `rowCount` rows `rowStep` apart, `columnStarts` inside each row.
    let rowCount: Int
    let rowStep: Int
    let columnStarts: [Int]
    /// Per column start, 16 lanes: all bits where the lane's column has a left (right) neighbour.
    let leftMasks: [UInt32]
    let rightMasks: [UInt32]

    /// Scratch floats of one worker.
    var scratchCount: Int { lead + planesPerGroup * planeStride + 16 }

    /// Nil unless the geometry is a 3x3, stride-1, dilation-1 window padded by one on every
    /// side, over planes of at least 16 floats.
    init?(_ g: WindowGeometry, batch: Int) {
        let h = g.height, w = g.width
        guard h.kernel == 3, w.kernel == 3, h.stride == 1, w.stride == 1, h.dilation == 1, w.dilation == 1,
              h.padBegin == 1, h.padEnd == 1, w.padBegin == 1, w.padEnd == 1, h.input * w.input >= 16
        else { return nil }
        width = w.input
        height = h.input
        let plane = width * height
        lead = (width + 1 + 15) / 16 * 16
        planeStride = (plane + width + 1 + 15) / 16 * 16
        planesPerGroup = max(1, min(batch, DepthwiseLayout.targetGroupFloats / planeStride))
        // Rows of 16 or more floats vector by vector; narrower planes as one flat run.
        let runLength = width >= 16 ? width : plane
        (rowCount, rowStep) = width >= 16 ? (height, width) : (1, 0)
        var starts = Array(stride(from: 0, through: runLength - 16, by: 16))
        if runLength % 16 != 0 { starts.append(runLength - 16) }
        columnStarts = starts
        leftMasks = starts.flatMap { s in (0..<16).map { (s + $0) % runLength % w.input != 0 ? UInt32.max : 0 } }
        rightMasks = starts.flatMap { s in
            (0..<16).map { (s + $0) % runLength % w.input != w.input - 1 ? UInt32.max : 0 }
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
        let multiplier = params.outChannels / params.inChannels
        let groupSize = layout.planesPerGroup
        let groups = (params.batch + groupSize - 1) / groupSize
        let units = groups * params.inChannels * multiplier
        let plane = layout.width * layout.height
        let (code, low, high) = epilogue.activation.epilogueCode
        layout.columnStarts.withUnsafeBufferPointer { starts in
        layout.leftMasks.withUnsafeBufferPointer { leftMasks in
        layout.rightMasks.withUnsafeBufferPointer { rightMasks in
            Parallel.forEachChunk(count: units, minimumChunk: max(1, 16_384 / (groupSize * plane))) { range in
                let buffer = GemmScratch.shared.take(layout.scratchCount)
                defer { GemmScratch.shared.give(buffer) }
                let scratch = buffer.pointer
                scratch.initialize(repeating: 0, count: layout.scratchCount)
                let planes0 = scratch + layout.lead
                var loaded = -1
                for unit in range {
                    let sourceGroup = unit / multiplier
                    let source = sourceGroup % params.inChannels
                    let firstImage = sourceGroup / params.inChannels * groupSize
                    let planes = min(groupSize, params.batch - firstImage)
                    if sourceGroup != loaded {
                        AVX512Depthwise.copyPlanes(
                            input + (firstImage * params.inChannels + source) * plane,
                            sourceStride: params.inChannels * plane, count: plane, planes: planes,
                            to: planes0, destinationStride: layout.planeStride)
                        loaded = sourceGroup
                    }
                    let outChannel = source * multiplier + unit % multiplier
                    let offset = (firstImage * params.outChannels + outChannel) * plane
                    AVX512Depthwise.rows3x3(
                        input: planes0, inputStride: layout.planeStride, planes: planes, width: layout.width,
                        rowCount: layout.rowCount, rowStep: layout.rowStep, columnStarts: starts.baseAddress!,
                        vectorsPerRow: starts.count, leftMasks: leftMasks.baseAddress!,
                        rightMasks: rightMasks.baseAddress!, weights: weight + outChannel * 9,
                        bias: bias?[outChannel] ?? 0, output: output + offset,
                        outputStride: params.outChannels * plane,
                        residual: epilogue.residual.map { $0 + offset }, activation: code, low: low, high: high)
                }
            }
        }
        }
        }
    }
}

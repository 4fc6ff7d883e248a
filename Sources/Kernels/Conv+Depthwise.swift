import KernelsAVX512

extension Conv {
    /// Direct depthwise convolution: output channel `oc` reads only input channel
    /// `oc / multiplier` through its own `kh x kw` filter, with the epilogue applied as each
    /// output row is written.
    ///
    /// Work is split into units of one output channel over a group of images: the group's input
    /// planes are copied once into a zero-padded, phase-split scratch (`DepthwiseLayout`), every
    /// tap sum of the group is then one pass of shifted multiply-adds over a flat run with the
    /// filter in registers (`AVX512Depthwise.accumulate` on CPUs with AVX-512), and the epilogue
    /// moves the sums to the output rows. Stacking images keeps small late-layer planes (7x7,
    /// 4x4) from paying per-plane overhead. Parallel over units. `avx512: false` runs the
    /// portable loops (tests pin both). On AVX-512 CPUs the 3x3 windows of MobileNet (stride 1
    /// padded by one, stride 2) take the row kernel instead (`depthwiseRows`), which computes
    /// output vectors where they land, with the epilogue in registers.
    static func depthwise(
        _ params: ConvParams, _ g: WindowGeometry, input: UnsafePointer<Float>,
        weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
        output: UnsafeMutablePointer<Float>, epilogue: ConvEpilogue,
        avx512: Bool = CPUFeatures.usesAVX512GEMM
    ) {
        if avx512, let rows = DepthwiseRowsLayout(g, batch: params.batch) {
            depthwiseRows(params, rows, input: input, weight: weight, bias: bias, output: output,
                          epilogue: epilogue)
            return
        }
        let layout = DepthwiseLayout(g, batch: params.batch)
        let multiplier = params.outChannels / params.inChannels
        let groupSize = layout.planesPerGroup
        let groups = (params.batch + groupSize - 1) / groupSize
        let units = params.inChannels * groups * multiplier
        let outW = g.width.output, outH = g.height.output, outPlane = g.outputPlane
        let taps = g.height.kernel * g.width.kernel
        // The activations AVX512Depthwise.finishPlane applies (kind, low, high).
        let vectorActivation: (Int, Float, Float)? = switch epilogue.activation {
        case .none: (0, 0, 0)
        case .relu: (1, 0, 0)
        case .clip(let low, let high): (2, low, high)
        default: nil
        }
        let unitOutputs = groupSize * layout.phaseRows * layout.phaseWidth
        layout.tapOffsets.withUnsafeBufferPointer { offsetBuffer in
            let offsets = offsetBuffer.baseAddress!
            Parallel.forEachChunk(count: units, minimumChunk: max(1, 16_384 / max(unitOutputs, 1))) { range in
                let buffer = GemmScratch.shared.take(layout.inputCount + layout.sumsCount)
                defer { GemmScratch.shared.give(buffer) }
                let scratch = buffer.pointer
                let sums = scratch + layout.inputCount
                scratch.initialize(repeating: 0, count: layout.inputCount)
                var loaded = -1
                for unit in range {
                    // Units run image group by image group, then channel by channel, the
                    // multiplier innermost: output channels that share an input reuse its loaded
                    // group, and consecutive units read (and write) consecutive planes of each
                    // image, which the hardware prefetchers follow (channel-major order jumped
                    // between images every unit and ran at a third of the bandwidth).
                    let sourceGroup = unit / multiplier
                    let source = sourceGroup % params.inChannels
                    let firstImage = sourceGroup / params.inChannels * groupSize
                    let planes = min(groupSize, params.batch - firstImage)
                    if sourceGroup != loaded {
                        for p in 0..<planes {
                            let plane = (firstImage + p) * params.inChannels + source
                            layout.load(input + plane * g.inputPlane, slot: p, into: scratch, avx512: avx512)
                        }
                        loaded = sourceGroup
                    }
                    let outChannel = source * multiplier + unit % multiplier
                    let filter = weight + outChannel * taps
                    let count = layout.flatCount(planes: planes)
                    if avx512 {
                        AVX512Depthwise.accumulate(base: scratch, offsets: offsets, weights: filter,
                                                   tapCount: taps, count: count, output: sums)
                    } else {
                        accumulateDepthwiseTaps(base: scratch, offsets: offsets, weights: filter,
                                                tapCount: taps, count: count, output: sums)
                    }
                    let channelBias = bias?[outChannel] ?? 0
                    if avx512, epilogue.residual == nil, let (kind, low, high) = vectorActivation {
                        // No residual: the epilogue runs once over the whole flat run, then
                        // the rows move straight to the output.
                        AVX512Depthwise.finishFlat(sums, count: count, bias: channelBias, kind: kind,
                                                   low: low, high: high)
                        for p in 0..<planes {
                            let planeStart = ((firstImage + p) * params.outChannels + outChannel) * outPlane
                            let planeSums = sums + layout.flatRow(plane: p, row: 0)
                            if outW < 16 {
                                AVX512Depthwise.compactNarrowPlane(
                                    sums: planeSums, sumsStride: layout.phaseWidth, width: outW, height: outH,
                                    output: output + planeStart)
                            } else {
                                AVX512Depthwise.compactPlane(
                                    sums: planeSums, sumsStride: layout.phaseWidth, width: outW, height: outH,
                                    output: output + planeStart)
                            }
                        }
                        continue
                    }
                    for p in 0..<planes {
                        let planeStart = ((firstImage + p) * params.outChannels + outChannel) * outPlane
                        let planeSums = sums + layout.flatRow(plane: p, row: 0)
                        if avx512 {
                            // Rows compacted first, so the epilogue is one flat pass per plane.
                            AVX512Depthwise.compactPlane(sums: planeSums, sumsStride: layout.phaseWidth,
                                                         width: outW, height: outH, output: output + planeStart)
                            let residual = epilogue.residual.map { $0 + planeStart }
                            if let (kind, low, high) = vectorActivation {
                                AVX512Depthwise.finishPlane(output + planeStart, count: outPlane, bias: channelBias,
                                                            residual: residual, kind: kind, low: low, high: high)
                            } else {
                                epilogue.apply(output + planeStart, bias: channelBias, residual: residual,
                                               to: output + planeStart, count: outPlane)
                            }
                            continue
                        }
                        for oh in 0..<outH {
                            let start = planeStart + oh * outW
                            epilogue.apply(planeSums + oh * layout.phaseWidth, bias: channelBias,
                                           residual: epilogue.residual.map { $0 + start },
                                           to: output + start, count: outW)
                        }
                    }
                }
            }
        }
    }
}

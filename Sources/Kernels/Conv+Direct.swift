import KernelsAVX512

extension Conv {
    /// Most input channels for which `direct` is preferred over im2col: a stem conv (RGB in)
    /// makes an im2col GEMM with a depth of only `inChannels * kernel volume` (27 for 3x3).
    static let directMaxInChannels = 4

    /// Whether the direct small-`inChannels` convolution can run `params`: 1-D or 2-D, one
    /// group, at most `directMaxInChannels` input channels, and not a plain pointwise conv.
    static func directApplies(to params: ConvParams) -> Bool {
        params.rank <= 2 && params.group == 1 && params.inChannels <= directMaxInChannels
            && !isPointwiseShape(params)
    }

    /// Floats of the workspace `direct` needs: the weights packed as
    /// `[outChannels / 8 (rounded up)][inChannels][kernel volume][8]`, zero for missing channels.
    static func directWorkspaceCount(_ params: ConvParams, _ g: WindowGeometry) -> Int {
        let block = AVX512Direct.channelBlock
        return (params.outChannels + block - 1) / block * block * params.inChannels * g.kernelVolume
    }

    /// Direct convolution for few input channels, with the epilogue applied as each output
    /// row is written.
    ///
    /// Work is split into units of one image's band of output rows: the band's input rows of
    /// every channel are copied once into a zero-padded, phase-split scratch
    /// (`DirectConvLayout`), then each block of 8 output channels sums all (channel, tap) pairs
    /// over the band's flat run of outputs with the 8 x 48 tile in registers
    /// (`AVX512Direct.accumulate` on CPUs with AVX-512), and the epilogue moves the sums to the
    /// output rows. Parallel over units. `avx512: false` runs the portable loops.
    static func direct(
        _ params: ConvParams, _ g: WindowGeometry, input: UnsafePointer<Float>,
        weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
        output: UnsafeMutablePointer<Float>, workspace: UnsafeMutablePointer<Float>,
        epilogue: ConvEpilogue, avx512: Bool = CPUFeatures.usesAVX512GEMM
    ) {
        let layout = DirectConvLayout(g, inChannels: params.inChannels)
        let block = AVX512Direct.channelBlock
        let taps = g.kernelVolume, pairs = params.inChannels * taps
        let blocks = (params.outChannels + block - 1) / block
        // Pack the weights: [block][pair][8].
        let packed = workspace
        for b in 0..<blocks {
            for p in 0..<pairs {
                for j in 0..<block {
                    let oc = b * block + j
                    packed[(b * pairs + p) * block + j] = oc < params.outChannels ? weight[oc * pairs + p] : 0
                }
            }
        }
        let vectorActivation: (Int, Float, Float)? = switch epilogue.activation {
        case .none: (0, 0, 0)
        case .relu: (1, 0, 0)
        case .clip(let low, let high): (2, low, high)
        default: nil
        }
        let outW = g.width.output, outH = g.height.output, outPlane = g.outputPlane
        let bands = layout.bandCount, sumsStride = layout.sumsStride
        let units = params.batch * bands
        layout.pairOffsets.withUnsafeBufferPointer { offsetBuffer in
            let offsets = offsetBuffer.baseAddress!
            Parallel.forEachChunk(count: units, minimumChunk: 1) { range in
                let buffer = GemmScratch.shared.take(layout.inputCount + block * sumsStride)
                defer { GemmScratch.shared.give(buffer) }
                let scratch = buffer.pointer
                let sums = scratch + layout.inputCount
                scratch.initialize(repeating: 0, count: layout.inputCount)
                for unit in range {
                    let image = unit / bands, bandStart = unit % bands * layout.bandRows
                    let rows = min(layout.bandRows, outH - bandStart)
                    layout.loadBand(input + image * params.inputCountPerImage, bandStart: bandStart,
                                    into: scratch, avx512: avx512)
                    let count = layout.flatCount(rows: rows)
                    for b in 0..<blocks {
                        let filters = UnsafePointer(packed + b * pairs * block)
                        if avx512 {
                            AVX512Direct.accumulate(base: scratch, offsets: offsets, pairCount: pairs,
                                                    weights: filters, count: count, sums: sums,
                                                    sumsStride: sumsStride)
                        } else {
                            accumulateDirectPairs(base: scratch, offsets: offsets, pairCount: pairs,
                                                  weights: filters, count: count, sums: sums,
                                                  sumsStride: sumsStride)
                        }
                        for j in 0..<min(block, params.outChannels - b * block) {
                            let oc = b * block + j
                            let start = (image * params.outChannels + oc) * outPlane + bandStart * outW
                            let channelSums = sums + j * sumsStride
                            let channelBias = bias?[oc] ?? 0
                            let residual = epilogue.residual.map { $0 + start }
                            if avx512, let (kind, low, high) = vectorActivation {
                                AVX512Direct.finishRows(
                                    sums: channelSums, sumsStride: layout.phaseWidth, width: outW, height: rows,
                                    output: output + start, bias: channelBias, residual: residual,
                                    kind: kind, low: low, high: high)
                                continue
                            }
                            for r in 0..<rows {
                                epilogue.apply(channelSums + r * layout.phaseWidth, bias: channelBias,
                                               residual: residual.map { $0 + r * outW },
                                               to: output + start + r * outW, count: outW)
                            }
                        }
                    }
                }
            }
        }
    }

    /// Portable `AVX512Direct.accumulate` for exactly `count` outputs: blocks of 64 outputs
    /// stay in L1 while the pairs are added in order.
    static func accumulateDirectPairs(
        base: UnsafePointer<Float>, offsets: UnsafePointer<Int>, pairCount: Int,
        weights: UnsafePointer<Float>, count: Int, sums: UnsafeMutablePointer<Float>, sumsStride: Int
    ) {
        let block = AVX512Direct.channelBlock
        var start = 0
        while start < count {
            let n = min(64, count - start)
            for j in 0..<block {
                let out = sums + j * sumsStride + start
                for i in 0..<n { out[i] = 0 }
                for p in 0..<pairCount {
                    let source = base + offsets[p] + start, w = weights[p * block + j]
                    for i in 0..<n { out[i] += w * source[i] }
                }
            }
            start += n
        }
    }
}

import KernelsAVX512

/// Strided convolutions (ResNet's downsampling 3x3 and 1x1 convs) on AVX-512 with output
/// channels in the vectors (`AVX512Broadcast`): input values of 8 output positions are
/// broadcast against 48 output channels' weights, so windows are read where they lie (from a
/// zero-padded copy of the input when the conv pads) instead of copied out by im2col, whose
/// short stride-2 rows cost a quarter of the im2col path's time.
extension Conv {
    /// Whether the broadcast kernel can run `p`: 2-D, one group, output channels in whole
    /// vectors of 16, on a CPU whose AVX-512 kernels are in use.
    static func broadcastApplies(to p: ConvParams) -> Bool {
        CPUFeatures.usesAVX512GEMM && p.rank == 2 && p.group == 1 && p.outChannels % 16 == 0 && p.outChannels > 0
    }

    /// Whether `algorithm(for:)` picks it before Winograd: strided convolutions with more input
    /// channels than the direct stem kernel takes, and 1x1 convolutions over deep inputs with
    /// few output positions (batch-1 late layers: ResNet50's 2048->512 @4x4 0.069 ms against
    /// the GEMM's 0.093; with 256 input channels or 784 positions the GEMM wins). Where
    /// Winograd does not apply, it also replaces im2col (512->512 3x3 @4x4, batch 1: 0.18 ms
    /// against 0.34).
    static func prefersBroadcast(_ p: ConvParams) -> Bool {
        guard broadcastApplies(to: p), p.inChannels > directMaxInChannels else { return false }
        let positions = p.batch * p.outSpatial.reduce(1, *)
        if p.strides.contains(where: { $0 > 1 }) { return !prefersSubsampleGemm(p) }
        return isPointwiseShape(p) && p.inChannels >= 512 && positions <= 256
    }

    /// A strided 1x1 convolution over few channels and many output positions: im2col is a
    /// cheap subsample there, and the GEMM stores whole vectors where the broadcast kernel
    /// transposes every tile (ResNet50's 256->512 downsample at batch 16, in the network:
    /// 2.1 against 2.7 ms; with 512 channels or at batch 1 the broadcast kernel wins).
    static func prefersSubsampleGemm(_ p: ConvParams) -> Bool {
        p.kernel.allSatisfy { $0 == 1 } && p.strides.contains { $0 > 1 } && p.inChannels < 512
            && p.batch * p.outSpatial.reduce(1, *) >= 1024
    }

    /// Where the broadcast kernel reads its input: the input itself, or a zero-padded copy
    /// that holds every window whole.
    struct BroadcastLayout {
        /// Rows and columns of each (padded) input plane.
        let height: Int, width: Int
        /// Whether the input must be copied into a zero-padded buffer first.
        let padded: Bool
        let channels: Int

        init(_ p: ConvParams, _ g: WindowGeometry) {
            let h = g.height, w = g.width
            let spanH = (h.output - 1) * h.stride + (h.kernel - 1) * h.dilation + 1
            let spanW = (w.output - 1) * w.stride + (w.kernel - 1) * w.dilation + 1
            padded = h.padBegin > 0 || w.padBegin > 0 || spanH > h.input || spanW > w.input
            height = padded ? spanH : h.input
            width = padded ? spanW : w.input
            channels = p.inChannels
        }

        var plane: Int { height * width }
        var perImage: Int { channels * plane }
    }

    /// Floats of workspace: the padded input (when padding) and, without prepacked weights,
    /// the weight panels.
    static func broadcastWorkspaceCount(_ p: ConvParams, _ g: WindowGeometry, packed: Bool) -> Int {
        let layout = BroadcastLayout(p, g)
        return (layout.padded ? p.batch * layout.perImage : 0) + (packed ? 0 : p.weightCount)
    }

    /// Packs `weight` `[Cout, Cin, kh, kw]` into panels of 48 output channels (the last one 16
    /// or 32 wide), each `Cin * kh * kw` rows of its width: row `ci * taps + tap`.
    static func packBroadcastWeights(_ p: ConvParams, _ weight: UnsafePointer<Float>, into packed: UnsafeMutablePointer<Float>) {
        let depth = p.weightCount / p.outChannels
        let panel = AVX512Broadcast.channelsPerPanel
        for first in stride(from: 0, to: p.outChannels, by: panel) {
            let width = min(panel, p.outChannels - first)
            let destination = packed + first * depth
            for c in 0..<width {
                let source = weight + (first + c) * depth
                for k in 0..<depth { destination[k * width + c] = source[k] }
            }
        }
    }

    /// The broadcast convolution with the epilogue applied as each tile is stored.
    static func broadcast(
        _ plan: Plan, input: UnsafePointer<Float>, weight: UnsafePointer<Float>, packed: PackedWeights?,
        bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>,
        workspace: UnsafeMutablePointer<Float>?, epilogue: ConvEpilogue
    ) {
        let p = plan.params, g = plan.geometry
        let layout = BroadcastLayout(p, g)
        let paddedInput = layout.padded ? workspace! : nil
        let panels: UnsafePointer<Float>
        if let packed, packed.storage.count == p.weightCount {
            panels = UnsafePointer(packed.storage.pointer)
        } else {
            let scratch = workspace! + (layout.padded ? p.batch * layout.perImage : 0)
            packBroadcastWeights(p, weight, into: scratch)
            panels = UnsafePointer(scratch)
        }
        let source = paddedInput.map { UnsafePointer($0) } ?? input
        let imageStride = layout.padded ? layout.perImage : p.inputCountPerImage
        let positions = g.outputPlane
        let panelCount = (p.outChannels + 47) / 48
        let depth = p.weightCount / p.outChannels
        // Panels taken together per pass over a thread's images: as many as keep their
        // weights within ~512 KB of L2, so each tile's inputs are read from L1 by all of them
        // (one panel per pass re-read the input from L3 for every panel: ResNet50's 256->512
        // 1x1 stride-2 conv at batch 16 ran at 280 GFLOPS in the network).
        let groupSize = max(1, (512 << 10) / (depth * 48 * MemoryLayout<Float>.stride))
        let groups = (panelCount + groupSize - 1) / groupSize
        let (code, ep, eq) = epilogue.activation.epilogueCode
        let tapCount = g.height.kernel * g.width.kernel
        func pad(images: Range<Int>) {
            guard let paddedInput else { return }
            for image in images {
                for channel in 0..<p.inChannels {
                    padPlane(g, layout, input + image * p.inputCountPerImage + channel * g.inputPlane,
                             into: paddedInput + image * layout.perImage + channel * layout.plane)
                }
            }
        }
        /// Output tile `tile` of the images from `firstImage` on, for weight panel `panel`:
        /// tiles run over the positions of consecutive images, so a 7x7 plane's 49th position
        /// shares a tile with the next image's first 7 (per image, 1 of its 7 tiles held one
        /// position: 12% of the work wasted).
        func compute(panel: Int, firstImage: Int, images: Int, tile: Int, scratch: UnsafeMutablePointer<Float>,
                     offsets: UnsafeMutablePointer<Int>, taps tapPointer: UnsafePointer<Int>) {
            let first = tile * 8
            let count = min(8, images * positions - first)
            for j in 0..<8 {
                let global = first + min(j, count - 1)
                let image = firstImage + global / positions, position = global % positions
                let oy = position / g.width.output, ox = position % g.width.output
                offsets[j] = image * imageStride + oy * g.height.stride * layout.width + ox * g.width.stride
            }
            let channel0 = panel * 48
            let width = min(48, p.outChannels - channel0)
            AVX512Broadcast.tile(vectors: width / 16, x: source, offsets: offsets,
                                 channels: p.inChannels, channelStride: layout.plane, taps: tapPointer, tapCount: tapCount,
                                 w: panels + channel0 * depth, into: scratch)
            // The tile's positions in one image, or in two (stored as two partial tiles).
            var lane = 0
            while lane < count {
                let global = first + lane
                let image = firstImage + global / positions, position = global % positions
                let run = min(count - lane, positions - position)
                let y = output + image * p.outputCountPerImage + channel0 * positions + position
                AVX512Broadcast.storeTile(scratch + lane * 48, channels: width, count: run, y: y, planeStride: positions,
                                          bias: bias.map { $0 + channel0 },
                                          residual: epilogue.residual.map { $0 + (y - output) },
                                          activation: code, p: ep, q: eq)
                lane += run
            }
        }
        // Tap offsets from a window's origin, in (padded) input floats (on the stack: no
        // allocation per run).
        withUnsafeTemporaryAllocation(of: Int.self, capacity: tapCount) { tapBuffer in
            let tapPointer = tapBuffer.baseAddress!
            for ky in 0..<g.height.kernel {
                for kx in 0..<g.width.kernel {
                    tapPointer[ky * g.width.kernel + kx] = ky * g.height.dilation * layout.width + kx * g.width.dilation
                }
            }
            func run(_ body: (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Int>) -> Void) {
                withUnsafeTemporaryAllocation(of: Float.self, capacity: 8 * 48) { scratch in
                    withUnsafeTemporaryAllocation(of: Int.self, capacity: 8) { offsets in
                        body(scratch.baseAddress!, offsets.baseAddress!)
                    }
                }
            }
            // Images to spare: each thread pads and convolves its own images, every panel,
            // so nothing crosses cores (see `Winograd.Tiling.slots`); otherwise panels and
            // tiles are shared out (each thread then streams only its panels' weights).
            let slots = min(Parallel.threadCount, 4)
            if slots > 1, p.batch >= 2 * slots {
                Parallel.forEachChunk(count: slots) { range in
                    for slot in range {
                        let images = p.batch * slot / slots ..< p.batch * (slot + 1) / slots
                        pad(images: images)
                        let tiles = (images.count * positions + 7) / 8
                        run { scratch, offsets in
                            for group in 0..<groups {
                                let panels = group * groupSize ..< min(panelCount, (group + 1) * groupSize)
                                for tile in 0..<tiles {
                                    for panel in panels {
                                        compute(panel: panel, firstImage: images.lowerBound, images: images.count,
                                                tile: tile, scratch: scratch, offsets: offsets, taps: tapPointer)
                                    }
                                }
                            }
                        }
                    }
                }
                return
            }
            Parallel.forEachChunk(count: p.batch) { pad(images: $0) }
            // (panel, image, tile) items, panel-major: each thread streams only its panels'
            // weights (batch 1: the weights are most of the traffic).
            let tiles = (p.batch * positions + 7) / 8
            let items = panelCount * tiles
            Parallel.forEachChunk(count: items, minimumChunk: max(1, 4096 / max(1, depth))) { range in
                run { scratch, offsets in
                    for item in range {
                        compute(panel: item / tiles, firstImage: 0, images: p.batch, tile: item % tiles,
                                scratch: scratch, offsets: offsets, taps: tapPointer)
                    }
                }
            }
        }
    }

    /// Copies one input plane into its zero-padded place (`layout.height x layout.width`).
    private static func padPlane(_ g: WindowGeometry, _ layout: BroadcastLayout, _ plane: UnsafePointer<Float>,
                                 into destination: UnsafeMutablePointer<Float>) {
        let h = g.height, w = g.width
        let left = w.padBegin
        let columns = max(0, min(w.input, layout.width - left))
        for row in 0..<layout.height {
            let out = destination + row * layout.width
            let iy = row - h.padBegin
            guard iy >= 0, iy < h.input, columns > 0 else {
                out.update(repeating: 0, count: layout.width)
                continue
            }
            out.update(repeating: 0, count: left)
            (out + left).update(from: plane + iy * w.input, count: columns)
            (out + left + columns).update(repeating: 0, count: layout.width - left - columns)
        }
    }
}

import KernelsAVX512

/// Winograd convolution for 2-D 3x3, stride-1, dilation-1, single-group layers:
/// input tiles transformed to `V[xi][Cin][tiles]`, `alpha^2` GEMMs `M[xi] = U[xi] * V[xi]`
/// against pre-transformed weights `U[xi][Cout][Cin]`, then the output transform with the
/// conv epilogue fused into it. NCHW in and out.
enum Winograd {
    /// Tile geometry and scratch sizes for one plan and variant. Work is chunked by rows of
    /// tiles across the whole batch, so a chunk can span images (small late layers) or cover
    /// part of one image (large early layers), keeping the transformed data near cache size.
    struct Tiling {
        let params: ConvParams
        /// Output tile edge (2 or 4).
        let m: Int
        let alpha: Int
        let tilesHigh: Int
        let tilesWide: Int
        /// Rows of tiles transformed and multiplied together.
        let tileRowsPerChunk: Int

        /// Tiles whose GEMMs are wide enough; more columns gain little.
        static let tileTarget = 1024
        /// Bound on the transformed input and products of one chunk, in floats (8 MB), raised
        /// up to `largeWorkspaceLimit` for layers with large transformed weights: every chunk
        /// streams all `alpha^2 x Cin x Cout` of them, so small chunks make wide layers
        /// memory-bound (VGG16 512->512 @14x14 b16: 56 tiles per chunk, the weights read 5 times).
        static let workspaceLimit = 2 << 20
        /// 32 MB; the planner places this scratch where early, larger activations were.
        static let largeWorkspaceLimit = 8 << 20

        init(_ params: ConvParams, outputTile m: Int) {
            self.params = params
            self.m = m
            alpha = m + 2
            let outH = params.outSpatial.count == 2 ? params.outSpatial[0] : 1
            let outW = params.outSpatial.last ?? 1
            tilesHigh = (outH + m - 1) / m
            tilesWide = (outW + m - 1) / m
            let perTileRow = alpha * alpha * (params.inChannels + params.outChannels) * tilesWide
            let weights = alpha * alpha * params.inChannels * params.outChannels
            let limit = min(Tiling.largeWorkspaceLimit, max(Tiling.workspaceLimit, 2 * weights))
            let wanted = (Tiling.tileTarget + tilesWide - 1) / tilesWide
            tileRowsPerChunk = max(1, min(max(params.batch, 1) * tilesHigh, wanted,
                                          limit / max(perTileRow, 1)))
        }

        /// Transformed input plus products for one chunk (each point's plane padded, see
        /// `planePadding`), or for `maximumSlots` per-thread chunks that share its rows.
        var workspaceCount: Int {
            alpha * alpha * ((params.inChannels + params.outChannels) * tilesWide * tileRowsPerChunk
                             + 2 * Tiling.planePadding * Tiling.maximumSlots)
        }

        /// Scratch of one chunk of `rows` tile rows.
        func chunkWorkspaceCount(rows: Int) -> Int {
            alpha * alpha * ((params.inChannels + params.outChannels) * tilesWide * rows + 2 * Tiling.planePadding)
        }

        /// Most threads that run whole pipelines side by side (`forward`).
        static let maximumSlots = 4
        /// Tiles each thread needs before the layer is split into per-thread pipelines; below
        /// it, every pass is split across the threads instead (narrow per-thread GEMMs would
        /// each stream all of the transformed weights: a batch-1 layer).
        static let tilesPerSlot = 128

        /// Threads that each run a whole pipeline (transform, GEMMs, output) on their own tile
        /// rows, or 1 to split each pass across threads. Keeping a thread's tiles on that thread
        /// from input to output moves no data between cores inside the layer: on this VM the
        /// two cores were sometimes on different dies (a cache-line round trip of 360-410 ns
        /// against ~95), and the split passes then ran up to 60% slower.
        var slots: Int {
            let threads = Swift.min(Parallel.threadCount, Tiling.maximumSlots, tileRowsPerChunk)
            let tileRows = Swift.max(params.batch, 1) * tilesHigh
            guard threads > 1, tileRows >= 2 * threads, tileRows * tilesWide >= threads * Tiling.tilesPerSlot else {
                return 1
            }
            return threads
        }
        /// Floats between consecutive points' planes beyond the plane itself: without it a
        /// plane is often a multiple of 4 KB (128 channels x 224 tiles), so the 16 or 36 points
        /// of one tile land in the same cache set and the transforms thrash L1.
        static let planePadding = 16
        /// Transformed weights.
        var packedWeightCount: Int { alpha * alpha * params.outChannels * params.inChannels }
        /// Floats between points' matrices when the transformed weights are in GEMM panels.
        var panelStride: Int { AVX512Gemm.packedACount(m: params.outChannels, k: params.inChannels) }
        /// Transformed weights in the AVX-512 GEMM's panels (`transformWeightsIntoPanels`).
        var panelWeightCount: Int { alpha * alpha * panelStride }
    }

    /// Whether Winograd can compute `params` at all.
    static func applies(to p: ConvParams) -> Bool {
        p.rank == 2 && p.kernel == [3, 3] && p.strides == [1, 1] && p.dilations == [1, 1] && p.group == 1
    }

    /// The Winograd variant `Conv.algorithm(for:)` picks, or nil to use im2col. Chosen from
    /// kernel-bench runs with the vectorized transforms (VGG16 / ResNet50 at 112x112, batch 1
    /// and 16, one thread):
    /// - few channels (< 32), or outputs wider than 112: im2col;
    /// - F(4x4) (2.25 products per output against F(2x2)'s 4) whenever its per-point GEMMs are
    ///   wide enough: at least 64 tiles across the batch, or 16 when its transformed weights
    ///   (36 x Cin x Cout floats, streamed once per call) stay within 4 MB. Otherwise a narrow
    ///   GEMM streaming large weights is memory-bound (512->512 @4x4 b16: F(2x2) 3.5 ms,
    ///   F(4x4) 4.1; 256->256 @7x7 b1: F(2x2) 0.33, F(4x4) 0.55);
    /// - F(2x2) from 32 tiles, or on 7x7 and larger planes;
    /// - im2col for the rest (512->512 @4x4 b1: 0.51 ms against F(2x2)'s 1.0).
    static func preferred(for p: ConvParams) -> Conv.Algorithm? {
        guard applies(to: p), p.inChannels >= 32, p.outChannels >= 32 else { return nil }
        let outH = p.outSpatial[0], outW = p.outSpatial[1]
        if max(outH, outW) > 112 { return nil }
        let batch = max(1, p.batch)
        let tiles4 = batch * ((outH + 3) / 4) * ((outW + 3) / 4)
        let weightBytes4 = 36 * p.inChannels * p.outChannels * MemoryLayout<Float>.stride
        if tiles4 >= 64 || (tiles4 >= 16 && weightBytes4 <= 4 << 20) { return .winograd4 }
        let tiles2 = batch * ((outH + 1) / 2) * ((outW + 1) / 2)
        if tiles2 >= 32 || min(outH, outW) >= 7 { return .winograd2 }
        return nil
    }

    static func forward(
        _ plan: Conv.Plan, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        packed: Conv.PackedWeights?, bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>,
        workspace: UnsafeMutablePointer<Float>, epilogue: ConvEpilogue
    ) {
        let t = Tiling(plan.params, outputTile: plan.algorithm == .winograd2 ? 2 : 4)
        func run(_ u: UnsafePointer<Float>, panels: Bool = false) {
            if t.m == 2 {
                forward(WinogradF2.self, t, input: input, u: u, panels: panels, bias: bias, output: output,
                        workspace: workspace, epilogue: epilogue)
            } else {
                forward(WinogradF4.self, t, input: input, u: u, panels: panels, bias: bias, output: output,
                        workspace: workspace, epilogue: epilogue)
            }
        }
        // `PackedWeights` holds panels exactly when the AVX-512 GEMM runs.
        if let packed, CPUFeatures.usesAVX512GEMM, packed.storage.count == t.panelWeightCount {
            run(packed.storage.pointer, panels: true)
        } else if let packed, !CPUFeatures.usesAVX512GEMM, packed.storage.count == t.packedWeightCount {
            run(packed.storage.pointer)
        } else {
            let u = workspace + t.workspaceCount
            transformWeights(t, weight: weight, into: u)
            run(u)
        }
    }

    private static func forward<T: WinogradTransform>(
        _: T.Type, _ t: Tiling, input: UnsafePointer<Float>, u: UnsafePointer<Float>, panels: Bool,
        bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>,
        workspace: UnsafeMutablePointer<Float>, epilogue: ConvEpilogue
    ) {
        let tileRows = t.params.batch * t.tilesHigh
        let slots = t.slots
        guard slots > 1 else {
            pipeline(T.self, t, tileRows: 0..<tileRows, rowsPerChunk: t.tileRowsPerChunk, input: input, u: u,
                     panels: panels, bias: bias, output: output, workspace: workspace, epilogue: epilogue,
                     shared: true)
            return
        }
        // One pipeline per thread on its share of the tile rows (the passes' own parallel
        // regions then run on that thread alone), each in its own slice of the workspace.
        let rowsPerChunk = t.tileRowsPerChunk / slots
        let slice = t.chunkWorkspaceCount(rows: rowsPerChunk)
        Parallel.forEachChunk(count: slots) { range in
            for slot in range {
                let mine = tileRows * slot / slots ..< tileRows * (slot + 1) / slots
                pipeline(T.self, t, tileRows: mine, rowsPerChunk: rowsPerChunk, input: input, u: u, panels: panels,
                         bias: bias, output: output, workspace: workspace + slot * slice, epilogue: epilogue)
            }
        }
    }

    /// Transforms, multiplies and transforms back the tile rows `tileRows`, `rowsPerChunk` at a
    /// time, in `workspace` (`chunkWorkspaceCount(rows: rowsPerChunk)` floats). `shared`: this
    /// is the one pipeline all threads work on; its per-point GEMMs are then split by output
    /// channels (`sgemmBatch(splitRows:)`), as the output transform is.
    private static func pipeline<T: WinogradTransform>(
        _: T.Type, _ t: Tiling, tileRows: Range<Int>, rowsPerChunk: Int, input: UnsafePointer<Float>,
        u: UnsafePointer<Float>, panels: Bool, bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>,
        workspace: UnsafeMutablePointer<Float>, epilogue: ConvEpilogue, shared: Bool = false
    ) {
        let p = t.params
        let points = t.alpha * t.alpha
        let v = workspace
        let products = workspace + points * (p.inChannels * t.tilesWide * rowsPerChunk + Tiling.planePadding)
        let gathered = usesGatheredTransforms(t)
        var first = tileRows.lowerBound
        while first < tileRows.upperBound {
            let rows = first..<min(first + rowsPerChunk, tileRows.upperBound)
            let tiles = rows.count * t.tilesWide
            if gathered {
                transformInputGathered(T.self, t, input: input, tileRows: rows, into: v)
            } else {
                transformInput(T.self, t, input: input, tileRows: rows, into: v)
            }
            Gemm.sgemmBatch(count: points, transA: false, transB: false,
                            m: p.outChannels, n: tiles, k: p.inChannels, alpha: 1,
                            a: u, lda: p.inChannels, strideA: panels ? t.panelStride : p.outChannels * p.inChannels,
                            b: v, ldb: tiles, strideB: p.inChannels * tiles + Tiling.planePadding, beta: 0,
                            c: products, ldc: tiles, strideC: p.outChannels * tiles + Tiling.planePadding,
                            packedA: panels, splitRows: shared)
            if gathered {
                transformOutputGathered(T.self, t, products: products, tileRows: rows, bias: bias, output: output,
                                        epilogue: epilogue)
            } else {
                transformOutput(T.self, t, products: products, tileRows: rows, bias: bias,
                                output: output, epilogue: epilogue)
            }
            first = rows.upperBound
        }
    }

    /// `V[xi][channel][tile] = (B^T d B)[xi]` for every input tile `d` in `tileRows`
    /// (global rows of tiles: `image * tilesHigh + tileRow`).
    private static func transformInput<T: WinogradTransform>(
        _: T.Type, _ t: Tiling, input: UnsafePointer<Float>, tileRows: Range<Int>,
        into v: UnsafeMutablePointer<Float>
    ) {
        let p = t.params
        let alpha = T.alpha, m = T.m
        let inH = p.inSpatial[0], inW = p.inSpatial[1]
        let padTop = p.padsBegin[0], padLeft = p.padsBegin[1]
        // One band of `alpha` zero-padded input rows, wide enough for every tile's window
        // (and for the vector loads of the AVX-512 transforms).
        let vectorized = CPUFeatures.usesAVX512GEMM
        let bandW = vectorized ? AVX512Winograd.bandWidth(m: m, tilesWide: t.tilesWide) : t.tilesWide * m + 2
        let bandCount = alpha * bandW
        let tiles = tileRows.count * t.tilesWide
        let planeStride = p.inChannels * tiles + Tiling.planePadding
        Parallel.forEachChunk(count: p.inChannels * tileRows.count, minimumChunk: 4) { range in
            let extra = vectorized ? AVX512Winograd.inputScratchCount(m: m, bandWidth: bandW) : 2 * alpha * alpha
            let band = UnsafeMutablePointer<Float>.allocate(capacity: bandCount + extra)
            defer { band.deallocate() }
            band.initialize(repeating: 0, count: bandCount)
            let columns = band + bandCount
            let transformed = columns + alpha * alpha
            for item in range {
                let channel = item / tileRows.count
                let rowInChunk = item % tileRows.count
                let tileRow = tileRows.lowerBound + rowInChunk
                let image = tileRow / t.tilesHigh
                let top = (tileRow % t.tilesHigh) * m - padTop
                let plane = input + (image * p.inChannels + channel) * inH * inW
                for i in 0..<alpha {
                    let row = band + i * bandW
                    let ih = top + i
                    if ih >= 0, ih < inH {
                        (row + padLeft).update(from: plane + ih * inW, count: inW)
                    } else {
                        (row + padLeft).update(repeating: 0, count: inW)
                    }
                }
                var destination = v + channel * tiles + rowInChunk * t.tilesWide
                if vectorized {
                    AVX512Winograd.inputRow(m: m, band: band, bandWidth: bandW, tilesWide: t.tilesWide,
                                            v: destination, planeStride: planeStride, scratch: band + bandCount)
                    continue
                }
                for tw in 0..<t.tilesWide {
                    let d = band + tw * m
                    for j in 0..<alpha { T.input(d + j, bandW, columns + j, alpha) }
                    for i in 0..<alpha { T.input(columns + i * alpha, 1, transformed + i * alpha, 1) }
                    for xi in 0..<(alpha * alpha) { destination[xi * planeStride] = transformed[xi] }
                    destination += 1
                }
            }
        }
    }

    /// `output = act((A^T M A) + bias + residual)` for every tile in `tileRows`, the epilogue
    /// applied to each band of output rows right after it is written.
    private static func transformOutput<T: WinogradTransform>(
        _: T.Type, _ t: Tiling, products: UnsafePointer<Float>, tileRows: Range<Int>,
        bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>, epilogue: ConvEpilogue
    ) {
        let p = t.params
        let alpha = T.alpha, m = T.m
        let outH = p.outSpatial[0], outW = p.outSpatial[1]
        let tiles = tileRows.count * t.tilesWide
        let planeStride = p.outChannels * tiles + Tiling.planePadding
        Parallel.forEachChunk(count: p.outChannels * tileRows.count, minimumChunk: 4) { range in
            let vectorized = CPUFeatures.usesAVX512GEMM
            let scratch = UnsafeMutablePointer<Float>.allocate(
                capacity: max(3 * alpha * alpha, vectorized ? AVX512Winograd.outputScratchCount : 0))
            defer { scratch.deallocate() }
            let gathered = scratch, columns = scratch + alpha * alpha, tile = columns + alpha * alpha
            for item in range {
                let channel = item / tileRows.count
                let rowInChunk = item % tileRows.count
                let tileRow = tileRows.lowerBound + rowInChunk
                let image = tileRow / t.tilesHigh
                let top = (tileRow % t.tilesHigh) * m
                let rows = min(m, outH - top)
                let bandOffset = ((image * p.outChannels + channel) * outH + top) * outW
                let y = output + bandOffset
                var source = products + channel * tiles + rowInChunk * t.tilesWide
                if vectorized {
                    AVX512Winograd.outputRow(m: m, products: source, planeStride: planeStride, tilesWide: t.tilesWide,
                                             y: y, outW: outW, rows: rows, columns: outW, scratch: scratch)
                }
                for tw in 0..<(vectorized ? 0 : t.tilesWide) {
                    for xi in 0..<(alpha * alpha) { gathered[xi] = source[xi * planeStride] }
                    source += 1
                    for j in 0..<alpha { T.output(gathered + j, alpha, columns + j, alpha) }
                    for i in 0..<rows { T.output(columns + i * alpha, 1, tile + i * m, 1) }
                    let cols = min(m, outW - tw * m)
                    for i in 0..<rows {
                        (y + i * outW + tw * m).update(from: tile + i * m, count: cols)
                    }
                }
                epilogue.apply(y, bias: bias?[channel] ?? 0,
                               residual: epilogue.residual.map { $0 + bandOffset },
                               to: y, count: rows * outW)
            }
        }
    }
}

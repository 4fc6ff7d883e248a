/// Winograd convolution for 2-D 3x3, stride-1, dilation-1, single-group layers:
/// input tiles transformed to `V[xi][Cin][tiles]`, `alpha^2` GEMMs `M[xi] = U[xi] * V[xi]`
/// against pre-transformed weights `U[xi][Cout][Cin]`, then the output transform with the
/// conv epilogue fused into it. NCHW in and out.
enum Winograd {
    /// Tile geometry and scratch sizes for one plan and variant.
    struct Tiling {
        let params: ConvParams
        /// Output tile edge (2 or 4).
        let m: Int
        let alpha: Int
        let tilesHigh: Int
        let tilesWide: Int
        let imagesPerChunk: Int

        /// Tiles whose GEMMs are wide enough; folding more images in gains little.
        static let tileTarget = 1536
        /// Bound on the transformed input and products of one chunk, in floats (24 MB).
        static let workspaceLimit = 6 << 20

        init(_ params: ConvParams, outputTile m: Int) {
            self.params = params
            self.m = m
            alpha = m + 2
            let outH = params.outSpatial.count == 2 ? params.outSpatial[0] : 1
            let outW = params.outSpatial.last ?? 1
            tilesHigh = (outH + m - 1) / m
            tilesWide = (outW + m - 1) / m
            let perImage = alpha * alpha * (params.inChannels + params.outChannels) * tilesHigh * tilesWide
            let wanted = (Tiling.tileTarget + tilesHigh * tilesWide - 1) / (tilesHigh * tilesWide)
            imagesPerChunk = max(1, min(max(params.batch, 1), wanted, Tiling.workspaceLimit / max(perImage, 1)))
        }

        var tilesPerImage: Int { tilesHigh * tilesWide }
        /// Transformed input plus products for one chunk.
        var workspaceCount: Int {
            alpha * alpha * (params.inChannels + params.outChannels) * tilesPerImage * imagesPerChunk
        }
        /// Transformed weights.
        var packedWeightCount: Int { alpha * alpha * params.outChannels * params.inChannels }
    }

    /// Whether Winograd can compute `params` at all.
    static func applies(to p: ConvParams) -> Bool {
        p.rank == 2 && p.kernel == [3, 3] && p.strides == [1, 1] && p.dilations == [1, 1] && p.group == 1
    }

    /// The Winograd variant `Conv.algorithm(for:)` picks, or nil to use im2col (chosen with
    /// kernel-bench: transforms only pay off with enough channels to amortize them).
    static func preferred(for p: ConvParams) -> Conv.Algorithm? {
        guard applies(to: p), p.inChannels >= 32, p.outChannels >= 32 else { return nil }
        return .winograd4
    }

    static func forward(
        _ plan: Conv.Plan, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        packed: Conv.PackedWeights?, bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>,
        workspace: UnsafeMutablePointer<Float>, epilogue: ConvEpilogue
    ) {
        let t = Tiling(plan.params, outputTile: plan.algorithm == .winograd2 ? 2 : 4)
        func run(_ u: UnsafePointer<Float>) {
            if t.m == 2 {
                forward(WinogradF2.self, t, input: input, u: u, bias: bias, output: output,
                        workspace: workspace, epilogue: epilogue)
            } else {
                forward(WinogradF4.self, t, input: input, u: u, bias: bias, output: output,
                        workspace: workspace, epilogue: epilogue)
            }
        }
        if let packed, packed.values.count == t.packedWeightCount {
            packed.values.withUnsafeBufferPointer { run($0.baseAddress!) }
        } else {
            let u = workspace + t.workspaceCount
            transformWeights(t, weight: weight, into: u)
            run(u)
        }
    }

    private static func forward<T: WinogradTransform>(
        _: T.Type, _ t: Tiling, input: UnsafePointer<Float>, u: UnsafePointer<Float>,
        bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>,
        workspace: UnsafeMutablePointer<Float>, epilogue: ConvEpilogue
    ) {
        let p = t.params
        let points = t.alpha * t.alpha
        let v = workspace
        let products = workspace + points * p.inChannels * t.tilesPerImage * t.imagesPerChunk
        var first = 0
        while first < p.batch {
            let images = min(t.imagesPerChunk, p.batch - first)
            let tiles = images * t.tilesPerImage
            transformInput(T.self, t, input: input + first * p.inputCountPerImage, images: images, into: v)
            for xi in 0..<points {
                Gemm.sgemm(transA: false, transB: false, m: p.outChannels, n: tiles, k: p.inChannels,
                           alpha: 1, a: u + xi * p.outChannels * p.inChannels, lda: p.inChannels,
                           b: v + xi * p.inChannels * tiles, ldb: tiles, beta: 0,
                           c: products + xi * p.outChannels * tiles, ldc: tiles)
            }
            transformOutput(T.self, t, products: products, images: images, first: first, bias: bias,
                            output: output, epilogue: epilogue)
            first += images
        }
    }

    /// `V[xi][channel][tile] = (B^T d B)[xi]` for every input tile `d` of `images` images.
    private static func transformInput<T: WinogradTransform>(
        _: T.Type, _ t: Tiling, input: UnsafePointer<Float>, images: Int, into v: UnsafeMutablePointer<Float>
    ) {
        let p = t.params
        let alpha = T.alpha, m = T.m
        let inH = p.inSpatial[0], inW = p.inSpatial[1]
        let padTop = p.padsBegin[0], padLeft = p.padsBegin[1]
        // Zero-padded copy of one plane, large enough for every tile's full window.
        let paddedW = t.tilesWide * m + 2
        let paddedCount = (t.tilesHigh * m + 2) * paddedW
        let tiles = images * t.tilesPerImage
        let planeStride = p.inChannels * tiles
        Parallel.forEachChunk(count: images * p.inChannels) { range in
            let padded = UnsafeMutablePointer<Float>.allocate(capacity: paddedCount + 2 * alpha * alpha)
            defer { padded.deallocate() }
            padded.initialize(repeating: 0, count: paddedCount + 2 * alpha * alpha)
            let columns = padded + paddedCount
            let transformed = columns + alpha * alpha
            for plane in range {
                let image = plane / p.inChannels
                let channel = plane % p.inChannels
                let source = input + plane * inH * inW
                for ih in 0..<inH {
                    (padded + (ih + padTop) * paddedW + padLeft).update(from: source + ih * inW, count: inW)
                }
                var destination = v + channel * tiles + image * t.tilesPerImage
                for th in 0..<t.tilesHigh {
                    for tw in 0..<t.tilesWide {
                        let d = padded + th * m * paddedW + tw * m
                        for j in 0..<alpha { T.input(d + j, paddedW, columns + j, alpha) }
                        for i in 0..<alpha { T.input(columns + i * alpha, 1, transformed + i * alpha, 1) }
                        for xi in 0..<(alpha * alpha) { destination[xi * planeStride] = transformed[xi] }
                        destination += 1
                    }
                }
            }
        }
    }

    /// `output = act((A^T M A) + bias + residual)` for every tile, plane by plane.
    private static func transformOutput<T: WinogradTransform>(
        _: T.Type, _ t: Tiling, products: UnsafePointer<Float>, images: Int, first: Int,
        bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>, epilogue: ConvEpilogue
    ) {
        let p = t.params
        let alpha = T.alpha, m = T.m
        let outH = p.outSpatial[0], outW = p.outSpatial[1]
        let tiles = images * t.tilesPerImage
        let planeStride = p.outChannels * tiles
        Parallel.forEachChunk(count: images * p.outChannels) { range in
            let scratch = UnsafeMutablePointer<Float>.allocate(capacity: 3 * alpha * alpha)
            defer { scratch.deallocate() }
            let gathered = scratch, columns = scratch + alpha * alpha, tile = columns + alpha * alpha
            for plane in range {
                let image = plane / p.outChannels
                let channel = plane % p.outChannels
                let outIndex = (first + image) * p.outChannels + channel
                let y = output + outIndex * outH * outW
                var source = products + channel * tiles + image * t.tilesPerImage
                for th in 0..<t.tilesHigh {
                    for tw in 0..<t.tilesWide {
                        for xi in 0..<(alpha * alpha) { gathered[xi] = source[xi * planeStride] }
                        source += 1
                        for j in 0..<alpha { T.output(gathered + j, alpha, columns + j, alpha) }
                        for i in 0..<m { T.output(columns + i * alpha, 1, tile + i * m, 1) }
                        let rows = min(m, outH - th * m), cols = min(m, outW - tw * m)
                        for i in 0..<rows {
                            (y + (th * m + i) * outW + tw * m).update(from: tile + i * m, count: cols)
                        }
                    }
                }
                epilogue.apply(y, bias: bias?[channel] ?? 0,
                               residual: epilogue.residual.map { $0 + outIndex * outH * outW },
                               to: y, count: outH * outW)
            }
        }
    }
}

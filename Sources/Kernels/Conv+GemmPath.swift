extension Conv {
    /// Columns (images x positions) past which a wider GEMM gains little, so folding more
    /// images into one product stops there (measured with kernel-bench).
    static let foldColumnTarget = 1024
    /// Bound on the folded path's scratch (columns + products), in floats (16 MB).
    static let foldWorkspaceLimit = 4 << 20

    /// Images per GEMM for the im2col / pointwise paths: 1 when one image already gives a wide
    /// product (or for grouped convolutions), otherwise enough images to reach
    /// `foldColumnTarget` columns within `foldWorkspaceLimit`.
    static func imagesPerChunk(_ params: ConvParams, _ g: WindowGeometry) -> Int {
        let positions = g.outputPlane
        guard params.group == 1, params.batch > 1, positions < foldColumnTarget else { return 1 }
        let depth = params.inChannels * g.kernelVolume
        let perImage = (depth + params.outChannels) * positions
        let wanted = (foldColumnTarget + positions - 1) / positions
        let fits = foldWorkspaceLimit / max(perImage, 1)
        return max(1, min(params.batch, wanted, fits))
    }

    /// Scratch of the GEMM paths: the column matrix (not for an unfolded pointwise conv, whose
    /// input already is one) and, when folding, the `[outChannels, images * positions]` products.
    static func gemmWorkspaceCount(
        _ params: ConvParams, _ g: WindowGeometry, algorithm: Algorithm, images: Int
    ) -> Int {
        let width = g.outputPlane * images
        let columns = algorithm == .pointwise && images == 1 ? 0 : params.inChannels * g.kernelVolume * width
        let products = images > 1 ? params.outChannels * width : 0
        return columns + products
    }

    /// im2col / pointwise convolution with the epilogue fused into the last pass over the output:
    /// with AVX-512 (`segmented`) inside the GEMM's stores, otherwise (OpenBLAS) in a pass after
    /// each product, copying small images side by side first.
    static func gemmPath(
        _ plan: Plan, input: UnsafePointer<Float>, weight: UnsafePointer<Float>, packed: PackedWeights? = nil,
        bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>,
        workspace: UnsafeMutablePointer<Float>?, epilogue: ConvEpilogue,
        segmented: Bool = CPUFeatures.usesAVX512GEMM
    ) {
        let p = plan.params
        let g = plan.geometry
        if segmented, p.group == 1 {
            let packedA = packed.flatMap { $0.storage.count > 0 ? UnsafePointer($0.storage.pointer) : nil }
            segmentedGemmPath(plan, input: input, weight: weight, packedA: packedA, bias: bias, output: output,
                              workspace: workspace, epilogue: epilogue)
            return
        }
        if plan.imagesPerChunk > 1, let workspace {
            foldedGemm(plan, input: input, weight: weight, bias: bias, output: output,
                       workspace: workspace, epilogue: epilogue)
            return
        }
        let positions = g.outputPlane
        for image in 0..<p.batch {
            let x = input + image * p.inputCountPerImage
            let columns: UnsafePointer<Float>
            if plan.algorithm == .pointwise {
                columns = x
            } else {
                Im2Col.fill(geometry: g, channels: p.inChannels, image: x, columns: workspace!)
                columns = UnsafePointer(workspace!)
            }
            let y = output + image * p.outputCountPerImage
            gemmPerGroup(p, g, columns: columns, weight: weight, output: y)
            // Bias, residual and activation while this image's output is still in cache.
            if bias != nil || !epilogue.isIdentity {
                let residual = epilogue.residual.map { $0 + image * p.outputCountPerImage }
                Parallel.forEachChunk(count: p.outChannels, minimumChunk: max(1, 16_384 / positions)) { range in
                    for channel in range {
                        let row = y + channel * positions
                        epilogue.apply(row, bias: bias?[channel] ?? 0,
                                       residual: residual.map { $0 + channel * positions },
                                       to: row, count: positions)
                    }
                }
            }
        }
    }

    /// The AVX-512 path for one group: the output images are column segments of one product
    /// (`Gemm.avx512SegmentedSgemm`) with the epilogue in its final stores. A pointwise conv
    /// reads the input images in place, the whole batch in one GEMM; im2col fills the columns of
    /// `imagesPerChunk` images at a time. No products buffer, no pass after the GEMM. `packedA`:
    /// the weights as `PackedWeights` packed them for this plan, or nil to read `weight`.
    private static func segmentedGemmPath(
        _ plan: Plan, input: UnsafePointer<Float>, weight: UnsafePointer<Float>, packedA: UnsafePointer<Float>?,
        bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>,
        workspace: UnsafeMutablePointer<Float>?, epilogue: ConvEpilogue
    ) {
        let p = plan.params
        let g = plan.geometry
        let positions = g.outputPlane
        let depth = p.inChannels * g.kernelVolume
        let outputImages = Gemm.ColumnSegments(length: positions, stride: p.outputCountPerImage)
        if plan.algorithm == .pointwise {
            Gemm.avx512SegmentedSgemm(
                m: p.outChannels, n: p.batch * positions, k: depth, a: weight, lda: depth, packedA: packedA,
                b: input, ldb: positions,
                bSegments: Gemm.ColumnSegments(length: positions, stride: p.inputCountPerImage),
                c: output, ldc: positions, cSegments: outputImages, bias: bias, epilogue: epilogue)
            return
        }
        /// im2col and GEMM for images `range`, `perChunk` at a time, in `columns`.
        func run(_ range: Range<Int>, perChunk: Int, columns: UnsafeMutablePointer<Float>) {
            var first = range.lowerBound
            while first < range.upperBound {
                let images = min(perChunk, range.upperBound - first)
                let width = images * positions
                Im2Col.fill(geometry: g, channels: p.inChannels, images: images,
                            first: input + first * p.inputCountPerImage, imageStride: p.inputCountPerImage,
                            columns: columns, rowStride: width)
                var chunkEpilogue = epilogue
                chunkEpilogue.residual = epilogue.residual.map { $0 + first * p.outputCountPerImage }
                Gemm.avx512SegmentedSgemm(
                    m: p.outChannels, n: width, k: depth, a: weight, lda: depth, packedA: packedA,
                    b: columns, ldb: width, bSegments: .contiguous(width),
                    c: output + first * p.outputCountPerImage, ldc: positions, cSegments: outputImages,
                    bias: bias, epilogue: chunkEpilogue)
                first += images
            }
        }
        // With images to spare, each thread fills and multiplies its own images (its share of
        // the column buffer), so no column crosses cores (see `Winograd.Tiling.slots`); the
        // passes' own parallel regions then run on that thread alone. Not when that leaves
        // each thread a narrow product (ResNet50's last layers at batch 16: 8 images of 16
        // positions measured 6% slower than one product split by columns).
        let slots = min(Parallel.threadCount, plan.imagesPerChunk)
        guard slots > 1, p.batch >= 2 * slots, plan.imagesPerChunk / slots * positions >= 256 else {
            run(0..<p.batch, perChunk: plan.imagesPerChunk, columns: workspace!)
            return
        }
        let perChunk = plan.imagesPerChunk / slots
        Parallel.forEachChunk(count: slots) { range in
            for slot in range {
                run(p.batch * slot / slots ..< p.batch * (slot + 1) / slots, perChunk: perChunk,
                    columns: workspace! + slot * depth * perChunk * positions)
            }
        }
    }

    /// Several images per GEMM: columns `[depth, n * positions]`, products
    /// `[outChannels, n * positions]`, then one pass that scatters the products to NCHW with
    /// bias, residual and activation applied.
    private static func foldedGemm(
        _ plan: Plan, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>,
        workspace: UnsafeMutablePointer<Float>, epilogue: ConvEpilogue
    ) {
        let p = plan.params
        let g = plan.geometry
        let positions = g.outputPlane
        let depth = p.inChannels * g.kernelVolume
        let columns = workspace
        let products = workspace + depth * positions * plan.imagesPerChunk
        let rowsPerThread = max(1, 16_384 / positions)
        var first = 0
        while first < p.batch {
            let images = min(plan.imagesPerChunk, p.batch - first)
            let width = images * positions
            if plan.algorithm == .pointwise {
                Parallel.forEachChunk(count: images * depth, minimumChunk: rowsPerThread) { range in
                    for row in range {
                        let image = row / depth
                        let channel = row % depth
                        (columns + channel * width + image * positions).update(
                            from: input + (first + image) * p.inputCountPerImage + channel * positions,
                            count: positions)
                    }
                }
            } else {
                Im2Col.fill(geometry: g, channels: p.inChannels, images: images,
                            first: input + first * p.inputCountPerImage, imageStride: p.inputCountPerImage,
                            columns: columns, rowStride: width)
            }
            Gemm.sgemm(transA: false, transB: false, m: p.outChannels, n: width, k: depth, alpha: 1,
                       a: weight, lda: depth, b: columns, ldb: width, beta: 0, c: products, ldc: width)
            Parallel.forEachChunk(count: images * p.outChannels, minimumChunk: rowsPerThread) { range in
                for row in range {
                    let image = row / p.outChannels
                    let channel = row % p.outChannels
                    let offset = (first + image) * p.outputCountPerImage + channel * positions
                    epilogue.apply(products + channel * width + image * positions,
                                   bias: bias?[channel] ?? 0,
                                   residual: epilogue.residual.map { $0 + offset },
                                   to: output + offset, count: positions)
                }
            }
            first += images
        }
    }

    /// `output_g[Cout/G, P] = weight_g[Cout/G, Cin/G * k] * columns_g[Cin/G * k, P]` for one
    /// image. Runs on the calling thread so OpenBLAS can thread each product.
    private static func gemmPerGroup(
        _ params: ConvParams, _ geometry: WindowGeometry, columns: UnsafePointer<Float>,
        weight: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>
    ) {
        let (rows, depth, positions) = groupGemmShape(params, geometry)
        for group in 0..<params.group {
            Gemm.sgemm(
                transA: false, transB: false, m: rows, n: positions, k: depth, alpha: 1,
                a: weight + group * rows * depth, lda: depth,
                b: columns + group * depth * positions, ldb: positions,
                beta: 0, c: output + group * rows * positions, ldc: positions)
        }
    }
}

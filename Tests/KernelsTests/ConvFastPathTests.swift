import Foundation
import Testing
@testable import Kernels

/// Runs a plan (optionally forced to `algorithm`, optionally with packed weights) with the
/// given epilogue and returns the worst error relative to `max(1, max|expected|)`.
private func fusedError(
    _ p: ConvParams, algorithm: Conv.Algorithm? = nil, expecting expected: Conv.Algorithm? = nil,
    residual withResidual: Bool = false, activation: FusedActivation = .none, packed: Bool = false,
    copyingGemm: Bool = false, seed: UInt64 = 7
) throws -> Double {
    let plan = try algorithm.map { try Conv.Plan(p, algorithm: $0) } ?? Conv.Plan(p)
    if let expected { #expect(plan.algorithm == expected) }
    let input = KernelTestData.random(p.batch * p.inputCountPerImage, seed: seed)
    let weight = KernelTestData.random(p.weightCount, seed: seed + 1).map { $0 * 0.5 }
    let bias = KernelTestData.random(p.outChannels, seed: seed + 2)
    let residual = withResidual ? KernelTestData.random(p.batch * p.outputCountPerImage, seed: seed + 3) : nil
    var output = [Float](repeating: .nan, count: p.batch * p.outputCountPerImage)
    let packedWeights = packed ? Conv.PackedWeights(plan, weight: weight) : nil
    var workspace = [Float](repeating: .nan, count: packed ? plan.packedWorkspaceCount : plan.workspaceCount)
    try workspace.withUnsafeMutableBufferPointer { scratch in
        try output.withUnsafeMutableBufferPointer { y in
            try (residual ?? []).withUnsafeBufferPointer { r in
                let epilogue = ConvEpilogue(residual: withResidual ? r.baseAddress : nil, activation: activation)
                if copyingGemm {
                    Conv.gemmPath(plan, input: input, weight: weight, bias: bias, output: y.baseAddress!,
                                  workspace: scratch.baseAddress, epilogue: epilogue, segmented: false)
                } else {
                    try Conv.forward(plan, input: input, weight: weight, packed: packedWeights, bias: bias,
                                     output: y.baseAddress!, workspace: scratch.baseAddress, epilogue: epilogue)
                }
            }
        }
    }
    let reference = referenceFusedConvolution(p, input: input, weight: weight, bias: bias, residual: residual,
                                   activation: activation)
    return worstScaledError(output, reference)
}

private func conv2D(batch: Int, _ cin: Int, _ cout: Int, _ h: Int, _ w: Int, kernel: Int, stride: Int = 1,
                    pads: (Int, Int) = (0, 0), group: Int = 1) -> ConvParams {
    ConvParams(batch: batch, inChannels: cin, outChannels: cout, group: group, inSpatial: [h, w],
               kernel: [kernel, kernel], strides: [stride, stride],
               padsBegin: [pads.0, pads.0], padsEnd: [pads.1, pads.1])
}

private let activations: [FusedActivation] = [
    .none, .relu, .clip(min: 0, max: 0.5), .sigmoid, .swish, .leakyRelu(alpha: 0.1),
    .hardSigmoid(alpha: 0.2, beta: 0.5),
]

@Suite("Conv fast paths: batch folding, Winograd, depthwise, fused epilogue")
struct ConvFastPathTests {
    @Test("Winograd F(2x2) and F(4x4) match direct convolution on odd sizes and paddings",
          arguments: [Conv.Algorithm.winograd2, .winograd4])
    func winograd(algorithm: Conv.Algorithm) throws {
        // (10x28 and 9x17: one group of 16 tiles per row and rows of 16 outputs or more, whose
        // vector stores run into the next output row before it is written.)
        for (h, w, pads) in [(7, 5, (1, 1)), (9, 6, (0, 0)), (5, 8, (1, 0)), (4, 4, (2, 2)), (3, 3, (0, 0)),
                             (10, 28, (1, 1)), (9, 17, (1, 1))] {
            let p = conv2D(batch: 3, 8, 6, h, w, kernel: 3, pads: pads)
            #expect(try fusedError(p, algorithm: algorithm) < KernelTestData.tolerance, "\(h)x\(w) pads \(pads)")
        }
        // Wide enough that chunks of tile rows end mid-image and span image boundaries.
        let wide = conv2D(batch: 3, 2, 3, 60, 130, kernel: 3, pads: (1, 1))
        let tiling = Winograd.Tiling(wide, outputTile: algorithm == .winograd2 ? 2 : 4)
        #expect(tiling.tileRowsPerChunk < 3 * tiling.tilesHigh)
        // Large enough for per-thread pipelines, whose shares also end mid-image.
        let threads = ProcessInfo.processInfo.activeProcessorCount
        #expect(threads < 2 || tiling.slots > 1)
        #expect(try fusedError(wide, algorithm: algorithm, residual: true, activation: .relu) < KernelTestData.tolerance)
    }

    @Test("Winograd on planes of at most two tiles per row: transforms across 16 tiles of any rows and images",
          arguments: [Conv.Algorithm.winograd2, .winograd4])
    func winogradGatheredTransforms(algorithm: Conv.Algorithm) throws {
        let m = algorithm == .winograd2 ? 2 : 4
        // ResNet's 7x7 and 4x4 planes (20 tiles: a full group and a partial one), a tall
        // plane, and asymmetric padding; packed weights, residual and each activation kind.
        // (F(2x2) has 4 tiles per row on the 7x7 and 5x8 planes: the row-wise transforms.)
        let cases = [(conv2D(batch: 5, 24, 40, 7, 7, kernel: 3, pads: (1, 1)), m == 4),
                     (conv2D(batch: 5, 16, 16, 4, 4, kernel: 3, pads: (1, 1)), true),
                     (conv2D(batch: 2, 8, 8, 21, 3, kernel: 3, pads: (1, 1)), true),
                     (conv2D(batch: 3, 8, 6, 5, 8, kernel: 3, pads: (1, 0)), m == 4)]
        for (index, (p, gathered)) in cases.enumerated() {
            #expect(Winograd.usesGatheredTransforms(Winograd.Tiling(p, outputTile: m))
                    == (gathered && CPUFeatures.usesAVX512GEMM))
            let activation = activations[index % activations.count]
            #expect(try fusedError(p, algorithm: algorithm, residual: index % 2 == 0, activation: activation,
                                   packed: index < 2) < KernelTestData.tolerance, "case \(index)")
        }
        // Enough tiles for per-thread pipelines, whose shares (65 tile rows each) end mid-image.
        let split = conv2D(batch: 65, 4, 4, 7, 7, kernel: 3, pads: (1, 1))
        let tiling = Winograd.Tiling(split, outputTile: 4)
        #expect(ProcessInfo.processInfo.activeProcessorCount < 2 || algorithm == .winograd2 || tiling.slots == 2)
        #expect(try fusedError(split, algorithm: algorithm, residual: true, activation: .relu) < KernelTestData.tolerance)
    }

    @Test("F(4x4) stays within tolerance with 128 input channels of realistic magnitude")
    func winogradAccuracyWithManyChannels() throws {
        let p = conv2D(batch: 1, 128, 8, 9, 9, kernel: 3, pads: (1, 1))
        #expect(try fusedError(p, algorithm: .winograd4) < KernelTestData.tolerance)
    }

    @Test("Winograd with packed weights, residual and activation; default choice for wide 3x3 layers")
    func winogradPackedFused() throws {
        let p = conv2D(batch: 2, 32, 40, 8, 9, kernel: 3, pads: (1, 1))
        #expect(try fusedError(p, expecting: .winograd2, residual: true, activation: .relu, packed: true)
                < KernelTestData.tolerance)
        #expect(try fusedError(p, algorithm: .winograd4, residual: true, activation: .swish, packed: true)
                < KernelTestData.tolerance)
        // 13 output channels and 300 input channels: a zero-padded last panel, two depth blocks.
        let ragged = conv2D(batch: 1, 300, 13, 6, 5, kernel: 3, pads: (1, 1))
        for algorithm in [Conv.Algorithm.winograd2, .winograd4] {
            #expect(try fusedError(ragged, algorithm: algorithm, residual: true, activation: .relu, packed: true)
                    < KernelTestData.tolerance, "\(algorithm)")
        }
        // The measured choice: F(4x4) when its GEMMs are wide enough for its weights, F(2x2)
        // on other planes of 7x7 or more (or enough tiles); tiny single images and outputs
        // wider than 112 take the broadcast kernel on AVX-512, im2col otherwise.
        let direct: Conv.Algorithm = CPUFeatures.usesAVX512GEMM ? .broadcast : .im2col
        #expect(Conv.algorithm(for: conv2D(batch: 16, 256, 256, 7, 7, kernel: 3, pads: (1, 1))) == .winograd4)
        #expect(Conv.algorithm(for: conv2D(batch: 1, 256, 256, 7, 7, kernel: 3, pads: (1, 1))) == .winograd2)
        #expect(Conv.algorithm(for: conv2D(batch: 1, 128, 128, 14, 14, kernel: 3, pads: (1, 1))) == .winograd4)
        #expect(Conv.algorithm(for: conv2D(batch: 1, 512, 512, 14, 14, kernel: 3, pads: (1, 1))) == .winograd2)
        #expect(Conv.algorithm(for: conv2D(batch: 1, 64, 64, 28, 28, kernel: 3, pads: (1, 1))) == .winograd4)
        #expect(Conv.algorithm(for: conv2D(batch: 1, 512, 512, 4, 4, kernel: 3, pads: (1, 1))) == direct)
        #expect(Conv.algorithm(for: conv2D(batch: 16, 512, 512, 4, 4, kernel: 3, pads: (1, 1))) == .winograd2)
        #expect(Conv.algorithm(for: conv2D(batch: 1, 64, 64, 112, 112, kernel: 3, pads: (1, 1))) == .winograd4)
        #expect(Conv.algorithm(for: conv2D(batch: 1, 64, 64, 224, 224, kernel: 3, pads: (1, 1))) == direct)
        let plan = try Conv.Plan(p)
        #expect(plan.packedWorkspaceCount < plan.workspaceCount)
        let narrow = conv2D(batch: 1, 3, 40, 6, 7, kernel: 3, pads: (1, 1))
        #expect(Conv.algorithm(for: narrow) == (CPUFeatures.usesAVX512GEMM ? .direct : .im2col))
        #expect(throws: KernelParameterError.self) { try Conv.Plan(conv2D(batch: 1, 4, 4, 6, 6, kernel: 3, stride: 2), algorithm: .winograd4) }
    }

    @Test("batch folded into one GEMM, with a last chunk smaller than the others",
          arguments: [1, 3])
    func foldedBatch(kernel: Int) throws {
        // 15x20 = 300 positions: 4 images per GEMM reach the fold target, so batch 5 runs 4 + 1.
        let p = conv2D(batch: 5, 3, 4, 15 + kernel - 1, 20 + kernel - 1, kernel: kernel)
        let gemmPath: Conv.Algorithm = kernel == 1 ? .pointwise : .im2col
        let plan = try Conv.Plan(p, algorithm: gemmPath)
        #expect(plan.imagesPerChunk == 4)
        #expect(try fusedError(p, algorithm: gemmPath, expecting: gemmPath, residual: true,
                               activation: .relu) < KernelTestData.tolerance)
        let unfolded = conv2D(batch: 1, 3, 4, 15, 20, kernel: 1)
        #expect(try Conv.Plan(unfolded).imagesPerChunk == 1)
    }

    @Test("GEMM paths at batch 1, 2 and 16: planes of 16, 49 and 30 positions, strided 1x1, 3x3 and 7x7",
          arguments: [1, 2, 16])
    func gemmPathsAcrossBatches(batch: Int) throws {
        let shapes: [(ConvParams, Conv.Algorithm)] = [
            (conv2D(batch: batch, 5, 8, 4, 4, kernel: 1), .pointwise),
            (conv2D(batch: batch, 6, 12, 7, 7, kernel: 1), .pointwise),
            (conv2D(batch: batch, 3, 16, 5, 6, kernel: 1), .pointwise),
            (conv2D(batch: batch, 6, 8, 8, 8, kernel: 1, stride: 2), .im2col),
            (conv2D(batch: batch, 4, 8, 9, 9, kernel: 3, stride: 2, pads: (1, 1)), .im2col),
            (conv2D(batch: batch, 3, 8, 14, 14, kernel: 7, stride: 2, pads: (3, 3)), .im2col),
            // Stride-2 rows of 18 and 19 outputs: a 16-output vector gather, then single ones.
            (conv2D(batch: batch, 5, 8, 37, 35, kernel: 3, stride: 2, pads: (1, 1)), .im2col),
        ]
        // The copying path is what OpenBLAS machines run; the segmented one needs AVX-512.
        let paths = CPUFeatures.usesAVX512GEMM ? [false, true] : [true]
        for (p, algorithm) in shapes {
            for copying in paths {
                #expect(try fusedError(p, algorithm: algorithm, expecting: algorithm, residual: true,
                                       activation: .relu, copyingGemm: copying) < KernelTestData.tolerance,
                        "\(algorithm) \(p.inSpatial) batch \(batch) copying \(copying)")
            }
            #expect(try fusedError(p, algorithm: algorithm, expecting: algorithm,
                                   activation: .clip(min: 0, max: 0.5), seed: 11) < KernelTestData.tolerance)
            // Weights packed once into the AVX-512 GEMM's row panels, as a program does.
            #expect(try Conv.Plan(p, algorithm: algorithm).packsWeights == CPUFeatures.usesAVX512GEMM)
            #expect(try fusedError(p, algorithm: algorithm, expecting: algorithm, residual: true,
                                   activation: .relu, packed: true, seed: 12) < KernelTestData.tolerance,
                    "\(algorithm) \(p.inSpatial) batch \(batch) packed")
        }
    }

    @Test("with packed weights the AVX-512 GEMM paths read only the packed panels",
          .enabled(if: CPUFeatures.usesAVX512GEMM, "OpenBLAS machines read the weights as given"),
          arguments: [1, 3])
    func packedPanelsAreWhatRuns(kernel: Int) throws {
        // 20 output channels: two whole 8-row panels and a zero-padded one.
        let p = conv2D(batch: 3, 6, 20, 9, 9, kernel: kernel, stride: kernel == 3 ? 2 : 1,
                       pads: kernel == 3 ? (1, 1) : (0, 0))
        let plan = try Conv.Plan(p)
        #expect(plan.algorithm == (kernel == 1 ? .pointwise : .im2col))
        let input = KernelTestData.random(p.batch * p.inputCountPerImage, seed: 21)
        let weight = KernelTestData.random(p.weightCount, seed: 22)
        let packed = Conv.PackedWeights(plan, weight: weight)
        #expect(packed.storage.count == 24 * p.weightCount / 20)
        // The tensor the call names is all NaN: any read of it would show in the output.
        let poisoned = [Float](repeating: .nan, count: p.weightCount)
        var output = [Float](repeating: .nan, count: p.batch * p.outputCountPerImage)
        var workspace = [Float](repeating: .nan, count: max(1, plan.packedWorkspaceCount))
        try output.withUnsafeMutableBufferPointer { y in
            try workspace.withUnsafeMutableBufferPointer { w in
                try Conv.forward(plan, input: input, weight: poisoned, packed: packed, bias: nil,
                                 output: y.baseAddress!, workspace: w.baseAddress, epilogue: ConvEpilogue())
            }
        }
        let reference = referenceFusedConvolution(p, input: input, weight: weight, bias: nil, residual: nil,
                                                  activation: .none)
        #expect(worstScaledError(output, reference) < KernelTestData.tolerance)
    }

    @Test("the GEMM paths write over the residual when it is the output buffer; Winograd refuses",
          arguments: [1, 3, 4])
    func residualAsOutput(kernel: Int) throws {
        // K = 600 (three depth blocks) for the 1x1 case: partial sums accumulate onto the residual.
        // Argument 4: 32 output channels, so the strided conv runs the broadcast kernel.
        let p = kernel == 1 ? conv2D(batch: 2, 600, 20, 7, 7, kernel: 1)
            : kernel == 3 ? conv2D(batch: 3, 6, 20, 9, 9, kernel: 3, stride: 2, pads: (1, 1))
            : conv2D(batch: 4, 6, 32, 9, 9, kernel: 3, stride: 2, pads: (1, 1))
        let plan = try Conv.Plan(p)
        let winograd = try Conv.Plan(conv2D(batch: 1, 4, 4, 6, 6, kernel: 3, pads: (1, 1)), algorithm: .winograd2)
        #expect(!winograd.writesOverResidual)
        guard plan.writesOverResidual else {
            #expect(!CPUFeatures.usesAVX512GEMM)
            return
        }
        let input = KernelTestData.random(p.batch * p.inputCountPerImage, seed: 31)
        let weight = KernelTestData.random(p.weightCount, seed: 32).map { $0 * 0.1 }
        let bias = KernelTestData.random(p.outChannels, seed: 33)
        let residual = KernelTestData.random(p.batch * p.outputCountPerImage, seed: 34)
        let reference = referenceFusedConvolution(p, input: input, weight: weight, bias: bias, residual: residual,
                                                  activation: .relu)
        for packed in [false, true] {
            var output = residual
            var workspace = [Float](repeating: .nan, count: max(1, plan.workspaceCount))
            try output.withUnsafeMutableBufferPointer { y in
                try workspace.withUnsafeMutableBufferPointer { w in
                    try Conv.forward(plan, input: input, weight: weight,
                                     packed: packed ? Conv.PackedWeights(plan, weight: weight) : nil, bias: bias,
                                     output: y.baseAddress!, workspace: w.baseAddress,
                                     epilogue: ConvEpilogue(residual: UnsafePointer(y.baseAddress!), activation: .relu))
                }
            }
            #expect(worstScaledError(output, reference) < KernelTestData.tolerance, "packed \(packed)")
        }
    }

    @Test("broadcast kernel: strided windows, pads, dilation, partial tiles and panels, across batches",
          .enabled(if: CPUFeatures.usesAVX512GEMM, "the broadcast kernel needs AVX-512"),
          arguments: [1, 3, 8])
    func broadcastMatchesReference(batch: Int) throws {
        let dilated = ConvParams(batch: batch, inChannels: 6, outChannels: 32, group: 1, inSpatial: [13, 12],
                                 kernel: [3, 3], strides: [2, 2], dilations: [2, 2], padsBegin: [2, 1], padsEnd: [1, 2])
        let shapes: [ConvParams] = [
            conv2D(batch: batch, 8, 48, 9, 9, kernel: 3, stride: 2, pads: (1, 1)),     // 25 positions
            conv2D(batch: batch, 12, 80, 8, 8, kernel: 1, stride: 2),                  // panels 48 + 32
            conv2D(batch: batch, 5, 16, 11, 7, kernel: 5, stride: 3, pads: (2, 0)),    // 1 vector
            conv2D(batch: batch, 7, 96, 29, 31, kernel: 3, stride: 2, pads: (0, 1)),   // rows of 15-16
            dilated,
            conv2D(batch: batch, 20, 32, 7, 7, kernel: 1),                             // 1x1 stride 1, 49 positions
        ]
        for p in shapes {
            let plan = try Conv.Plan(p, algorithm: .broadcast)
            #expect(plan.writesOverResidual)
            for packed in [false, true] {
                #expect(try fusedError(p, algorithm: .broadcast, expecting: .broadcast, residual: true,
                                       activation: .relu, packed: packed, seed: 41) < KernelTestData.tolerance,
                        "\(p.inSpatial) k\(p.kernel) s\(p.strides) -> \(p.outChannels) packed \(packed)")
            }
            #expect(try fusedError(p, algorithm: .broadcast, activation: .clip(min: -0.3, max: 0.4), seed: 43)
                    < KernelTestData.tolerance)
        }
        // The planner's choice for a strided conv with more channels than a stem.
        #expect(Conv.algorithm(for: shapes[0]) == .broadcast)
        #expect(Conv.algorithm(for: conv2D(batch: batch, 3, 16, 9, 9, kernel: 3, stride: 2)) == .direct)
        // 1x1 stride 1: only deep inputs over at most 256 output positions (batch-1 late layers).
        #expect(Conv.algorithm(for: conv2D(batch: batch, 2048, 512, 4, 4, kernel: 1))
                == (batch * 16 <= 256 ? .broadcast : .pointwise))
        #expect(Conv.algorithm(for: conv2D(batch: batch, 256, 1024, 7, 7, kernel: 1)) == .pointwise)
        // A strided 1x1 over < 512 channels and >= 1024 output positions: the im2col subsample.
        #expect(Conv.algorithm(for: conv2D(batch: batch, 256, 512, 28, 28, kernel: 1, stride: 2))
                == (batch * 196 >= 1024 ? .im2col : .broadcast))
        #expect(Conv.algorithm(for: conv2D(batch: batch, 512, 1024, 14, 14, kernel: 1, stride: 2)) == .broadcast)
    }

    @Test("every activation, with and without residual, on each algorithm")
    func epilogueVariants() throws {
        let shapes: [(ConvParams, Conv.Algorithm)] = [
            (conv2D(batch: 2, 3, 4, 5, 6, kernel: 1), .pointwise),          // folded
            (conv2D(batch: 1, 3, 4, 40, 30, kernel: 1), .pointwise),        // per image
            (conv2D(batch: 2, 3, 4, 6, 5, kernel: 3, stride: 2, pads: (1, 1)), .im2col),
            (conv2D(batch: 2, 4, 4, 7, 6, kernel: 3, pads: (1, 1), group: 4), .depthwise),
            (conv2D(batch: 2, 4, 5, 6, 7, kernel: 3, pads: (1, 1)), .winograd4),
        ]
        for (p, algorithm) in shapes {
            for activation in activations {
                for residual in [false, true] {
                    #expect(try fusedError(p, algorithm: algorithm, residual: residual, activation: activation)
                            < KernelTestData.tolerance, "\(algorithm) \(activation) residual \(residual)")
                }
            }
        }
    }

    @Test("depthwise with strides 2 and 3, dilation, odd sizes and asymmetric pads")
    func depthwiseStrides() throws {
        for (stride, dilation) in [(2, 1), (3, 1), (2, 2), (1, 2)] {
            let p = ConvParams(batch: 2, inChannels: 3, outChannels: 6, group: 3, inSpatial: [11, 9],
                               kernel: [3, 3], strides: [stride, stride], dilations: [dilation, dilation],
                               padsBegin: [0, 1], padsEnd: [1, 2])
            #expect(try fusedError(p, expecting: .depthwise, residual: true, activation: .clip(min: 0, max: 6))
                    < KernelTestData.tolerance, "stride \(stride) dilation \(dilation)")
        }
    }

    @Test("Winograd without workspace, or with the residual as output, is rejected")
    func rejectsBadBuffers() throws {
        let p = conv2D(batch: 1, 32, 32, 4, 4, kernel: 3, pads: (1, 1))
        let plan = try Conv.Plan(p, algorithm: .winograd2)
        let data = [Float](repeating: 1, count: p.weightCount)
        var out = [Float](repeating: 0, count: p.outputCountPerImage)
        #expect { try Conv.forward(plan, input: data, weight: data, bias: nil, output: &out, workspace: nil) }
            throws: { ($0 as? KernelParameterError)?.field == "workspace" }
        _ = out.withUnsafeMutableBufferPointer { y in
            #expect { try Conv.forward(plan, input: data, weight: data, bias: nil, output: y.baseAddress!,
                                       workspace: nil, epilogue: ConvEpilogue(residual: UnsafePointer(y.baseAddress!))) }
                throws: { ($0 as? KernelParameterError)?.field == "residual" }
        }
    }
}

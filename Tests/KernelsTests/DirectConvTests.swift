import Testing
@testable import Kernels

/// Worst error of `Conv.direct` (AVX-512 kernels or the portable loops) against the naive
/// reference, relative to the largest reference magnitude (at least 1).
private func directError(
    _ p: ConvParams, avx512: Bool, residual withResidual: Bool = false,
    activation: FusedActivation = .none, seed: UInt64 = 5
) throws -> Double {
    let plan = try Conv.Plan(p, algorithm: .direct)
    let input = KernelTestData.random(p.batch * p.inputCountPerImage, seed: seed)
    let weight = KernelTestData.random(p.weightCount, seed: seed + 1)
    let bias = KernelTestData.random(p.outChannels, seed: seed + 2)
    let residual = withResidual ? KernelTestData.random(p.batch * p.outputCountPerImage, seed: seed + 3) : nil
    var output = [Float](repeating: .nan, count: p.batch * p.outputCountPerImage)
    var workspace = [Float](repeating: .nan, count: plan.workspaceCount)
    output.withUnsafeMutableBufferPointer { y in
        workspace.withUnsafeMutableBufferPointer { w in
            (residual ?? []).withUnsafeBufferPointer { r in
                Conv.direct(p, plan.geometry, input: input, weight: weight, bias: bias,
                            output: y.baseAddress!, workspace: w.baseAddress!,
                            epilogue: ConvEpilogue(residual: withResidual ? r.baseAddress : nil,
                                                   activation: activation),
                            avx512: avx512)
            }
        }
    }
    let reference = referenceFusedConvolution(p, input: input, weight: weight, bias: bias, residual: residual,
                              activation: activation)
    return worstScaledError(output, reference)
}

private func conv2D(batch: Int = 1, inChannels: Int = 3, outChannels: Int = 8, height: Int, width: Int,
                    kernel: Int = 3, stride: Int = 1, dilation: Int = 1, pads: ([Int], [Int])) -> ConvParams {
    ConvParams(batch: batch, inChannels: inChannels, outChannels: outChannels, inSpatial: [height, width],
               kernel: [kernel, kernel], strides: [stride, stride], dilations: [dilation, dilation],
               padsBegin: pads.0, padsEnd: pads.1)
}

/// The kernels to pin: the portable loops always, the AVX-512 ones where the CPU has them.
private let kernelChoices: [Bool] = CPUFeatures.hasAVX512F ? [false, true] : [false]

private let tolerance = 1e-5

@Suite("Direct convolution for few input channels against a naive reference")
struct DirectConvTests {
    @Test("kernels 3 and 7, strides 1 and 2, pads none / symmetric / asymmetric, odd sizes",
          arguments: kernelChoices)
    func shapes(avx512: Bool) throws {
        for kernel in [3, 7] {
            for stride in [1, 2] {
                let half = kernel / 2
                let pads: [([Int], [Int])] = [([0, 0], [0, 0]), ([half, half], [half, half]),
                                              ([half, 0], [0, half + 1])]
                for (height, width) in [(9, 9), (13, 7), (8, 21)] {
                    for pad in pads {
                        let p = conv2D(height: height, width: width, kernel: kernel, stride: stride, pads: pad)
                        guard p.outSpatial.allSatisfy({ $0 > 0 }) else { continue }
                        #expect(try directError(p, avx512: avx512, activation: .clip(min: 0, max: 6)) < tolerance,
                                "kernel \(kernel) stride \(stride) \(height)x\(width) pads \(pad)")
                    }
                }
            }
        }
    }

    @Test("1, 3 and 4 input channels; output channels not a multiple of 8; batches 1 and 3",
          arguments: kernelChoices)
    func channelsAndBatches(avx512: Bool) throws {
        for inChannels in [1, 3, 4] {
            for outChannels in [1, 8, 13] {
                for batch in [1, 3] {
                    let p = conv2D(batch: batch, inChannels: inChannels, outChannels: outChannels,
                                   height: 11, width: 17, stride: 2, pads: ([1, 1], [1, 1]))
                    #expect(try directError(p, avx512: avx512, residual: true, activation: .relu) < tolerance,
                            "in \(inChannels) out \(outChannels) batch \(batch)")
                }
            }
        }
    }

    @Test("every epilogue: none, ReLU, clip, sigmoid, with and without a residual", arguments: kernelChoices)
    func epilogues(avx512: Bool) throws {
        let activations: [FusedActivation] = [.none, .relu, .clip(min: -0.5, max: 0.5), .sigmoid]
        for stride in [1, 2] {
            let p = conv2D(batch: 2, height: 10, width: 19, stride: stride, pads: ([1, 1], [1, 1]))
            for activation in activations {
                for residual in [false, true] {
                    #expect(try directError(p, avx512: avx512, residual: residual, activation: activation) < tolerance,
                            "stride \(stride) \(activation) residual \(residual)")
                }
            }
        }
    }

    @Test("planes split into several bands, the last one partial; stride 3, dilation 2, 1-D",
          arguments: kernelChoices)
    func bandsAndOtherGeometry(avx512: Bool) throws {
        // A ResNet-like stem: 7x7 stride 2 over 70x70 runs as several bands of output rows.
        let stem = conv2D(batch: 2, outChannels: 16, height: 70, width: 70, kernel: 7, stride: 2,
                          pads: ([3, 3], [3, 3]))
        let layout = DirectConvLayout(try Conv.Plan(stem, algorithm: .direct).geometry, inChannels: 3)
        #expect(layout.bandCount > 2 && stem.outSpatial[0] % layout.bandRows != 0)
        #expect(try directError(stem, avx512: avx512, residual: true, activation: .relu) < tolerance)
        let others = [
            conv2D(height: 14, width: 16, stride: 3, pads: ([1, 0], [1, 1])),
            conv2D(height: 13, width: 15, dilation: 2, pads: ([2, 1], [2, 2])),
            ConvParams(batch: 2, inChannels: 2, outChannels: 9, inSpatial: [37], kernel: [5], strides: [2],
                       padsBegin: [2], padsEnd: [1]),
        ]
        for p in others {
            #expect(try directError(p, avx512: avx512, activation: .clip(min: 0, max: 6)) < tolerance, "\(p)")
        }
    }

    @Test("chosen for stems on AVX-512 CPUs, never for pointwise, grouped or wide-input convs")
    func choice() {
        let stem = conv2D(batch: 16, outChannels: 64, height: 112, width: 112, kernel: 7, stride: 2,
                          pads: ([3, 3], [3, 3]))
        #expect(Conv.algorithm(for: stem) == (CPUFeatures.usesAVX512GEMM ? .direct : .im2col))
        #expect(Conv.supports(.direct, stem))
        #expect(!Conv.supports(.direct, conv2D(inChannels: 3, height: 8, width: 8, kernel: 1, pads: ([0, 0], [0, 0]))))
        #expect(!Conv.supports(.direct, conv2D(inChannels: 5, height: 8, width: 8, pads: ([1, 1], [1, 1]))))
        let grouped = ConvParams(batch: 1, inChannels: 4, outChannels: 8, group: 2, inSpatial: [8, 8],
                                 kernel: [3, 3], padsBegin: [1, 1], padsEnd: [1, 1])
        #expect(!Conv.supports(.direct, grouped))
    }

    @Test("forward through a plan: the workspace holds the packed weights; nil is rejected")
    func forwardThroughPlan() throws {
        let p = conv2D(batch: 2, outChannels: 12, height: 9, width: 9, stride: 2, pads: ([1, 1], [1, 1]))
        let plan = try Conv.Plan(p, algorithm: .direct)
        #expect(plan.workspaceCount == 16 * 3 * 9)
        let input = KernelTestData.random(p.batch * p.inputCountPerImage, seed: 1)
        let weight = KernelTestData.random(p.weightCount, seed: 2)
        var output = [Float](repeating: 0, count: p.batch * p.outputCountPerImage)
        var workspace = [Float](repeating: 0, count: plan.workspaceCount)
        try output.withUnsafeMutableBufferPointer { y in
            #expect(throws: KernelParameterError.self) {
                try Conv.forward(plan, input: input, weight: weight, bias: nil, output: y.baseAddress!,
                                 workspace: nil)
            }
            try workspace.withUnsafeMutableBufferPointer { w in
                try Conv.forward(plan, input: input, weight: weight, bias: nil, output: y.baseAddress!,
                                 workspace: w.baseAddress!)
            }
        }
        let reference = referenceFusedConvolution(p, input: input, weight: weight, bias: [Float](repeating: 0, count: 12),
                                  residual: nil, activation: .none)
        #expect(KernelTestData.worstRelativeError(output, reference) < tolerance)
    }
}

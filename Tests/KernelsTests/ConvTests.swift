import Testing
@testable import Kernels

/// Runs `Conv.forward` on seeded random data and returns the worst relative error against the
/// reference, after checking that the expected algorithm was chosen.
private func convolutionError(
    _ p: ConvParams, withBias: Bool, expecting algorithm: Conv.Algorithm, seed: UInt64 = 1
) throws -> Double {
    // Few input channels run direct on AVX-512 CPUs (Conv+Direct.swift), im2col elsewhere.
    let direct = algorithm == .im2col && CPUFeatures.usesAVX512GEMM && Conv.directApplies(to: p)
    #expect(Conv.algorithm(for: p) == (direct ? .direct : algorithm))
    let input = KernelTestData.random(p.batch * p.inputCountPerImage, seed: seed)
    let weight = KernelTestData.random(p.weightCount, seed: seed + 1)
    let bias = withBias ? KernelTestData.random(p.outChannels, seed: seed + 2) : nil
    var output = [Float](repeating: .nan, count: p.batch * p.outputCountPerImage)
    var workspace = [Float](repeating: .nan, count: Conv.workspaceCount(p))
    try input.withUnsafeBufferPointer { x in
        try weight.withUnsafeBufferPointer { w in
            try output.withUnsafeMutableBufferPointer { y in
                try workspace.withUnsafeMutableBufferPointer { scratch in
                    if let bias {
                        try bias.withUnsafeBufferPointer { b in
                            try Conv.forward(p, input: x.baseAddress!, weight: w.baseAddress!, bias: b.baseAddress,
                                             output: y.baseAddress!, workspace: scratch.baseAddress)
                        }
                    } else {
                        try Conv.forward(p, input: x.baseAddress!, weight: w.baseAddress!, bias: nil,
                                         output: y.baseAddress!, workspace: scratch.baseAddress)
                    }
                }
            }
        }
    }
    return KernelTestData.worstRelativeError(
        output, referenceConvolution(p, input: input, weight: weight, bias: bias))
}

@Suite("Conv.forward matches a direct double-precision convolution")
struct ConvTests {
    @Test("1-D with stride 2, asymmetric pads and bias")
    func oneDimensional() throws {
        let p = ConvParams(batch: 2, inChannels: 3, outChannels: 4, inSpatial: [11], kernel: [3],
                           strides: [2], padsBegin: [2], padsEnd: [1])
        #expect(p.outSpatial == [6])
        #expect(try convolutionError(p, withBias: true, expecting: .im2col) < KernelTestData.tolerance)
    }

    @Test("2-D 3x3, stride 1, same padding, with and without bias", arguments: [true, false])
    func twoDimensional(withBias: Bool) throws {
        let p = ConvParams(batch: 2, inChannels: 3, outChannels: 5, inSpatial: [7, 6], kernel: [3, 3],
                           padsBegin: [1, 1], padsEnd: [1, 1])
        #expect(p.outSpatial == [7, 6])
        #expect(try convolutionError(p, withBias: withBias, expecting: .im2col) < KernelTestData.tolerance)
    }

    @Test("2-D with strides, asymmetric pads and non-square kernel")
    func stridedAsymmetric() throws {
        let p = ConvParams(batch: 1, inChannels: 2, outChannels: 3, inSpatial: [9, 8], kernel: [3, 2],
                           strides: [2, 3], padsBegin: [0, 2], padsEnd: [2, 1])
        #expect(p.outSpatial == [5, 4])
        #expect(try convolutionError(p, withBias: true, expecting: .im2col) < KernelTestData.tolerance)
    }

    @Test("2-D with dilation 2")
    func dilated() throws {
        let p = ConvParams(batch: 1, inChannels: 2, outChannels: 3, inSpatial: [9, 10], kernel: [3, 3],
                           dilations: [2, 2], padsBegin: [1, 2], padsEnd: [1, 0])
        #expect(p.outSpatial == [7, 8])
        #expect(try convolutionError(p, withBias: true, expecting: .im2col) < KernelTestData.tolerance)
    }

    @Test("3-D with stride, pads and dilation")
    func threeDimensional() throws {
        let p = ConvParams(batch: 2, inChannels: 2, outChannels: 3, inSpatial: [5, 6, 4], kernel: [2, 3, 2],
                           strides: [1, 2, 1], dilations: [2, 1, 1], padsBegin: [1, 1, 0], padsEnd: [0, 1, 1])
        #expect(p.outSpatial == [4, 3, 4])
        #expect(try convolutionError(p, withBias: true, expecting: .im2col) < KernelTestData.tolerance)
    }

    @Test("grouped convolution with 2 groups")
    func grouped() throws {
        let p = ConvParams(batch: 2, inChannels: 4, outChannels: 6, group: 2, inSpatial: [6, 5],
                           kernel: [3, 3], padsBegin: [1, 1], padsEnd: [1, 1])
        #expect(try convolutionError(p, withBias: true, expecting: .im2col) < KernelTestData.tolerance)
    }

    @Test("depthwise 2-D, channel multiplier 1 and 2, strides and pads", arguments: [1, 2])
    func depthwise(multiplier: Int) throws {
        let strided = ConvParams(batch: 2, inChannels: 3, outChannels: 3 * multiplier, group: 3,
                                 inSpatial: [8, 7], kernel: [3, 3], strides: [2, 2],
                                 padsBegin: [1, 0], padsEnd: [1, 2])
        #expect(Conv.workspaceCount(strided) == 0)
        #expect(try convolutionError(strided, withBias: true, expecting: .depthwise) < KernelTestData.tolerance)
        let dilated = ConvParams(batch: 1, inChannels: 4, outChannels: 4 * multiplier, group: 4,
                                 inSpatial: [9, 9], kernel: [3, 3], dilations: [2, 2],
                                 padsBegin: [2, 2], padsEnd: [2, 2])
        #expect(try convolutionError(dilated, withBias: false, expecting: .depthwise) < KernelTestData.tolerance)
    }

    @Test("depthwise 1-D uses the direct kernel too")
    func depthwiseOneDimensional() throws {
        let p = ConvParams(batch: 1, inChannels: 3, outChannels: 6, group: 3, inSpatial: [10], kernel: [5],
                           padsBegin: [2], padsEnd: [2])
        #expect(try convolutionError(p, withBias: true, expecting: .depthwise) < KernelTestData.tolerance)
    }

    @Test("1x1 stride-1 convolution is a plain GEMM, without workspace unless images are folded", arguments: [1, 2])
    func pointwise(group: Int) throws {
        let p = ConvParams(batch: 2, inChannels: 4, outChannels: 6, group: group, inSpatial: [5, 3], kernel: [1, 1])
        var single = p
        single.batch = 1
        #expect(Conv.workspaceCount(single) == 0)
        // Grouped convolutions run image by image; one group folds both images into one GEMM.
        #expect((Conv.workspaceCount(p) == 0) == (group > 1))
        #expect(try convolutionError(p, withBias: true, expecting: .pointwise) < KernelTestData.tolerance)
    }

    @Test("1x1 with stride 2 subsamples through im2col")
    func pointwiseStrided() throws {
        let p = ConvParams(batch: 1, inChannels: 4, outChannels: 3, inSpatial: [7, 6], kernel: [1, 1], strides: [2, 2])
        #expect(p.outSpatial == [4, 3])
        #expect(try convolutionError(p, withBias: false, expecting: .im2col) < KernelTestData.tolerance)
    }

    @Test("planes large enough to be split across threads (im2col rows, depthwise planes)")
    func parallelChunks() throws {
        let general = ConvParams(batch: 2, inChannels: 4, outChannels: 3, inSpatial: [32, 32], kernel: [3, 3],
                                 padsBegin: [1, 1], padsEnd: [1, 1])
        #expect(try convolutionError(general, withBias: true, expecting: .im2col) < KernelTestData.tolerance)
        let depthwise = ConvParams(batch: 2, inChannels: 8, outChannels: 8, group: 8, inSpatial: [32, 32],
                                   kernel: [3, 3], padsBegin: [1, 1], padsEnd: [1, 1])
        #expect(try convolutionError(depthwise, withBias: true, expecting: .depthwise) < KernelTestData.tolerance)
    }

    @Test("a plan validates once and runs repeatedly over a workspace another convolution left dirty")
    func planReuse() throws {
        let p = ConvParams(batch: 1, inChannels: 2, outChannels: 3, inSpatial: [5, 4, 3], kernel: [2, 2, 2],
                           padsBegin: [1, 0, 1], padsEnd: [0, 1, 0])
        let plan = try Conv.Plan(p)
        #expect(plan.algorithm == .im2col)
        #expect(plan.workspaceCount == Conv.workspaceCount(p))
        let input = KernelTestData.random(p.inputCountPerImage, seed: 21)
        let weight = KernelTestData.random(p.weightCount, seed: 22)
        let expected = referenceConvolution(p, input: input, weight: weight, bias: nil)
        var workspace = [Float](repeating: .nan, count: plan.workspaceCount + 7)
        for _ in 0..<2 {
            var output = [Float](repeating: .nan, count: p.outputCountPerImage)
            try Conv.forward(plan, input: input, weight: weight, bias: nil, output: &output, workspace: &workspace)
            #expect(KernelTestData.worstRelativeError(output, expected) < KernelTestData.tolerance)
            for i in workspace.indices { workspace[i] = .nan }
        }
        var bad = p
        bad.strides = [1, 0, 1]
        #expect { try Conv.Plan(bad) } throws: { ($0 as? KernelParameterError)?.field == "strides" }
    }

    @Test("invalid parameters are rejected with the field at fault")
    func rejectsBadParameters() throws {
        var p = ConvParams(batch: 1, inChannels: 3, outChannels: 4, group: 2, inSpatial: [5, 5], kernel: [3, 3])
        #expect(throws: KernelParameterError.self) { try p.validate() }
        p.group = 1
        try p.validate()
        p.outSpatial = [4, 3]
        #expect { try p.validate() } throws: { ($0 as? KernelParameterError)?.field == "outSpatial" }
        let needsWorkspace = ConvParams(batch: 1, inChannels: 1, outChannels: 1, inSpatial: [4], kernel: [3])
        let data = [Float](repeating: 1, count: 4)
        var out = [Float](repeating: 0, count: 2)
        #expect { 
            try data.withUnsafeBufferPointer { x in
                try out.withUnsafeMutableBufferPointer { y in
                    try Conv.forward(needsWorkspace, input: x.baseAddress!, weight: x.baseAddress!, bias: nil,
                                     output: y.baseAddress!, workspace: nil)
                }
            }
        } throws: { ($0 as? KernelParameterError)?.field == "workspace" }
    }
}

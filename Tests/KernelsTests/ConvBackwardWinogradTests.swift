import Testing
@testable import Kernels

/// dX of a 3x3 stride-1 conv through the forward Winograd kernels, against the GEMM + col2im
/// data gradient (itself checked against double-precision sums in ConvBackwardTests).
@Suite("The Winograd data gradient equals the GEMM + col2im one")
struct ConvBackwardWinogradTests {
    private func errorAgainstCol2Im(_ p: ConvParams, packed: Bool) throws -> Double {
        let plan = try #require(Conv.winogradDataGradientPlan(for: p))
        #expect(plan.params.inChannels == p.outChannels && plan.params.outChannels == p.inChannels)
        #expect(plan.params.outSpatial == p.inSpatial)
        let w = KernelTestData.random(p.weightCount, seed: 21)
        let dy = KernelTestData.random(p.batch * p.outputCountPerImage, seed: 22)
        var expected = [Float](repeating: .nan, count: p.batch * p.inputCountPerImage)
        var columns = [Float](repeating: .nan, count: Conv.backwardWorkspaceCount(p))
        try columns.withUnsafeMutableBufferPointer { scratch in
            try Conv.backwardData(try Conv.Plan(p, algorithm: .im2col), gradOutput: dy, weight: w, gradInput: &expected,
                                  workspace: scratch.baseAddress)
        }
        var rotated = [Float](repeating: 0, count: p.weightCount)
        Conv.transposeRotateFilters(w, outChannels: p.outChannels, inChannels: p.inChannels, into: &rotated)
        let packedWeights = packed ? Conv.PackedWeights(plan, weight: rotated) : nil
        var dx = [Float](repeating: .nan, count: expected.count)
        var workspace = [Float](repeating: .nan,
                                count: Conv.winogradDataGradientWorkspaceCount(plan, packed: packed))
        try workspace.withUnsafeMutableBufferPointer { scratch in
            try Conv.winogradDataGradient(plan, gradOutput: dy, weight: w, packed: packedWeights, gradInput: &dx,
                                          workspace: scratch.baseAddress!)
        }
        return KernelTestData.worstRelativeError(dx, expected)
    }

    @Test("same padding, pads 0 and asymmetric pads; packed and unpacked filters",
          arguments: [false, true])
    func matchesCol2Im(packed: Bool) throws {
        let shapes = [
            ConvParams(batch: 2, inChannels: 32, outChannels: 40, inSpatial: [9, 7], kernel: [3, 3],
                       padsBegin: [1, 1], padsEnd: [1, 1]),
            ConvParams(batch: 3, inChannels: 48, outChannels: 32, inSpatial: [10, 11], kernel: [3, 3]),
            ConvParams(batch: 1, inChannels: 32, outChannels: 32, inSpatial: [12, 12], kernel: [3, 3],
                       padsBegin: [2, 0], padsEnd: [1, 2]),
        ]
        for p in shapes {
            #expect(try errorAgainstCol2Im(p, packed: packed) < KernelTestData.tolerance, "\(p)")
        }
    }

    @Test("strided, grouped, too few channels or padded beyond 2: no Winograd plan")
    func onlyStrideOneThreeByThree() {
        let strided = ConvParams(batch: 1, inChannels: 64, outChannels: 64, inSpatial: [9, 9], kernel: [3, 3],
                                 strides: [2, 2], padsBegin: [1, 1], padsEnd: [1, 1])
        let grouped = ConvParams(batch: 1, inChannels: 64, outChannels: 64, group: 2, inSpatial: [9, 9],
                                 kernel: [3, 3], padsBegin: [1, 1], padsEnd: [1, 1])
        let narrow = ConvParams(batch: 1, inChannels: 3, outChannels: 64, inSpatial: [9, 9], kernel: [3, 3],
                                padsBegin: [1, 1], padsEnd: [1, 1])
        let widePads = ConvParams(batch: 1, inChannels: 64, outChannels: 64, inSpatial: [9, 9], kernel: [3, 3],
                                  padsBegin: [3, 3], padsEnd: [3, 3])
        for p in [strided, grouped, narrow, widePads] { #expect(Conv.winogradDataGradientPlan(for: p) == nil, "\(p)") }
    }
}

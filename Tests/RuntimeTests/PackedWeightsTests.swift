import GraphIR
import Kernels
import Testing
@testable import Runtime

/// x [2, 32, 8, 8] -> 3x3 conv (32 -> 32, pad 1): a Winograd layer, whose weights the
/// program transforms once at compile time.
private func winogradConv(seed: UInt64) -> Graph {
    var b = GraphBuilder(name: "winograd-conv", weights: .seeded(seed))
    let x = b.input("x", TensorType(.float32, [2, 32, 8, 8]))
    let w = b.parameter("w", shape: [32, 32, 3, 3], initializer: .glorotUniform)
    b.output(try! b.add(.conv, "conv", [x, w], ["pads": .ints([1, 1, 1, 1])]))
    return b.graph
}

@Suite("Winograd weights are packed once, and again whenever the program overwrites them")
struct PackedWeightsTests {
    let x = Tensor(shape: [2, 32, 8, 8], floats: (0..<4096).map { Float(($0 * 37) % 101) / 50 - 1 })

    @Test func compileTimeWeightsArePackedAndTheScratchShrinks() throws {
        let program = try Program.compile(winogradConv(seed: 1))
        let step = try #require(program.steps.first { $0.node == "conv" })
        guard case .conv(let plan, _, let prepacked) = step.kernel else { Issue.record("not a conv step"); return }
        #expect([Conv.Algorithm.winograd2, .winograd4].contains(plan.algorithm))
        #expect(prepacked)
        #expect(step.packedWeights != nil)
        #expect(step.kernel.scratchCount == plan.packedWorkspaceCount)
        #expect(plan.packedWorkspaceCount < plan.workspaceCount)
        // The naive convolution (double accumulation) of the same weights.
        let window = ReferenceWindow(inSpatial: [8, 8], kernel: [3, 3], padsBegin: [1, 1], padsEnd: [1, 1],
                                     outSpatial: [8, 8])
        let reference = ReferenceKernels.conv(batch: 2, inChannels: 32, outChannels: 32, group: 1, window,
                                              x: floats(x), w: floats(try program.values(named: "w")), bias: nil)
        #expect(isClose(floats(try program.run(["x": x])[0]), reference, tolerance: 1e-4))
    }

    @Test func setParametersRepacks() throws {
        let program = try Program.compile(winogradConv(seed: 1))
        let other = try Program.compile(winogradConv(seed: 2))
        _ = try program.run(["x": x])
        try program.setParameters(other.parameters())
        #expect(isClose(floats(try program.run(["x": x])[0]), floats(try other.run(["x": x])[0]), tolerance: 1e-5))
    }

    @Test func copyParametersRepacks() throws {
        let program = try Program.compile(winogradConv(seed: 1))
        let other = try Program.compile(winogradConv(seed: 2))
        _ = try program.run(["x": x])
        #expect(program.copyParameters(from: other) == 1)
        #expect(isClose(floats(try program.run(["x": x])[0]), floats(try other.run(["x": x])[0]), tolerance: 1e-5))
    }
}

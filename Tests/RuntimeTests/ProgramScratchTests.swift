import GraphIR
import Kernels
import Testing
@testable import Runtime

/// x -> conv a (3x3, im2col: 5 input channels, more than the direct stem conv takes) -> conv b (1x1, pointwise: no scratch) -> conv c (5x5, im2col,
/// the largest column matrix).
private func threeConvs() throws -> Graph {
    var b = GraphBuilder(name: "three-convs", weights: .seeded(3))
    let x = b.input("x", TensorType(.float32, [1, 5, 9, 9]))
    let wa = b.parameter("a/w", shape: [4, 5, 3, 3], initializer: .glorotUniform)
    let wb = b.parameter("b/w", shape: [6, 4, 1, 1], initializer: .glorotUniform)
    let wc = b.parameter("c/w", shape: [3, 6, 5, 5], initializer: .glorotUniform)
    let a = try b.add(.conv, "a", [x, wa], ["pads": .ints([1, 1, 1, 1])])
    let p = try b.add(.conv, "b", [a, wb])
    b.output(try b.add(.conv, "c", [p, wc], ["pads": .ints([2, 2, 2, 2])]))
    return b.graph
}

@Test func eachIm2colStepGetsScratchInsideTheArenaSizedForItsConv() throws {
    let program = try Program.compile(threeConvs())
    let a = ConvParams(batch: 1, inChannels: 5, outChannels: 4, inSpatial: [9, 9], kernel: [3, 3],
                       padsBegin: [1, 1], padsEnd: [1, 1])
    let c = ConvParams(batch: 1, inChannels: 6, outChannels: 3, inSpatial: [9, 9], kernel: [5, 5],
                       padsBegin: [2, 2], padsEnd: [2, 2])
    #expect(Conv.workspaceCount(a) == 5 * 9 * 81)
    #expect(Conv.workspaceCount(c) == 6 * 25 * 81)
    let scratchByNode = Dictionary(uniqueKeysWithValues: program.steps.map { ($0.node, $0.scratch) })
    #expect(scratchByNode["b"] == .some(nil))  // 1x1 conv: no im2col
    let stats = program.memoryStats
    #expect(stats.largestScratchBytes == Conv.workspaceCount(c) * 4)
    for step in program.steps {
        guard let offset = step.scratch else { continue }
        // Scratch lies in the activation arena, clear of the weights that follow it.
        #expect(offset % 64 == 0)
        #expect(offset + step.kernel.scratchCount * 4 <= stats.arenaBytes)
    }
    let x = Tensor(shape: [1, 5, 9, 9], floats: (0..<405).map { Float($0 % 13) * 0.1 - 0.6 })
    let first = try program.run(["x": x])
    let second = try program.run(["x": x])
    #expect(first == second)
    let reference = try Program.compile(threeConvs(), options: .unoptimized).run(["x": x])
    #expect(first == reference)
}

@Test func programWithoutIm2colConvsReservesNoScratch() throws {
    var b = GraphBuilder(name: "pointwise", weights: .seeded(4))
    let x = b.input("x", TensorType(.float32, [1, 3, 4, 4]))
    let w = b.parameter("w", shape: [5, 3, 1, 1], initializer: .glorotUniform)
    b.output(try b.add(.relu, "relu", [try b.add(.conv, "conv", [x, w])]))
    let program = try Program.compile(b.graph)
    #expect(program.memoryStats.largestScratchBytes == 0)
    #expect(program.steps.allSatisfy { $0.scratch == nil })
}

@Test func heavyOpParameterErrorsNameTheNodeAtCompileTime() throws {
    // Four spatial dims: shape inference accepts it, the conv kernels (1-3 dims) do not.
    var b = GraphBuilder(name: "conv4d")
    let x = b.input("x", TensorType(.float32, [1, 1, 2, 2, 2, 2]))
    let w = b.constant("w", Tensor(shape: [1, 1, 1, 1, 1, 1], floats: [1]))
    b.output(try b.add(.conv, "conv4d", [x, w]))
    let error = #expect(throws: RuntimeError.self) { try Program.compile(b.graph) }
    #expect(error?.subject == "conv4d")
    #expect(error?.message.contains("inSpatial") == true)
}

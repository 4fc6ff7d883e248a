import Foundation
import GraphIR
import Testing
@testable import Runtime

/// x[1,1,3,3] -> Conv(2 filters 2x2, bias) -> Relu -> Flatten -> Gemm(8 -> 3) -> Softmax.
private func convNet() throws -> (Graph, conv: [Float], bias: [Float]) {
    var b = GraphBuilder(name: "convnet", weights: .seeded(7))
    let x = b.input("x", TensorType(.float32, [.symbolic("N"), 1, 3, 3]))
    // Filter 0 sums its window; filter 1 is x[0,0] - x[1,1] (negative for a rising ramp).
    let conv: [Float] = [1, 1, 1, 1, 1, 0, 0, -1]
    let bias: [Float] = [-10, 0.5]
    let w = b.constant("conv/w", Tensor(shape: [2, 1, 2, 2], floats: conv))
    let bc = b.constant("conv/b", Tensor(shape: [2], floats: bias))
    let y = try b.add(.conv, "conv", [x, w, bc])
    let r = try b.add(.relu, "relu", [y])
    let f = try b.add(.flatten, "flatten", [r])
    let dense = b.parameter("dense/kernel", shape: [8, 3], initializer: .glorotUniform)
    let dbias = b.parameter("dense/bias", shape: [3], initializer: .uniform(low: -1, high: 1))
    let g = try b.add(.gemm, "dense", [f, dense, dbias])
    b.output(try b.add(.softmax, "probs", [g], ["axis": .int(1)]))
    return (b.graph, conv, bias)
}

@Test func convReluGemmSoftmaxMatchesNaiveLoops() throws {
    let (graph, conv, bias) = try convNet()
    let program = try Program.compile(graph, inputShapes: ["x": [1, 1, 3, 3]], options: CompileOptions(pinned: ["relu"]))
    let x = (0..<9).map { Float($0) }
    let probs = try program.run(["x": Tensor(shape: [1, 1, 3, 3], floats: x)])[0]

    // Naive conv (valid, stride 1) + relu, flattened in [c][h][w] order.
    var features: [Float] = []
    for c in 0..<2 {
        for i in 0..<2 {
            for j in 0..<2 {
                let window = [x[i * 3 + j], x[i * 3 + j + 1], x[(i + 1) * 3 + j], x[(i + 1) * 3 + j + 1]]
                let v = zip(window, conv[(c * 4)..<(c * 4 + 4)]).map(*).reduce(bias[c], +)
                features.append(max(v, 0))
            }
        }
    }
    // Hand check of the conv itself: window sums 8, 12, 20, 24 minus 10; filter 1 gives -4 + 0.5.
    #expect(features == [0, 2, 10, 14, 0, 0, 0, 0])
    let kernelID = try #require(graph.value(named: "dense/kernel")), biasID = try #require(graph.value(named: "dense/bias"))
    let kernel = try #require(graph[kernelID].data).floatValues
    let dbias = try #require(graph[biasID].data).floatValues
    let logits = (0..<3).map { n in (0..<8).reduce(dbias[n]) { $0 + features[$1] * kernel[$1 * 3 + n] } }
    let m = logits.max()!
    let e = logits.map { Foundation.exp($0 - m) }
    let expected = e.map { $0 / e.reduce(0, +) }
    #expect(probs.shape == [1, 3])
    #expect(isClose(floats(probs), expected, tolerance: 1e-6))
    #expect(try program.values(named: "relu").floatValues == features)
}

@Test func runsReuseTheArenaAndGiveIdenticalResults() throws {
    let (graph, _, _) = try convNet()
    let program = try Program.compile(graph, inputShapes: ["x": [2, 1, 3, 3]])
    let input = Tensor(shape: [2, 1, 3, 3], floats: (0..<18).map { Float($0) * 0.3 - 2 })
    let base = program.arena.base
    let first = try program.run(["x": input])
    let second = try program.run(["x": input])
    #expect(first == second)
    #expect(program.arena.base == base)
    #expect(program.runCount == 2)
}

@Test func wrongInputShapeIsReportedByInputName() throws {
    let (graph, _, _) = try convNet()
    let program = try Program.compile(graph, inputShapes: ["x": [1, 1, 3, 3]])
    #expect(throws: RuntimeError(.input, "x", "expected f32[1,1,3,3], got f32[1,1,4,4]")) {
        try program.run(["x": Tensor(shape: [1, 1, 4, 4], floats: Array(repeating: 0, count: 16))])
    }
    #expect(throws: RuntimeError(.input, "x", "is missing")) { try program.run([:]) }
    let error = #expect(throws: RuntimeError.self) { try program.run(["x": .int64Vector([1]), "y": .scalar(1)]) }
    #expect(error?.subject == "y")
}

@Test func unboundSymbolicInputIsReportedAtCompileTime() throws {
    let (graph, _, _) = try convNet()
    let error = #expect(throws: RuntimeError.self) { try Program.compile(graph) }
    #expect(error?.kind == .input)
    #expect(error?.subject == "x")
    let mismatch = #expect(throws: RuntimeError.self) { try Program.compile(graph, inputShapes: ["x": [1, 2, 3, 3]]) }
    #expect(mismatch?.subject == "x")
}

@Test func parametersWithoutDataAreReportedByName() throws {
    var b = GraphBuilder(name: "structure-only")
    let x = b.input("x", TensorType(.float32, [2, 4]))
    let w = b.parameter("w", shape: [4, 2], initializer: .zeros)
    b.output(try b.add(.matMul, "mm", [x, w]))
    #expect(throws: RuntimeError(.value, "w", "parameter has no data; build the graph with weights")) {
        try Program.compile(b.graph)
    }
}

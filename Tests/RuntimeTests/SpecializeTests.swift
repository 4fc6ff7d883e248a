import GraphIR
import Testing
@testable import Runtime

/// x[N,2,3] -> Reshape(x, Concat(Unsqueeze(Gather(Shape(x), 0)), [-1])): the usual
/// exporter pattern for "flatten all but the batch".
private func shapeSubgraph() throws -> Graph {
    var b = GraphBuilder(name: "shape-subgraph")
    let x = b.input("x", TensorType(.float32, [.symbolic("N"), 2, 3]))
    let shape = try b.add(.shape, "shape", [x])
    let zero = b.constant("zero", Tensor(shape: [], int64s: [0]))
    let batch = try b.add(.gather, "batch", [shape, zero], ["axis": .int(0)])
    let axes = b.constant("axes", .int64Vector([0]))
    let batch1 = try b.add(.unsqueeze, "batch1", [batch, axes])
    let rest = b.constant("rest", .int64Vector([-1]))
    let target = try b.add(.concat, "target", [batch1, rest], ["axis": .int(0)])
    var g = b.graph
    // The builder cannot type the Reshape (its shape is not constant yet): add it by hand.
    let y = appendNode(&g, .reshape, "flat", [x, target], [TensorType(.float32, [.symbolic("N"), .symbolic("?")])])
    g.outputs = [y[0]]
    return g
}

@Test func shapeSubgraphFoldsToAStaticReshape() throws {
    let program = try Program.compile(try shapeSubgraph(), inputShapes: ["x": [4, 2, 3]])
    #expect(program.stepCount == 1)  // only the Reshape runs
    let flat = try #require(program.graph.value(named: "flat"))
    #expect(program.graph[flat].type == TensorType(.float32, [4, 6]))
    #expect(program.graph.values.allSatisfy { $0.type.shape.isStatic })
    #expect(try program.values(named: "target") == .int64Vector([4, -1]))
    let x = Tensor(shape: [4, 2, 3], floats: (0..<24).map(Float.init))
    let y = try program.run(["x": x])[0]
    #expect(y.shape == [4, 6])
    #expect(y.floatValues == x.floatValues)
}

@Test func int64ShapeArithmeticIsFolded() throws {
    var b = GraphBuilder(name: "arith")
    let x = b.input("x", TensorType(.float32, [.symbolic("N"), 3, 2]))
    let shape = try b.add(.shape, "shape", [x], ["start": .int(1)])        // [3, 2]
    let two = b.constant("two", .int64Vector([2]))
    let doubled = try b.add(.mul, "doubled", [shape, two])                  // [6, 4]
    let halved = try b.add(.div, "halved", [doubled, b.constant("three", .int64Vector([3]))])  // [2, 1]
    let casted = try b.add(.cast, "casted", [halved], ["to": .string("f32")])
    b.output(try b.add(.add, "out", [x, casted]))
    let program = try Program.compile(b.graph, inputShapes: ["x": [1, 3, 2]])
    #expect(try program.values(named: "doubled") == .int64Vector([6, 4]))
    #expect(try program.values(named: "casted").floatValues == [2, 1])
    #expect(program.stepCount == 1)
    let y = try program.run(["x": Tensor(shape: [1, 3, 2], floats: Array(repeating: 0, count: 6))])[0]
    #expect(y.floatValues == [2, 1, 2, 1, 2, 1])
}

/// Reshape whose target shape and Clip whose bounds are graph inputs (as in ONNX tests).
private func operandInputsGraph() -> Graph {
    var g = Graph(name: "operand-inputs")
    let x = g.addValue(Value(name: "x", type: TensorType(.float32, [2, 3]), role: .input))
    let shape = g.addValue(Value(name: "shape", type: TensorType(.int64, [2]), role: .input))
    let lo = g.addValue(Value(name: "lo", type: TensorType(.float32, []), role: .input))
    let hi = g.addValue(Value(name: "hi", type: TensorType(.float32, []), role: .input))
    g.inputs = [x, shape, lo, hi]
    let r = appendNode(&g, .reshape, "reshaped", [x, shape], [TensorType(.float32, [.symbolic("?"), .symbolic("?")])])
    let c = appendNode(&g, .clip, "clipped", [r[0], lo, hi], [TensorType(.float32, [.symbolic("?"), .symbolic("?")])])
    g.outputs = [c[0]]
    return g
}

@Test func constantInputsAreFoldedLikeConstants() throws {
    let program = try Program.compile(operandInputsGraph(), constantInputs: [
        "shape": .int64Vector([3, -1]), "lo": .scalar(1), "hi": .scalar(4),
    ])
    #expect(program.inputTypes == ["x": TensorType(.float32, [2, 3])])
    let y = try program.run(["x": Tensor(shape: [2, 3], floats: [0, 1, 2, 3, 4, 5])])[0]
    #expect(y.shape == [3, 2])
    #expect(y.floatValues == [1, 1, 2, 3, 4, 4])
}

@Test func operandInputsThatAreNotConstantNameTheNode() throws {
    let error = #expect(throws: RuntimeError.self) {
        try Program.compile(operandInputsGraph(), constantInputs: ["lo": .scalar(1), "hi": .scalar(4)])
    }
    #expect(error?.kind == .node)
    #expect(error?.subject == "reshaped")
    let unknown = #expect(throws: RuntimeError.self) { try Program.compile(operandInputsGraph(), constantInputs: ["nope": .scalar(0)]) }
    #expect(unknown?.subject == "nope")
}

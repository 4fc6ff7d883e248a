import Testing
@testable import GraphIR

@Suite("Specialization of symbolic dims")
struct SpecializeTests {
    @Test func symbolsAreListedInOrderOfFirstUse() throws {
        #expect(try TestGraphs.residual().symbols == ["N"])
        #expect(try TestGraphs.convRelu().symbols == [])
        var g = Graph(name: "two")
        g.addValue(Value(name: "a", type: f32(.symbolic("B"), .symbolic("?"), .symbolic("T")), role: .input))
        g.addValue(Value(name: "b", type: f32(.symbolic("T"), .symbolic("B")), role: .input))
        #expect(g.symbols == ["B", "T"])
    }

    @Test func bindingTheBatchReinfersEveryType() throws {
        let g = try TestGraphs.residual().specialized(["N": 16])
        try g.verify()
        #expect(g.symbols.isEmpty)
        #expect(g[try #require(g.value(named: "image"))].type == f32(16, 3, 8, 8))
        #expect(g[try #require(g.value(named: "pool"))].type == f32(16, 4, 4, 4))
        #expect(g[try #require(g.value(named: "flatten"))].type == f32(16, 64))
        #expect(g[try #require(g.value(named: "probs"))].type == f32(16, 10))
        // Only types change: names, roles and structure are as before.
        let original = try TestGraphs.residual()
        #expect(g.nodes == original.nodes)
        #expect(g.values.map(\.name) == original.values.map(\.name))
    }

    @Test func unknownOrNonPositiveBindingsAreRejected() throws {
        let g = try TestGraphs.residual()
        #expect(errorText { _ = try g.specialized(["M": 2]) } == "binding 'M' names no symbol of graph tiny_resnet (symbols: N)")
        #expect(errorText { _ = try g.specialized(["N": 0]) } == "binding N=0 must be positive")
    }

    @Test func failingInferenceNamesTheNode() throws {
        var b = GraphBuilder(name: "spatial")
        let x = b.input("x", f32(1, 1, .symbolic("H"), 8))
        let w = b.parameter("w", shape: [1, 1, 3, 3], initializer: .ones)
        b.output(try b.add(.conv, "conv", [x, w]))
        #expect(b.graph.values[2].type == f32(1, 1, .symbolic("?"), 6))
        #expect(try b.graph.specialized(["H": 5]).values[2].type == f32(1, 1, 3, 6))
        #expect(errorText { _ = try b.graph.specialized(["H": 2]) } == "conv: window 3 (dilation 1) is larger than the padded input 2")
    }

    @Test func shapeNodesFeedReshapeOnceStatic() throws {
        // y = Reshape(x, Shape(like)): the target is only known once N is bound.
        var g = Graph(name: "like")
        let x = g.addValue(Value(name: "x", type: f32(N, 16), role: .input))
        let like = g.addValue(Value(name: "like", type: f32(N, 4, 2, 2), role: .input))
        let shape = g.addValue(Value(name: "shape", type: i64(4), role: .intermediate))
        let y = g.addValue(Value(name: "y", type: f32(.symbolic("?")), role: .intermediate))
        g.addNode(Node(name: "shape", op: .shape, inputs: [like], outputs: [shape]))
        g.addNode(Node(name: "y", op: .reshape, inputs: [x, shape], outputs: [y]))
        g.inputs = [x, like]
        g.outputs = [y]
        let s = try g.specialized(["N": 3])
        #expect(s[y].type == f32(3, 4, 2, 2))
    }
}

import Testing
@testable import GraphIR

/// The verifier's problems for `g`, or [] when it verifies.
func problems(_ g: Graph, requireWeights: Bool = false) -> [String] {
    do { try g.verify(requireWeights: requireWeights); return [] } catch let e as VerifyError { return e.problems } catch {
        return ["unexpected error \(error)"]
    }
}

/// True when some problem contains every one of `parts`.
func reports(_ list: [String], _ parts: String...) -> Bool {
    list.contains { p in parts.allSatisfy { p.contains($0) } }
}

@Suite("Verifier")
struct VerifyTests {
    @Test func wellFormedGraphsPass() throws {
        try TestGraphs.residual().verify()
        try TestGraphs.convRelu().verify()
        var b = GraphBuilder(name: "seeded", weights: .seeded(1))
        let x = b.input("x", f32(1, 2))
        let w = b.parameter("w", shape: [3, 2], initializer: .glorotUniform)
        b.output(try b.add(.gemm, "fc", [x, w], ["transB": .int(1)]))
        try b.graph.verify(requireWeights: true)
    }

    @Test func errorDescriptionListsEveryProblem() throws {
        var g = try TestGraphs.convRelu()
        g.values[3].name = "x"
        g.nodes[1].attributes["alpha"] = .float(1)
        let e = try #require(throws: VerifyError.self) { try g.verify() }
        #expect(e.problems.count == 2)
        #expect(e.description.hasPrefix("graph conv_relu failed verification with 2 problem(s):\n  "))
    }

    @Test func duplicateValueName() throws {
        var g = try TestGraphs.convRelu()
        g.values[2].name = "w"
        #expect(reports(problems(g), "%w: duplicate value name (values #1 and #2)"))
    }

    @Test func emptyAndDuplicateNodeNames() throws {
        var g = try TestGraphs.convRelu()
        g.nodes[1].name = "conv"
        #expect(reports(problems(g), "conv: duplicate node name (nodes #0 and #1)"))
        g.nodes[1].name = ""
        #expect(reports(problems(g), "node #1 (Relu): name is empty"))
    }

    @Test func danglingInput() throws {
        var g = try TestGraphs.convRelu()
        g.nodes[1].inputs = [ValueID(42)]
        #expect(reports(problems(g), "relu: input 0 (v42) is not a value of the graph"))
    }

    @Test func forwardReferenceAndCycle() throws {
        var g = try TestGraphs.convRelu()
        // conv reads relu's output, and relu reads conv's: a cycle.
        g.nodes[0].inputs[0] = ValueID(3)
        let list = problems(g)
        #expect(reports(list, "conv: input 0 %relu is produced later by relu (forward reference or cycle)"))
        #expect(reports(list, "cycle among nodes: ", "conv", "relu"))
    }

    @Test func wrongInputArityAndOmittedRequiredInput() throws {
        var g = try TestGraphs.convRelu()
        g.nodes[1].inputs.append(ValueID(0))
        #expect(reports(problems(g), "relu: Relu takes 1 inputs, found 2"))
        g = try TestGraphs.convRelu()
        g.nodes[0].inputs[1] = nil
        #expect(reports(problems(g), "conv: required input 1 of Conv is omitted"))
    }

    @Test func wrongOutputArity() throws {
        var g = try TestGraphs.convRelu()
        let extra = g.addValue(Value(name: "relu:1", type: f32(1), role: .intermediate, producer: NodeID(1)))
        g.nodes[1].outputs.append(extra)
        #expect(reports(problems(g), "relu: Relu has 1 outputs, found 2"))
    }

    @Test func unknownAttribute() throws {
        var g = try TestGraphs.convRelu()
        g.nodes[0].attributes["padding"] = .string("same")
        #expect(reports(problems(g), "conv: unknown attribute 'padding' for Conv"))
    }

    @Test func wrongAttributeKind() throws {
        var g = try TestGraphs.convRelu()
        g.nodes[0].attributes["strides"] = .int(2)
        #expect(reports(problems(g), "conv: attribute 'strides' must be ints, found int"))
    }

    @Test func channelMismatchInConv() throws {
        var g = try TestGraphs.convRelu()
        g.values[1].type = f32(8, 6, 3, 3)
        #expect(problems(g) == ["conv: input has 3 channels but the weight expects 6"])
    }

    @Test func storedTypeMismatch() throws {
        var g = try TestGraphs.convRelu()
        g.values[2].type = f32(1, 8, 4, 4)
        #expect(reports(problems(g), "conv: output %conv has stored type f32[1,8,4,4] but inferred f32[1,8,2,2]"))
        g = try TestGraphs.convRelu()
        g.values[2].type.dtype = .float64
        #expect(reports(problems(g), "stored type f64[1,8,2,2] but inferred f32[1,8,2,2]"))
    }

    @Test func graphOutputNotAValueAndGraphInputWithWrongRole() throws {
        var g = try TestGraphs.convRelu()
        g.outputs.append(ValueID(9))
        g.inputs.append(ValueID(1))
        let list = problems(g)
        #expect(reports(list, "graph output #1: v9 is not a value of the graph"))
        #expect(reports(list, "graph input #1: %w has role parameter, expected input"))
    }

    @Test func inputRoleNotListedAsGraphInput() throws {
        var g = try TestGraphs.convRelu()
        g.inputs = []
        #expect(problems(g) == ["%x: has role input but is not listed as a graph input"])
    }

    @Test func parameterDataMustMatchItsType() throws {
        var g = try TestGraphs.convRelu()
        g.values[1].data = Tensor(shape: [8, 3, 3], floats: Array(repeating: 0, count: 72))
        #expect(reports(problems(g), "%w: data is f32[8,3,3] but the declared type is f32[8,3,3,3]"))
    }

    @Test func requireWeightsAsksForParameterData() throws {
        let g = try TestGraphs.convRelu()
        #expect(problems(g).isEmpty)
        #expect(problems(g, requireWeights: true) == ["%w: parameter has no data"])
    }

    @Test func producerBookkeeping() throws {
        var g = try TestGraphs.convRelu()
        g.values[2].producer = NodeID(1)
        #expect(reports(problems(g), "%conv: producer is recorded as relu but conv produces it"))
        g = try TestGraphs.convRelu()
        g.values[1].producer = NodeID(0)
        #expect(reports(problems(g), "%w: parameter must not have a producer (has conv)"))
        g = try TestGraphs.convRelu()
        g.nodes[1].outputs = [ValueID(2)]
        let list = problems(g)
        #expect(reports(list, "%conv: produced by 2 nodes: conv, relu"))
        #expect(reports(list, "%relu: intermediate has no producing node"))
    }

    @Test func reshapeShapeOperandMustBeKnown() throws {
        var g = try TestGraphs.residual()
        let shape = try #require(g.value(named: "flat_shape"))
        g.values[shape.index].data = nil
        #expect(reports(problems(g), "flatten: shape (input 1) must be a constant or a bound input"))
    }

    @Test func parsedTextWithAnUnknownAttributeVerifiesWithAMessage() throws {
        let g = try Graph.parse(text: """
            graph g {
              input %x : f32[2]
              %y = Relu(%x) {alpha=0.5} : f32[2]
              output %y
            }
            """)
        #expect(problems(g) == ["y: unknown attribute 'alpha' for Relu"])
    }
}

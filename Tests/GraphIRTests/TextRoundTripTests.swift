import Testing
@testable import GraphIR

/// print -> parse -> print is the identity, and the parsed graph equals the original.
func expectRoundTrip(_ g: Graph, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let text = g.textDescription
    let parsed = try Graph.parse(text: text)
    #expect(parsed.textDescription == text, sourceLocation: sourceLocation)
    #expect(parsed == g, sourceLocation: sourceLocation)
}

@Suite("Text format: round trips")
struct TextRoundTripTests {
    @Test func residualGraph() throws {
        try expectRoundTrip(try TestGraphs.residual())
    }

    @Test func specializedGraphWithStaticShapes() throws {
        try expectRoundTrip(try TestGraphs.residual().specialized(["N": 16]))
    }

    @Test func quotedNamesAndSymbols() throws {
        var b = GraphBuilder(name: "graph \"with\" quotes")
        let x = b.input("0input", TensorType(.float32, [.symbolic("batch size"), .symbolic("?"), 4]))
        let y = try b.add(.relu, "relu\tnode\\with\u{1}controls", [x])
        let z = try b.add(.neg, "naïve + ünïcode", [y])
        b.output(z)
        let g = b.graph
        #expect(g.textDescription.contains(#"%"0input""#))
        #expect(g.textDescription.contains(#"%"relu\tnode\\with\u{1}controls""#))
        try expectRoundTrip(g)
    }

    @Test func nodeNameThatDiffersFromItsOutput() throws {
        var g = try TestGraphs.convRelu()
        g.nodes[1].name = "activation 1"
        #expect(g.textDescription.contains(#"@"activation 1""#))
        try expectRoundTrip(g)
    }

    @Test func multiOutputNodes() throws {
        var b = GraphBuilder(name: "multi")
        let x = b.input("x", TensorType(.float32, [2, 3, 4, 4]))
        let p = (1...4).map { b.parameter("bn/p\($0)", shape: [3], initializer: .ones) }
        let bn = try b.node(.batchNormalization, "bn", [x] + p, ["training_mode": .int(1)],
                            outputNames: ["bn", "bn:mean", "bn:var"])
        let drop = try b.node(.dropout, "drop", [bn[0]], ["ratio": .float(0.25)], outputNames: ["drop", "drop:mask"])
        b.output(drop[0])
        b.output(drop[1])
        b.output(bn[2])
        try b.graph.verify()
        try expectRoundTrip(b.graph)
    }

    @Test func omittedOptionalInputs() throws {
        var b = GraphBuilder(name: "omitted")
        let x = b.input("x", TensorType(.float32, [2, 3]))
        let hi = b.constant("hi", Tensor(shape: [], floats: [6]))
        let clipped = try b.add(.clip, "clip", [x, nil, hi])
        let pads = b.constant("pads", .int64Vector([1, 1]))
        let axes = b.constant("axes", .int64Vector([1]))
        b.output(try b.add(.pad, "pad", [clipped, pads, nil, axes]))
        let g = b.graph
        try g.verify()
        #expect(g.textDescription.contains("%clip = Clip(%x, _, %hi) : f32[2,3]"))
        #expect(g.textDescription.contains("%pad = Pad(%clip, %pads, _, %axes) : f32[2,5]"))
        try expectRoundTrip(g)
    }

    @Test func everyAttributeKindAndAwkwardFloats() throws {
        let floats: [Float] = [0.1, -0.0, .leastNonzeroMagnitude, .greatestFiniteMagnitude, .infinity, -.infinity, 1 / 3, 16_777_215, .ulpOfOne]
        var g = Graph(name: "attrs")
        let x = g.addValue(Value(name: "x", type: f32(2), role: .input))
        g.inputs = [x]
        let y = g.addValue(Value(name: "y", type: f32(2), role: .intermediate))
        g.addNode(Node(name: "y", op: .identity, inputs: [x], outputs: [y], attributes: [
            "i": .int(-7), "f": .float(0.1), "s": .string("SAME_UPPER"), "is": .ints([1, -2]),
            "fs": .floats(floats), "ss": .strings(["a", "b\"c"]), "e1": .ints([]), "e2": .floats([]),
            "e3": .strings([]), "t": .tensor(Tensor(shape: [2, 2], floats: [1, 2.5, -3, 4e20])),
            "ti": .tensor(Tensor(shape: [3], storage: .int32([1, -2, 3]))), "whole": .float(2),
        ]))
        g.outputs = [y]
        try expectRoundTrip(g)
    }

    @Test func nanAttributesAndConstantsKeepTheirBits() throws {
        let payload = Float(bitPattern: 0x7fc0_0123), negative = Float(bitPattern: 0xffc0_0000)
        var g = Graph(name: "nan")
        let x = g.addValue(Value(name: "x", type: f32(3), role: .input))
        let c = g.addValue(Value(name: "c", type: f32(3), role: .constant,
                                 data: Tensor(shape: [3], floats: [.nan, payload, negative])))
        let y = g.addValue(Value(name: "y", type: f32(3), role: .intermediate))
        g.addNode(Node(name: "y", op: .add, inputs: [x, c], outputs: [y], attributes: ["alpha": .float(payload)]))
        g.inputs = [x]
        g.outputs = [y]
        let text = g.textDescription
        #expect(text.contains("= [nan,nan:0x7fc00123,nan:0xffc00000]"))
        let parsed = try Graph.parse(text: text)
        #expect(parsed.textDescription == text)
        // Tensor equality is bitwise, so the constant compares equal despite NaNs.
        #expect(parsed.values[1].data == g.values[1].data)
        #expect(parsed.nodes[0].attributes.float("alpha")?.bitPattern == payload.bitPattern)
    }

    @Test func constantsOfEveryDType() throws {
        var g = Graph(name: "consts")
        let tensors: [Tensor] = [
            .scalar(-1.5),
            Tensor(shape: [2], storage: .float64([0.1, -1e300])),
            .int64Vector([Int(Int64.min), 0, Int(Int64.max)]),
            Tensor(shape: [1, 2], storage: .int32([-5, 7])),
            Tensor(shape: [2], storage: .uint8([0, 255])),
            Tensor(shape: [2], storage: .bool([true, false])),
            Tensor(shape: [0], storage: .int64([])),
        ]
        for (i, t) in tensors.enumerated() {
            g.addValue(Value(name: "c\(i)", type: t.type, role: .constant, data: t))
        }
        // A constant without data and one whose data disagrees with its declared type.
        g.addValue(Value(name: "nodata", type: i64(4), role: .constant))
        g.addValue(Value(name: "mismatch", type: f32(3), role: .constant, data: .int64Vector([1, 2])))
        let text = g.textDescription
        #expect(text.contains("const %c5 : bool[2] = [true,false]"))
        #expect(text.contains("const %mismatch : f32[3] = tensor<i64[2]>[1,2]"))
        try expectRoundTrip(g)
    }

    @Test func parameterDataIsNotPrinted() throws {
        var b = GraphBuilder(name: "seeded", weights: .seeded(7))
        let x = b.input("x", f32(1, 2))
        let w = b.parameter("w", shape: [3, 2], initializer: .glorotUniform)
        b.output(try b.add(.gemm, "fc", [x, w], ["transB": .int(1)]))
        let parsed = try Graph.parse(text: b.graph.textDescription)
        #expect(parsed.values[1].data == nil)
        var structure = b.graph
        structure.values[1].data = nil
        #expect(parsed == structure)
    }

    @Test func handWrittenTextWithCommentsAndLooseSpacing() throws {
        let text = """
            # a comment
            graph g{ input %x :f32[2]   # inline comment
            %y=Relu(%x) :f32[2]
            output %y }
            """
        let g = try Graph.parse(text: text)
        try g.verify()
        #expect(g.nodes.map(\.op) == [.relu])
        #expect(g.textDescription == "graph g {\n  input %x : f32[2]\n  %y = Relu(%x) : f32[2]\n  output %y\n}\n")
    }

    @Test func parameterDeclaredAfterItsReaderParsesWithTheSameIDs() throws {
        var g = Graph(name: "late")
        let x = g.addValue(Value(name: "x", type: f32(2), role: .input))
        let y = g.addValue(Value(name: "y", type: f32(2), role: .intermediate))
        let w = g.addValue(Value(name: "w", type: f32(2), role: .parameter, trainable: true))
        g.addNode(Node(name: "y", op: .add, inputs: [x, w], outputs: [y]))
        g.inputs = [x]
        g.outputs = [y]
        try g.verify()
        #expect(g.textDescription.contains("  %y = Add(%x, %w) : f32[2]\n  param %w : f32[2] trainable\n"))
        try expectRoundTrip(g)
    }

    @Test func anInvalidGraphStillPrintsAndParsesSoTheVerifierCanNameTheFault() throws {
        var g = try TestGraphs.convRelu()
        g.nodes[0].inputs[0] = ValueID(3)  // conv reads relu: a cycle
        let parsed = try Graph(parsing: g.textDescription)
        #expect(parsed == g)
        #expect(reports(problems(parsed), "cycle among nodes"))
    }
}

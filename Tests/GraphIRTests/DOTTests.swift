import Testing
@testable import GraphIR

@Suite("DOT export")
struct DOTTests {
    @Test func nodesCarryOpAndShapeAndParametersAreHiddenByDefault() throws {
        let dot = try TestGraphs.convRelu().dot()
        let expected = """
            digraph "conv_relu" {
              rankdir=TB;
              node [shape=box, fontname="Helvetica", fontsize=10];
              edge [fontname="Helvetica", fontsize=8];
              v0 [shape=ellipse, label="x\\nf32[1,3,4,4]"];
              n0 [label="conv\\nConv\\nf32[1,8,2,2]"];
              n1 [label="relu\\nRelu\\nf32[1,8,2,2]", peripheries=2];
              v0 -> n0;
              n0 -> n1;
            }

            """
        #expect(dot == expected)
    }

    @Test func parametersCanBeShown() throws {
        let dot = try TestGraphs.convRelu().dot(showParameters: true)
        #expect(dot.contains(##"v1 [shape=note, style=filled, fillcolor="#eeeeee", label="w\nf32[8,3,3,3]"];"##))
        #expect(dot.contains("v1 -> n0;"))
    }

    @Test func edgesFromSecondaryOutputsAreLabelledAndQuotesEscaped() throws {
        var b = GraphBuilder(name: "say \"hi\"")
        let x = b.input("x", f32(1, 1, 4, 4))
        let outs = try b.node(.maxPool, "pool", [x], ["kernel_shape": .ints([2, 2])], outputNames: ["p", "idx"])
        b.output(try b.add(.identity, "copy", [outs[1]]))
        let dot = b.graph.dot()
        #expect(dot.hasPrefix(#"digraph "say \"hi\"" {"#))
        #expect(dot.contains(#"n0 -> n1 [label="idx"];"#))
    }
}

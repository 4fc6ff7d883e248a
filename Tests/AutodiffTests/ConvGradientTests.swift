import Autodiff
import GraphIR
import Testing

/// Conv's VJP (ConvGradInput, ConvGradWeight, bias ReduceSum) against central differences.
@Suite("Conv gradients")
struct ConvGradientTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var label: String
        var input: [Int]
        var weight: [Int]
        var attributes: [String: AttributeValue]
        var testDescription: String { label }
    }

    static let cases: [Case] = [
        Case(label: "3x3 pad 1", input: [2, 3, 6, 6], weight: [4, 3, 3, 3], attributes: ["pads": .ints([1, 1, 1, 1])]),
        Case(label: "stride 2, asymmetric pads", input: [2, 2, 7, 6], weight: [3, 2, 3, 2],
             attributes: ["strides": .ints([2, 2]), "pads": .ints([1, 0, 0, 1])]),
        Case(label: "groups 2, dilation 2", input: [1, 4, 7, 7], weight: [6, 2, 3, 3],
             attributes: ["group": .int(2), "dilations": .ints([2, 2]), "pads": .ints([2, 1, 2, 1])]),
        Case(label: "depthwise, stride 2, SAME_UPPER", input: [2, 3, 6, 5], weight: [3, 1, 3, 3],
             attributes: ["group": .int(3), "strides": .ints([2, 2]), "auto_pad": .string("SAME_UPPER")]),
        Case(label: "1x1 stride 2 (dropped rows)", input: [1, 3, 5, 5], weight: [2, 3, 1, 1],
             attributes: ["strides": .ints([2, 2])]),
    ]

    @Test("dX, dW and dB match central differences (eps 1e-5, tol 1e-7 + 1e-6 rel)", arguments: cases)
    func convGradients(_ c: Case) throws {
        var t = OpGraph("conv")
        let x = t.input("x", c.input)
        let w = t.parameter("w", c.weight)
        let b = t.parameter("b", [c.weight[0]])
        let y = try t.node(.conv, "conv", [x, w, b], Attributes(c.attributes))
        try t.check(y, wrt: [x, w, b])
    }

    @Test("without a bias, and only the weight asked for: no ConvGradInput is emitted")
    func weightOnly() throws {
        var t = OpGraph("conv")
        let x = t.input("x", [1, 2, 5, 5])
        let w = t.parameter("w", [3, 2, 3, 3])
        let y = try t.node(.conv, "conv", [x, w], ["pads": .ints([1, 1, 1, 1])])
        try t.check(y, wrt: [w])
        var g = t.graph
        let s = try weightedSum(&g, y)
        let built = try Gradient.build(graph: g, of: s, withRespectTo: [w]).graph
        #expect(!built.nodes.contains { $0.op == .convGradInput })
        #expect(built.nodes.contains { $0.op == .convGradWeight })
    }
}

import Autodiff
import GraphIR
import Testing
@testable import Runtime

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

/// The compiled program's gradient kernels on a Winograd-sized 3x3 conv (32 channels: the
/// data gradient runs as a forward Winograd conv with packed, rotated filters) against the
/// double-precision reference interpreter.
@Suite("compiled conv gradients")
struct CompiledConvGradientTests {
    @Test("dX (Winograd data gradient) and dW of a 32-channel 3x3 conv match the reference")
    func winogradDataGradient() throws {
        var t = OpGraph("conv32")
        let x = t.input("x", [2, 32, 8, 9])
        let w = t.parameter("w", [32, 32, 3, 3], -0.2, 0.2)
        let y = try t.node(.conv, "conv", [x, w], ["pads": .ints([1, 1, 1, 1])])
        var g = t.graph
        let loss = try weightedSum(&g, y)
        var (backward, grads) = try Gradient.build(graph: g, of: loss, withRespectTo: [x, w])
        for v in grads { backward.outputs.append(v) }
        let reference = try ReferenceInterpreter(graph: backward).run(feeds: t.feeds)
        let program = try Program.compile(backward)
        #expect(program.steps.contains { step in
            if case .gradient(.convGradInputWinograd(_, true)) = step.kernel { return true }
            return false
        })
        let xTensor = Tensor(shape: [2, 32, 8, 9], floats: try #require(t.feeds["x"]).data.map(Float.init))
        let outputs = try program.run(["x": xTensor])
        for (k, v) in grads.enumerated() {
            let expected = try #require(reference[v.index]).data
            let actual = outputs[outputs.count - grads.count + k].floatValues
            let scale = expected.map(abs).max() ?? 1
            let worst = zip(actual, expected).map { abs(Double($0) - $1) }.max() ?? 0
            #expect(worst <= 1e-4 * scale, "gradient of \(g[[x, w][k]].name): worst \(worst), scale \(scale)")
        }
    }
}

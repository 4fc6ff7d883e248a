import Autodiff
import GraphIR
import Testing

/// BatchNormalization's VJP in inference mode (moving statistics are constants) and in
/// training mode (batch statistics, so dX also flows through the mean and variance).
@Suite("BatchNormalization gradients")
struct NormalizationGradientTests {
    func graph(training: Bool) throws -> (OpGraph, [ValueID], ValueID) {
        var t = OpGraph("bn", seed: 6)
        let x = t.input("x", [3, 4, 3, 2], range: (-2, 3))
        let scale = t.parameter("gamma", [4], 0.5, 1.5)
        let bias = t.parameter("beta", [4])
        let mean = t.parameter("moving_mean", [4], -0.2, 0.2)
        let variance = t.parameter("moving_variance", [4], 0.5, 2)
        var attributes: Attributes = ["epsilon": .float(1e-3), "momentum": .float(0.99)]
        if training { attributes["training_mode"] = .int(1) }
        let y = try t.node(.batchNormalization, "bn", [x, scale, bias, mean, variance], attributes,
                           outputs: training ? 3 : 1)
        return (t, [x, scale, bias], y)
    }

    @Test("inference mode: dX, dGamma, dBeta")
    func inference() throws {
        let (t, wrt, y) = try graph(training: false)
        try t.check(y, wrt: wrt)
    }

    @Test("training mode (batch statistics): dX, dGamma, dBeta")
    func training() throws {
        let (t, wrt, y) = try graph(training: true)
        try t.check(y, wrt: wrt, tolerance: Tolerance(absolute: 1e-6, relative: 1e-5))
    }

    @Test("training mode: the gradient sums to zero per channel (the batch mean absorbs shifts)")
    func trainingGradientIsCentered() throws {
        let (t, wrt, y) = try graph(training: true)
        var g = t.graph
        let s = try weightedSum(&g, y)
        let (built, grads) = try Gradient.build(graph: g, of: s, withRespectTo: [wrt[0]])
        let dx = try ReferenceInterpreter(graph: built).value(grads[0], feeds: t.feeds)
        for c in 0..<4 {
            var total = 0.0
            for i in 0..<dx.count where (i / 6) % 4 == c { total += dx.data[i] }
            #expect(abs(total) < 1e-9, "channel \(c): sum of dX is \(total)")
        }
    }
}

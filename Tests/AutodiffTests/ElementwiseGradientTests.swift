import Autodiff
import GraphIR
import Testing

/// Binary ops with numpy broadcasting (gradients summed back over broadcast axes),
/// activations (ActivationGrad) and unary math, against central differences.
@Suite("Elementwise gradients")
struct ElementwiseGradientTests {
    static let broadcastShapes: [([Int], [Int])] = [
        ([2, 3, 4], [2, 3, 4]),
        ([2, 3, 4], [4]),
        ([2, 1, 4], [3, 1]),
        ([1, 3, 1, 1], [2, 3, 2, 2]),
        ([], [2, 3]),
    ]

    @Test("Add, Sub, Mul, Div with broadcasting", arguments: [OpKind.add, .sub, .mul, .div], broadcastShapes)
    func binary(_ op: OpKind, _ shapes: ([Int], [Int])) throws {
        var t = OpGraph("binary", seed: 7)
        let a = t.input("a", shapes.0, awayFromZero: true)
        let b = t.input("b", shapes.1, awayFromZero: true)
        let y = try t.node(op, "y", [a, b])
        try t.check(y, wrt: [a, b], tolerance: Tolerance(absolute: 1e-6, relative: 1e-6))
    }

    @Test("the same value on both sides of Mul accumulates both contributions (x * x)")
    func fanIn() throws {
        var t = OpGraph("square", seed: 8)
        let x = t.input("x", [5])
        let y = try t.node(.mul, "y", [x, x])
        try t.check(y, wrt: [x])
    }

    static let activations: [(OpKind, [String: AttributeValue])] = [
        (.relu, [:]), (.leakyRelu, ["alpha": .float(0.1)]), (.sigmoid, [:]),
        (.hardSigmoid, ["alpha": .float(0.25), "beta": .float(0.4)]), (.swish, [:]), (.swish, ["alpha": .float(1.5)]),
        (.hardSwish, [:]), (.tanh, [:]), (.exp, [:]), (.neg, [:]),
    ]

    @Test("activations and unary math", arguments: activations)
    func activation(_ c: (OpKind, [String: AttributeValue])) throws {
        var t = OpGraph("act", seed: 9)
        // Scaled to [-4, 4] so HardSigmoid/HardSwish see all their pieces; |x| >= 0.4.
        let x = t.input("x", [2, 3, 4], awayFromZero: true)
        let scale = t.constant("scale", .scalar(4))
        let xs = try t.node(.mul, "scaled", [x, scale])
        let y = try t.node(c.0, "y", [xs], Attributes(c.1))
        try t.check(y, wrt: [x, xs], tolerance: Tolerance(absolute: 1e-6, relative: 1e-6))
    }

    @Test("positive-domain unary math: Log, Sqrt, Reciprocal")
    func positiveUnary() throws {
        for op in [OpKind.log, .sqrt, .reciprocal] {
            var t = OpGraph("unary", seed: 10)
            let x = t.input("x", [3, 4], range: (0.5, 2))
            let y = try t.node(op, "y", [x])
            try t.check(y, wrt: [x])
        }
    }

    @Test("Clip with constant bounds (ReLU6) and with a lower bound only")
    func clip() throws {
        var t = OpGraph("clip", seed: 11)
        let x = t.input("x", [4, 5], awayFromZero: true)
        let eight = t.constant("eight", .scalar(8))
        let xs = try t.node(.mul, "scaled", [x, eight])
        let lo = t.constant("lo", .scalar(0)), hi = t.constant("hi", .scalar(6))
        let relu6 = try t.node(.clip, "relu6", [xs, lo, hi])
        try t.check(relu6, wrt: [x])
        let lower = try t.node(.clip, "lower", [xs, lo])
        try t.check(lower, wrt: [x])
    }
}

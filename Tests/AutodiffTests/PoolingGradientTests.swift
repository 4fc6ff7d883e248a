import Autodiff
import GraphIR
import Testing

/// Pooling VJPs against central differences. Inputs are spread out (no ties in a
/// window), so max pooling is differentiable at the test point.
@Suite("Pooling gradients")
struct PoolingGradientTests {
    static let maxPoolCases: [[String: AttributeValue]] = [
        ["kernel_shape": .ints([2, 2]), "strides": .ints([2, 2])],
        ["kernel_shape": .ints([3, 3]), "strides": .ints([2, 2]), "pads": .ints([1, 1, 1, 1])],
        ["kernel_shape": .ints([3, 2]), "strides": .ints([1, 2]), "pads": .ints([0, 1, 2, 0]), "ceil_mode": .int(1)],
        ["kernel_shape": .ints([2, 2]), "dilations": .ints([2, 2]), "auto_pad": .string("SAME_UPPER")],
    ]

    @Test("MaxPool routes dY to the window maximum", arguments: maxPoolCases)
    func maxPool(_ attributes: [String: AttributeValue]) throws {
        var t = OpGraph("maxpool", seed: 3)
        let x = t.input("x", [2, 2, 7, 6])
        let y = try t.node(.maxPool, "pool", [x], Attributes(attributes))
        try t.check(y, wrt: [x])
    }

    static let averagePoolCases: [[String: AttributeValue]] = [
        ["kernel_shape": .ints([2, 2]), "strides": .ints([2, 2])],
        ["kernel_shape": .ints([3, 3]), "strides": .ints([2, 2]), "pads": .ints([1, 1, 1, 1]), "count_include_pad": .int(0)],
        ["kernel_shape": .ints([3, 3]), "strides": .ints([2, 2]), "pads": .ints([1, 1, 1, 1]), "count_include_pad": .int(1)],
        ["kernel_shape": .ints([3, 3]), "pads": .ints([2, 0, 1, 1]), "ceil_mode": .int(1), "strides": .ints([2, 2]),
         "count_include_pad": .int(1)],
        ["kernel_shape": .ints([3, 3]), "auto_pad": .string("SAME_UPPER"), "strides": .ints([2, 2])],
    ]

    @Test("AveragePool with and without count_include_pad, padding and ceil mode", arguments: averagePoolCases)
    func averagePool(_ attributes: [String: AttributeValue]) throws {
        var t = OpGraph("avgpool", seed: 4)
        let x = t.input("x", [1, 3, 7, 6])
        let y = try t.node(.averagePool, "pool", [x], Attributes(attributes))
        try t.check(y, wrt: [x])
    }

    @Test("GlobalAveragePool and GlobalMaxPool")
    func globalPools() throws {
        var t = OpGraph("gap", seed: 5)
        let x = t.input("x", [2, 3, 4, 5])
        let avg = try t.node(.globalAveragePool, "gap", [x])
        try t.check(avg, wrt: [x])
        let mx = try t.node(.globalMaxPool, "gmp", [x])
        try t.check(mx, wrt: [x])
    }
}

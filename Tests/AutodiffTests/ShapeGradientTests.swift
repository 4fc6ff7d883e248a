import Autodiff
import GraphIR
import Testing

/// Data-movement ops: their VJPs move dY back where the data came from.
@Suite("Shape op gradients")
struct ShapeGradientTests {
    @Test("Reshape, Flatten, Squeeze, Unsqueeze, Transpose")
    func reshapes() throws {
        var t = OpGraph("reshape", seed: 12)
        let x = t.input("x", [2, 3, 1, 4])
        let r = try t.node(.reshape, "r", [x, t.constant("shape", .int64Vector([0, -1, 2]))])
        try t.check(r, wrt: [x])
        let f = try t.node(.flatten, "f", [x], ["axis": .int(2)])
        try t.check(f, wrt: [x])
        let s = try t.node(.squeeze, "s", [x, t.constant("axes", .int64Vector([2]))])
        try t.check(s, wrt: [x])
        let u = try t.node(.unsqueeze, "u", [x, t.constant("uaxes", .int64Vector([0, -1]))])
        try t.check(u, wrt: [x])
        let p = try t.node(.transpose, "p", [x], ["perm": .ints([3, 0, 2, 1])])
        try t.check(p, wrt: [x])
    }

    @Test("Concat along a middle axis gives each input its slice")
    func concat() throws {
        var t = OpGraph("concat", seed: 13)
        let a = t.input("a", [2, 3, 4]), b = t.input("b", [2, 1, 4]), c = t.input("c", [2, 2, 4])
        let y = try t.node(.concat, "y", [a, b, c], ["axis": .int(-2)])
        try t.check(y, wrt: [a, b, c])
    }

    @Test("constant Pad (pads over all axes and over chosen axes) and unit-step Slice")
    func padAndSlice() throws {
        var t = OpGraph("pad", seed: 14)
        let x = t.input("x", [1, 2, 3, 4])
        let pads = t.constant("pads", .int64Vector([0, 0, 1, 2, 0, 1, 2, 0]))
        let p = try t.node(.pad, "p", [x, pads], ["mode": .string("constant")])
        try t.check(p, wrt: [x])
        let pads2 = t.constant("pads2", .int64Vector([1, 0, 2, 3]))
        let value = t.constant("value", .scalar(0.5))
        let p2 = try t.node(.pad, "p2", [x, pads2, value, t.constant("axes", .int64Vector([3, 1]))])
        try t.check(p2, wrt: [x])
        let s = try t.node(.slice, "s", [x, t.constant("starts", .int64Vector([1, -3])),
                                         t.constant("ends", .int64Vector([3, 100])), t.constant("saxes", .int64Vector([2, 3]))])
        try t.check(s, wrt: [x])
    }
}

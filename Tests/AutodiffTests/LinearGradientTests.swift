import Autodiff
import GraphIR
import Testing

/// Gemm, MatMul, reductions and softmax against central differences.
@Suite("Linear algebra, reduction and softmax gradients")
struct LinearGradientTests {
    @Test("Gemm with every transA/transB, alpha, beta and a broadcast C",
          arguments: [(false, false), (true, false), (false, true), (true, true)])
    func gemm(_ trans: (Bool, Bool)) throws {
        var t = OpGraph("gemm", seed: 15)
        let a = t.input("a", trans.0 ? [4, 3] : [3, 4])
        let b = t.parameter("b", trans.1 ? [5, 4] : [4, 5])
        let c = t.parameter("c", [5])
        let y = try t.node(.gemm, "y", [a, b, c], ["alpha": .float(0.5), "beta": .float(2),
                                                   "transA": .int(trans.0 ? 1 : 0), "transB": .int(trans.1 ? 1 : 0)])
        try t.check(y, wrt: [a, b, c])
    }

    static let matMulShapes: [([Int], [Int])] = [
        ([3, 4], [4, 2]), ([2, 3, 4], [4, 5]), ([2, 1, 3, 4], [3, 4, 2]), ([4], [4, 3]), ([2, 3, 4], [4]), ([4], [4]),
    ]

    @Test("MatMul with batch broadcasting and 1-D operands", arguments: matMulShapes)
    func matMul(_ shapes: ([Int], [Int])) throws {
        var t = OpGraph("matmul", seed: 16)
        let a = t.input("a", shapes.0), b = t.input("b", shapes.1)
        let y = try t.node(.matMul, "y", [a, b])
        try t.check(y, wrt: [a, b])
    }

    @Test("ReduceSum and ReduceMean with and without keepdims, and over all axes")
    func reduce() throws {
        for op in [OpKind.reduceSum, .reduceMean] {
            var t = OpGraph("reduce", seed: 17)
            let x = t.input("x", [2, 3, 4])
            let axes = t.constant("axes", .int64Vector([0, -1]))
            let kept = try t.node(op, "kept", [x, axes], ["keepdims": .int(1)])
            try t.check(kept, wrt: [x])
            let dropped = try t.node(op, "dropped", [x, axes], ["keepdims": .int(0)])
            try t.check(dropped, wrt: [x])
            let all = try t.node(op, "all", [x], ["keepdims": .int(0)])
            try t.check(all, wrt: [x])
        }
    }

    @Test("Softmax and LogSoftmax over the last and a middle axis")
    func softmax() throws {
        for op in [OpKind.softmax, .logSoftmax] {
            for axis in [-1, 1] {
                var t = OpGraph("softmax", seed: 18)
                let x = t.input("x", [2, 3, 4], range: (-2, 2))
                let y = try t.node(op, "y", [x], ["axis": .int(axis)])
                try t.check(y, wrt: [x])
            }
        }
    }
}

import GraphIR

extension VJP {
    /// Gemm: Y = alpha * op(A) op(B) + beta * C, each gradient itself one Gemm:
    /// - dA = alpha dY op(B)^T (transA = 0) or alpha op(B) dY^T (transA = 1);
    /// - dB = alpha op(A)^T dY (transB = 0) or alpha dY^T op(A) (transB = 1);
    /// - dC = beta dY summed over C's broadcast axes.
    static func gemm(_ c: inout VJPContext) throws -> [ValueID?] {
        let dy = try c.outputGradient()
        let a = try c.requiredInput(0), b = try c.requiredInput(1)
        let at = c.node.attributes
        let alpha = at.float("alpha") ?? 1, beta = at.float("beta") ?? 1
        let ta = (at.int("transA") ?? 0) != 0, tb = (at.int("transB") ?? 0) != 0
        func gemmAttributes(_ transA: Bool, _ transB: Bool) -> Attributes {
            ["alpha": .float(alpha), "beta": .float(0), "transA": .int(transA ? 1 : 0), "transB": .int(transB ? 1 : 0)]
        }
        var grads: [ValueID?] = Array(repeating: nil, count: c.node.inputs.count)
        if c.needs(0) {
            grads[0] = ta ? try c.emit1(.gemm, "dA", [b, dy], gemmAttributes(tb, true))
                          : try c.emit1(.gemm, "dA", [dy, b], gemmAttributes(false, !tb))
        }
        if c.needs(1) {
            grads[1] = tb ? try c.emit1(.gemm, "dB", [dy, a], gemmAttributes(true, ta))
                          : try c.emit1(.gemm, "dB", [a, dy], gemmAttributes(!ta, false))
        }
        if c.needs(2), let cv = c.input(2) {
            var scaled = dy
            if beta != 1 { scaled = try c.emit1(.mul, "dC_full", [dy, c.scalar("beta", Double(beta), like: dy)]) }
            grads[2] = try c.unbroadcast(scaled, to: c.shape(of: cv), "dC")
        }
        return grads
    }

    /// MatMul with numpy batch broadcasting. 1-D operands are promoted as MatMul does
    /// ([K] -> [1, K] on the left, [K, 1] on the right), then dA = dY B^T and
    /// dB = A^T dY, summed over broadcast batch axes and reshaped back.
    static func matMul(_ c: inout VJPContext) throws -> [ValueID?] {
        let dy = try c.outputGradient()
        let a = try c.requiredInput(0), b = try c.requiredInput(1)
        let sa = c.shape(of: a), sb = c.shape(of: b), sy = c.shape(of: dy)
        let a2 = sa.rank == 1 ? try c.reshape(a, to: Shape([1, sa[0]]), "A_2d") : a
        let b2 = sb.rank == 1 ? try c.reshape(b, to: Shape([sb[0], 1]), "B_2d") : b
        var promoted = sy.dims
        if sa.rank == 1 { promoted.insert(1, at: promoted.count - (sb.rank == 1 ? 0 : 1)) }
        if sb.rank == 1 { promoted.append(1) }
        let dy2 = try c.reshape(dy, to: Shape(promoted), "dY_promoted")
        func transposedLast2(_ v: ValueID, _ suffix: String) throws -> ValueID {
            let r = c.shape(of: v).rank
            return try c.emit1(.transpose, suffix, [v], ["perm": .ints(Array(0..<(r - 2)) + [r - 1, r - 2])])
        }
        var grads: [ValueID?] = [nil, nil]
        if c.needs(0) {
            let full = try c.emit1(.matMul, "dA_full", [dy2, try transposedLast2(b2, "B_T")])
            grads[0] = try c.reshape(try c.unbroadcast(full, to: c.shape(of: a2), "dA_2d"), to: sa, "dA")
        }
        if c.needs(1) {
            let full = try c.emit1(.matMul, "dB_full", [try transposedLast2(a2, "A_T"), dy2])
            grads[1] = try c.reshape(try c.unbroadcast(full, to: c.shape(of: b2), "dB_2d"), to: sb, "dB")
        }
        return grads
    }

    /// ReduceSum / ReduceMean: dY (unsqueezed back when keepdims = 0) broadcast to X's
    /// shape, divided by the reduced count for the mean.
    static func reduce(_ c: inout VJPContext) throws -> [ValueID?] {
        let dy = try c.outputGradient()
        let x = try c.requiredInput(0)
        let rank = c.shape(of: x).rank
        let keep = (c.node.attributes.int("keepdims") ?? 1) != 0
        let noop = (c.node.attributes.int("noop_with_empty_axes") ?? 0) != 0
        let given = try c.constantInts(1, "axes") ?? []
        if given.isEmpty && noop { return [dy, nil] }
        let axes = given.isEmpty ? Array(0..<rank) : given.map { $0 < 0 ? $0 + rank : $0 }.sorted()
        var g = dy
        if !keep { g = try c.emit1(.unsqueeze, "dY_kept", [dy, c.int64s("dY_kept_axes", axes)]) }
        var dx = try c.emit1(.broadcastLike, c.node.op == .reduceSum ? "dX" : "dX_sum", [g, x])
        if c.node.op == .reduceMean {
            let dims = c.shape(of: x)
            var count = 1
            for axis in axes {
                guard let n = dims[axis].value else { throw c.failure("ReduceMean's gradient needs static reduced axes") }
                count *= n
            }
            dx = try c.emit1(.mul, "dX", [dx, c.scalar("inv_count", 1 / Double(count), like: dy)])
        }
        return [dx, nil]
    }

    /// Softmax: dX = Y * (dY - sum(dY * Y)). LogSoftmax: dX = dY - exp(Y) * sum(dY).
    /// Sums run over the op's axis with keepdims.
    static func softmax(_ c: inout VJPContext) throws -> [ValueID?] {
        let dy = try c.outputGradient()
        let y = c.node.outputs[0]
        let rank = c.shape(of: y).rank
        let axisAttribute = c.node.attributes.int("axis") ?? -1
        let axes = c.int64s("axis", [axisAttribute < 0 ? axisAttribute + rank : axisAttribute])
        if c.node.op == .softmax {
            let dyY = try c.emit1(.mul, "dY_Y", [dy, y])
            let s = try c.emit1(.reduceSum, "dY_Y_sum", [dyY, axes], ["keepdims": .int(1)])
            let centered = try c.emit1(.sub, "centered", [dy, s])
            return [try c.emit1(.mul, "dX", [y, centered])]
        }
        return [try logSoftmaxGradient(&c, dy: dy, logProb: y, axes: axes, "dX")]
    }

    /// dY - exp(logProb) * sum(dY over axes), the LogSoftmax VJP in terms of its output.
    static func logSoftmaxGradient(_ c: inout VJPContext, dy: ValueID, logProb: ValueID, axes: ValueID,
                                   _ suffix: String) throws -> ValueID {
        let p = try c.emit1(.exp, "\(suffix)_softmax", [logProb])
        let s = try c.emit1(.reduceSum, "\(suffix)_dY_sum", [dy, axes], ["keepdims": .int(1)])
        let ps = try c.emit1(.mul, "\(suffix)_softmax_sum", [p, s])
        return try c.emit1(.sub, suffix, [dy, ps])
    }
}

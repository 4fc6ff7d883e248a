import GraphIR

extension VJP {
    /// Add, Sub, Mul, Div with numpy broadcasting; each operand's gradient is summed
    /// back over the axes it was broadcast along.
    /// Add: dA = dY, dB = dY. Sub: dB = -dY. Mul: dA = dY*B, dB = dY*A.
    /// Div: dA = dY/B, dB = -dY*Y/B (Y = A/B, so no second division by B is needed).
    static func binary(_ c: inout VJPContext) throws -> [ValueID?] {
        let dy = try c.outputGradient()
        let a = try c.requiredInput(0), b = try c.requiredInput(1)
        var da: ValueID? = nil, db: ValueID? = nil
        switch c.node.op {
        case .add:
            if c.needs(0) { da = dy }
            if c.needs(1) { db = dy }
        case .sub:
            if c.needs(0) { da = dy }
            if c.needs(1) { db = try c.emit1(.neg, "dB_full", [dy]) }
        case .mul:
            if c.needs(0) { da = try c.emit1(.mul, "dA_full", [dy, b]) }
            if c.needs(1) { db = try c.emit1(.mul, "dB_full", [dy, a]) }
        default:  // .div
            if c.needs(0) { da = try c.emit1(.div, "dA_full", [dy, b]) }
            if c.needs(1) {
                let y = c.node.outputs[0]
                let dyY = try c.emit1(.mul, "dY_Y", [dy, y])
                let q = try c.emit1(.div, "dY_Y_over_B", [dyY, b])
                db = try c.emit1(.neg, "dB_full", [q])
            }
        }
        return [try da.map { try c.unbroadcast($0, to: c.shape(of: a), "dA") },
                try db.map { try c.unbroadcast($0, to: c.shape(of: b), "dB") }]
    }

    /// Relu, LeakyRelu, Clip, Sigmoid, HardSigmoid, Swish, HardSwish: one ActivationGrad
    /// node of (dY, X) with the forward op's parameters (ONNX defaults filled in).
    static func activation(_ c: inout VJPContext) throws -> [ValueID?] {
        let dy = try c.outputGradient()
        let x = try c.requiredInput(0)
        let a = c.node.attributes
        var params: [Float] = []
        switch c.node.op {
        case .leakyRelu: params = [a.float("alpha") ?? 0.01]
        case .swish: params = [a.float("alpha") ?? 1]
        case .hardSigmoid: params = [a.float("alpha") ?? 0.2, a.float("beta") ?? 0.5]
        case .clip:
            params = [try c.constantScalar(1, "min") ?? -Float.greatestFiniteMagnitude,
                      try c.constantScalar(2, "max") ?? Float.greatestFiniteMagnitude]
        default: break
        }
        var attributes: Attributes = ["activation": .string(c.node.op.rawValue)]
        if !params.isEmpty { attributes["activation_params"] = .floats(params) }
        let dx = try c.emit1(.activationGrad, "dX", [dy, x], attributes)
        return [dx] + Array(repeating: nil, count: c.node.inputs.count - 1)
    }

    /// Tanh: dY*(1-Y^2). Exp: dY*Y. Log: dY/X. Neg: -dY. Sqrt: dY/(2Y).
    /// Reciprocal: -dY*Y^2.
    static func unaryMath(_ c: inout VJPContext) throws -> [ValueID?] {
        let dy = try c.outputGradient()
        let x = try c.requiredInput(0), y = c.node.outputs[0]
        switch c.node.op {
        case .tanh:
            let y2 = try c.emit1(.mul, "Y2", [y, y])
            let one = c.scalar("one", 1, like: y)
            let slope = try c.emit1(.sub, "slope", [one, y2])
            return [try c.emit1(.mul, "dX", [dy, slope])]
        case .exp:
            return [try c.emit1(.mul, "dX", [dy, y])]
        case .log:
            return [try c.emit1(.div, "dX", [dy, x])]
        case .neg:
            return [try c.emit1(.neg, "dX", [dy])]
        case .sqrt:
            let two = c.scalar("two", 2, like: y)
            let twiceY = try c.emit1(.mul, "twice_Y", [y, two])
            return [try c.emit1(.div, "dX", [dy, twiceY])]
        default:  // .reciprocal
            let y2 = try c.emit1(.mul, "Y2", [y, y])
            let p = try c.emit1(.mul, "dY_Y2", [dy, y2])
            return [try c.emit1(.neg, "dX", [p])]
        }
    }

    /// Identity, Dropout at inference (no training_mode, or a constant false one) and
    /// Cast between float types pass the gradient through (Cast converts it back).
    static func passThrough(_ c: inout VJPContext) throws -> [ValueID?] {
        let dy = try c.outputGradient()
        let x = try c.requiredInput(0)
        let rest = Array(repeating: ValueID?.none, count: c.node.inputs.count - 1)
        switch c.node.op {
        case .dropout:
            if c.input(2) != nil, (try c.constantInts(2, "training_mode"))?.first != 0 {
                throw c.failure("Dropout in training mode is not differentiable here (its mask is random)")
            }
            return [dy] + rest
        case .cast:
            let from = c.type(of: x).dtype
            guard from.isFloatingPoint else { return [nil] }
            if c.type(of: dy).dtype == from { return [dy] }
            return [try c.emit1(.cast, "dX", [dy], ["to": .string(from.rawValue)])]
        default:
            return [dy] + rest
        }
    }

    /// BroadcastLike(X, like): dX is dY summed back to X's shape; `like` is only a shape.
    static func broadcastLike(_ c: inout VJPContext) throws -> [ValueID?] {
        let dy = try c.outputGradient()
        let x = try c.requiredInput(0)
        return [try c.unbroadcast(dy, to: c.shape(of: x), "dX"), nil]
    }
}

import GraphIR

/// The optimizer update nodes of a training graph (formulas in `Optimizer`).
extension TrainingGraph {
    static func appendOptimizer(_ e: inout GraphEditor, _ optimizer: Optimizer, params: [ValueID],
                                gradients: [ValueID], learningRate lr: ValueID) throws -> [StateUpdate] {
        var updates: [StateUpdate] = []
        let iterations = try e.state("optimizer/iterations", Tensor(shape: [], int64s: [0]))
        let one64 = e.constant("optimizer/one_i64", Tensor(shape: [], int64s: [1]))
        updates.append(StateUpdate(state: iterations,
                                   newValue: try e.node(.add, "optimizer/iterations:updated", [iterations, one64])))
        switch optimizer {
        case .adam(_, let beta1, let beta2, let epsilon):
            let b1 = e.constant("optimizer/beta1", .scalar(beta1)), b2 = e.constant("optimizer/beta2", .scalar(beta2))
            let one = e.constant("optimizer/one", .scalar(1))
            let b1Power = try e.state("optimizer/beta1_power", .scalar(1))
            let b2Power = try e.state("optimizer/beta2_power", .scalar(1))
            let b1t = try e.node(.mul, "optimizer/beta1_power:updated", [b1Power, b1])
            let b2t = try e.node(.mul, "optimizer/beta2_power:updated", [b2Power, b2])
            updates += [StateUpdate(state: b1Power, newValue: b1t), StateUpdate(state: b2Power, newValue: b2t)]
            // lr_t = lr * sqrt(1 - b2^t) / (1 - b1^t)
            let root = try e.node(.sqrt, "optimizer/sqrt_one_minus_beta2_power", [try e.node(.sub, "optimizer/one_minus_beta2_power", [one, b2t])])
            let correction = try e.node(.div, "optimizer/bias_correction", [root, try e.node(.sub, "optimizer/one_minus_beta1_power", [one, b1t])])
            let lrT = try e.node(.mul, "optimizer/lr_t", [lr, correction])
            let oneMinusB1 = e.constant("optimizer/one_minus_beta1", .scalar(1 - beta1))
            let oneMinusB2 = e.constant("optimizer/one_minus_beta2", .scalar(1 - beta2))
            let eps = e.constant("optimizer/epsilon", .scalar(epsilon))
            for (p, g) in zip(params, gradients) {
                let name = e.graph[p].name, prefix = "optimizer/\(e.graph[p].name)"
                let zeros = try zerosLike(e.graph, p)
                let m = try e.state("\(prefix)/m", zeros), v = try e.state("\(prefix)/v", zeros)
                let mNew = try e.node(.add, "\(prefix)/m:updated", [
                    try e.node(.mul, "\(prefix)/m_decayed", [m, b1]), try e.node(.mul, "\(prefix)/g_scaled", [g, oneMinusB1])])
                let g2 = try e.node(.mul, "\(prefix)/g_squared", [g, g])
                let vNew = try e.node(.add, "\(prefix)/v:updated", [
                    try e.node(.mul, "\(prefix)/v_decayed", [v, b2]), try e.node(.mul, "\(prefix)/g_squared_scaled", [g2, oneMinusB2])])
                let denominator = try e.node(.add, "\(prefix)/denominator", [try e.node(.sqrt, "\(prefix)/sqrt_v", [vNew]), eps])
                let step = try e.node(.div, "\(prefix)/step", [try e.node(.mul, "\(prefix)/m_lr", [mNew, lrT]), denominator])
                let pNew = try e.node(.sub, "\(name):updated", [p, step])
                updates += [StateUpdate(state: p, newValue: pNew), StateUpdate(state: m, newValue: mNew),
                            StateUpdate(state: v, newValue: vNew)]
            }
        case .sgd(_, let momentum):
            let mu = e.constant("optimizer/momentum", .scalar(momentum))
            for (p, g) in zip(params, gradients) {
                let name = e.graph[p].name, prefix = "optimizer/\(e.graph[p].name)"
                let scaled = try e.node(.mul, "\(prefix)/g_lr", [g, lr])
                if momentum == 0 {
                    updates.append(StateUpdate(state: p, newValue: try e.node(.sub, "\(name):updated", [p, scaled])))
                    continue
                }
                let velocity = try e.state("\(prefix)/velocity", try zerosLike(e.graph, p))
                let vNew = try e.node(.sub, "\(prefix)/velocity:updated", [
                    try e.node(.mul, "\(prefix)/velocity_decayed", [velocity, mu]), scaled])
                updates += [StateUpdate(state: p, newValue: try e.node(.add, "\(name):updated", [p, vNew])),
                            StateUpdate(state: velocity, newValue: vNew)]
            }
        }
        return updates
    }

    static func zerosLike(_ g: Graph, _ p: ValueID) throws -> Tensor {
        guard let dims = g[p].type.shape.staticDims, g[p].type.dtype == .float32 else {
            throw AutodiffError(node: g[p].name, message: "trainable parameters must be static f32, found \(g[p].type)")
        }
        return Tensor(shape: dims, floats: Array(repeating: 0, count: dims.reduce(1, *)))
    }
}

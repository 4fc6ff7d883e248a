import GraphIR

extension GraphEditor {
    /// A conv-type node that can still absorb something after it: a `Conv`, or a
    /// `FusedConv` without an activation yet.
    func isOpenConv(_ n: NodeID) -> Bool {
        let node = self[n]
        if node.op == .conv { return true }
        return node.op == .fusedConv && (node.attributes.string("activation") ?? "").isEmpty
    }

    /// The operands of a FusedConv built from `conv` (a Conv or FusedConv): X, W, B?, Z?.
    func fusedOperands(of conv: Node, residual: ValueID? = nil) -> [ValueID?] {
        var inputs = conv.inputs
        while inputs.count < 3 { inputs.append(nil) }
        if let residual { inputs = Array(inputs.prefix(3)) + [residual] }
        while inputs.count > 2, inputs.last == .some(nil) { inputs.removeLast() }
        return inputs
    }
}

/// Fuses `Conv` (or an activation-free `FusedConv`) followed by `Relu`, `Clip` with
/// constant bounds, `Sigmoid`, `Swish` (alpha 1), `LeakyRelu` or `HardSigmoid` into one
/// `FusedConv` with `activation` and `activation_params`. The conv's output must be
/// read only by the activation and not be observed; the fused node takes the
/// activation's position, node name and output value.
public struct FuseConvActivationRule: RewriteRule {
    public init() {}
    public var name: String { "fuse-conv-activation" }
    public var rootOps: Set<OpKind> { [.relu, .clip, .sigmoid, .swish, .leakyRelu, .hardSigmoid] }

    public struct Match {
        var activation: NodeID
        var conv: NodeID
        var kind: String
        var params: [Float]
    }

    public func match(_ n: NodeID, in graph: GraphEditor) -> Match? {
        let act = graph[n]
        guard let link = act.inputs.first ?? nil, graph.isPrivateLink(link, to: n),
              let c = graph.producer(of: link), graph.isOpenConv(c), graph[c].outputs.count == 1,
              let (kind, params) = Self.activation(act, graph) else { return nil }
        return Match(activation: n, conv: c, kind: kind, params: params)
    }

    /// The FusedConv activation name and parameters for activation node `act`, or nil.
    static func activation(_ act: Node, _ graph: GraphEditor) -> (String, [Float])? {
        let a = act.attributes
        switch act.op {
        case .relu: return ("Relu", [])
        case .sigmoid: return ("Sigmoid", [])
        case .swish: return (a.float("alpha") ?? 1) == 1 ? ("Swish", []) : nil
        case .leakyRelu: return ("LeakyRelu", [a.float("alpha") ?? 0.01])
        case .hardSigmoid: return ("HardSigmoid", [a.float("alpha") ?? 0.2, a.float("beta") ?? 0.5])
        case .clip:
            func bound(_ k: Int, _ fallback: Float) -> Float? {
                guard k < act.inputs.count, let v = act.inputs[k] else { return fallback }
                guard let t = graph.data(of: v), t.elementCount == 1, t.dtype == .float32 else { return nil }
                return t.floatValues[0]
            }
            guard let lo = bound(1, -Float.greatestFiniteMagnitude), let hi = bound(2, Float.greatestFiniteMagnitude)
            else { return nil }
            return ("Clip", [lo, hi])
        default:
            return nil
        }
    }

    public func apply(_ m: Match, to graph: inout GraphEditor) throws -> RewriteChange {
        let conv = graph[m.conv], act = graph[m.activation]
        var attributes = conv.attributes
        attributes["activation"] = .string(m.kind)
        if !m.params.isEmpty { attributes["activation_params"] = .floats(m.params) }
        graph.removeNode(m.conv)
        graph.replaceNode(m.activation, with: Node(name: act.name, op: .fusedConv, inputs: graph.fusedOperands(of: conv),
                                                   outputs: act.outputs, attributes: attributes))
        return RewriteChange(nodes: [m.activation], values: act.outputs)
    }
}

/// Rewrites `Mul(x, Sigmoid(x))` (either operand order) into `Swish(x)`, so that the
/// activation rule can fuse it. The sigmoid's output must be read only by the Mul and
/// not be observed; the Swish takes the Mul's position, name and output.
public struct SigmoidMulToSwishRule: RewriteRule {
    public init() {}
    public var name: String { "sigmoid-mul-to-swish" }
    public var rootOps: Set<OpKind> { [.mul] }

    public func match(_ n: NodeID, in graph: GraphEditor) -> (mul: NodeID, sigmoid: NodeID, x: ValueID)? {
        let mul = graph[n]
        guard mul.inputs.count == 2, let a = mul.inputs[0], let b = mul.inputs[1] else { return nil }
        for (s, x) in [(b, a), (a, b)] {
            guard let p = graph.producer(of: s), graph[p].op == .sigmoid, graph[p].inputs.first == x,
                  graph.isPrivateLink(s, to: n), graph[x].type == graph[mul.outputs[0]].type else { continue }
            return (n, p, x)
        }
        return nil
    }

    public func apply(_ m: (mul: NodeID, sigmoid: NodeID, x: ValueID), to graph: inout GraphEditor) throws -> RewriteChange {
        let mul = graph[m.mul]
        graph.removeNode(m.sigmoid)
        graph.replaceNode(m.mul, with: Node(name: mul.name, op: .swish, inputs: [m.x], outputs: mul.outputs))
        return RewriteChange(nodes: [m.mul], values: [m.x])
    }
}

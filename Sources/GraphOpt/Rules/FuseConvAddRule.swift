import GraphIR

/// Fuses a residual block tail: `Conv` (or an activation-free `FusedConv` without a
/// residual) whose output is read only by an `Add` whose other operand has the same
/// type, optionally followed by a `Relu` that is the Add's only reader, into one
/// `FusedConv(X, W, B?, Z = other operand)` with `activation` "Relu" when absorbed.
///
/// Neither the conv's output nor (when a Relu is absorbed) the Add's output may be
/// observed. When both Add operands qualify, the conv computed later is fused (its
/// partner is then already available). The fused node takes the position, node name
/// and output value of the last op absorbed, so `conv5_block3_out` survives.
public struct FuseConvAddRule: RewriteRule {
    public init() {}
    public var name: String { "fuse-conv-add" }
    public var rootOps: Set<OpKind> { [.add] }

    public struct Match {
        var add: NodeID
        var conv: NodeID
        var residual: ValueID
        var relu: NodeID?
    }

    public func match(_ n: NodeID, in graph: GraphEditor) -> Match? {
        let add = graph[n]
        guard add.inputs.count == 2, let a = add.inputs[0], let b = add.inputs[1], a != b,
              let out = add.outputs.first else { return nil }
        let candidates = [(a, b), (b, a)].compactMap { link, other -> (NodeID, ValueID)? in
            guard graph.isPrivateLink(link, to: n), let c = graph.producer(of: link), graph.isOpenConv(c),
                  graph[c].inputs.count < 4 || graph[c].inputs[3] == nil,
                  graph[link].type == graph[other].type, graph[link].type == graph[out].type else { return nil }
            return (c, other)
        }
        guard let (conv, residual) = candidates.max(by: { $0.0 < $1.0 }) else { return nil }
        var relu: NodeID? = nil
        if !graph.isObserved(out), let r = graph.singleUser(of: out), graph[r].op == .relu { relu = r }
        return Match(add: n, conv: conv, residual: residual, relu: relu)
    }

    public func apply(_ m: Match, to graph: inout GraphEditor) throws -> RewriteChange {
        let conv = graph[m.conv]
        let last = m.relu ?? m.add
        let tail = graph[last]
        var attributes = conv.attributes
        if m.relu != nil { attributes["activation"] = .string("Relu") }
        let operands = graph.fusedOperands(of: conv, residual: m.residual)
        graph.removeNode(m.conv)
        if m.relu != nil { graph.removeNode(m.add) }
        graph.replaceNode(last, with: Node(name: tail.name, op: .fusedConv, inputs: operands,
                                           outputs: tail.outputs, attributes: attributes))
        return RewriteChange(nodes: [last], values: tail.outputs)
    }
}

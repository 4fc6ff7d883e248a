import GraphIR

/// Collapses a chain `Reshape/Flatten -> Reshape/Flatten` into one `Reshape` of the
/// chain's input. The target is a constant of the result's shape when that is static,
/// or the outer Reshape's own constant target when it has no `0` (copy) entries, which
/// stay correct for any input of the same element count.
public struct CollapseReshapesRule: RewriteRule {
    public init() {}
    public var name: String { "collapse-reshapes" }
    public var rootOps: Set<OpKind> { [.reshape, .flatten] }

    public struct Match {
        var node: NodeID
        var source: ValueID
        var link: ValueID
        var target: Target
    }

    enum Target {
        case existing(ValueID)
        case new([Int])
    }

    public func match(_ n: NodeID, in graph: GraphEditor) -> Match? {
        let node = graph[n]
        guard let link = node.inputs.first ?? nil, !graph.isObserved(link),
              let inner = graph.producer(of: link), [.reshape, .flatten].contains(graph[inner].op),
              let source = graph[inner].inputs.first ?? nil, let out = node.outputs.first else { return nil }
        if let dims = graph[out].type.shape.staticDims {
            return Match(node: n, source: source, link: link, target: .new(dims))
        }
        if node.op == .reshape, (node.attributes.int("allowzero") ?? 0) == 0,
           let t = node.inputs[1], let shape = graph.data(of: t)?.intValues, !shape.contains(0) {
            return Match(node: n, source: source, link: link, target: .existing(t))
        }
        return nil
    }

    public func apply(_ m: Match, to graph: inout GraphEditor) throws -> RewriteChange {
        let old = graph[m.node]
        let target: ValueID
        switch m.target {
        case .existing(let t):
            target = t
        case .new(let dims):
            let data = Tensor.int64Vector(dims)
            target = graph.addValue(Value(name: old.name + "/shape", type: data.type, role: .constant, data: data),
                                    after: m.link)
        }
        graph.replaceNode(m.node, with: Node(name: old.name, op: .reshape, inputs: [m.source, target],
                                             outputs: old.outputs))
        return RewriteChange(nodes: [m.node], values: [m.link])
    }
}

/// Removes a `Reshape` or `Flatten` whose output type equals its input type.
public struct RemoveNoOpReshapeRule: RewriteRule {
    public init() {}
    public var name: String { "remove-noop-reshape" }
    public var rootOps: Set<OpKind> { [.reshape, .flatten, .squeeze, .unsqueeze] }

    public func match(_ n: NodeID, in graph: GraphEditor) -> (NodeID, ValueID, ValueID)? {
        let node = graph[n]
        guard let x = node.inputs.first ?? nil, let y = node.outputs.first,
              graph[x].type == graph[y].type, graph.canBypass(input: x, output: y) else { return nil }
        return (n, x, y)
    }

    public func apply(_ m: (NodeID, ValueID, ValueID), to graph: inout GraphEditor) throws -> RewriteChange {
        graph.bypass(m.0, input: m.1, output: m.2)
    }
}

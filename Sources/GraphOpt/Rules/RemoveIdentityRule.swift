import GraphIR

extension GraphEditor {
    /// Whether node `n`, which passes `x` through unchanged as `y`, can be removed: always
    /// when `y` is not observed; when it is, only if `x` can take over `y`'s name (an
    /// unobserved intermediate), so the observed name survives.
    func canBypass(input x: ValueID, output y: ValueID) -> Bool {
        guard self[x].type == self[y].type else { return false }
        if !isObserved(y) { return true }
        return producer(of: x) != nil && !isObserved(x)
    }

    /// Removes pass-through node `n`, rewiring readers of `y` to `x`; an observed `y`
    /// hands its name to `x`. Call only when `canBypass` holds.
    mutating func bypass(_ n: NodeID, input x: ValueID, output y: ValueID) -> RewriteChange {
        let keepName = isObserved(y) ? self[y].name : nil
        removeNode(n)
        replaceUses(of: y, with: x)
        if let keepName {
            rename(y, to: keepName + "#removed")
            rename(x, to: keepName)
        }
        return RewriteChange(values: [x])
    }
}

/// Removes `Identity` and inference-mode `Dropout` (no `training_mode`, or a constant
/// false one; mask output unused), rewiring their readers to the input.
public struct RemoveIdentityRule: RewriteRule {
    public init() {}
    public var name: String { "remove-identity" }
    public var rootOps: Set<OpKind> { [.identity, .dropout] }

    public struct Match {
        var node: NodeID
        var input: ValueID
        var output: ValueID
    }

    public func match(_ n: NodeID, in graph: GraphEditor) -> Match? {
        let node = graph[n]
        guard let first = node.inputs.first, let x = first, let y = node.outputs.first else { return nil }
        if node.op == .dropout {
            if node.outputs.count > 1 {
                let mask = node.outputs[1]
                guard graph.users(of: mask).isEmpty, !graph.isObserved(mask) else { return nil }
            }
            if node.inputs.count > 2, let mode = node.inputs[2] {
                guard let t = graph.data(of: mode), let flags = t.intValues, flags.allSatisfy({ $0 == 0 }) else { return nil }
            }
        }
        guard graph.canBypass(input: x, output: y) else { return nil }
        return Match(node: n, input: x, output: y)
    }

    public func apply(_ m: Match, to graph: inout GraphEditor) throws -> RewriteChange {
        graph.bypass(m.node, input: m.input, output: m.output)
    }
}

import GraphIR

extension SpecializedGraph {
    /// The graph as the runtime executes it: nodes evaluated at compile time are gone,
    /// their outputs (and constant inputs) are constants carrying their data, and every
    /// parameter or constant keeps its data. The optimizer and the memory planner work on
    /// this graph, so neither sees work that is already done.
    func lowered(constantInputs: Set<String>) -> Graph {
        var g = graph
        for i in g.values.indices {
            guard let t = known[i] else { continue }
            g.values[i].data = t
            let isConstantInput = g.values[i].role == .input && constantInputs.contains(g.values[i].name)
            if g.values[i].role == .intermediate || isConstantInput { g.values[i].role = .constant }
        }
        let values = g.values
        g.inputs.removeAll { constantInputs.contains(values[$0.index].name) }
        return g.compacted(keepingNodes: { !folded[$0.index] })
    }

    /// Contents of the values computed at compile time (outputs of folded nodes and
    /// constant inputs), by name: what `values(named:)` can still answer for values that
    /// optimization removed. Parameters are left out so the program never keeps a second
    /// copy of the weights.
    var computedByName: [String: Tensor] {
        var map: [String: Tensor] = [:]
        for (i, t) in known.enumerated() {
            let v = graph.values[i]
            if let t, v.role == .intermediate || v.role == .input, map[v.name] == nil { map[v.name] = t }
        }
        return map
    }
}

extension Graph {
    /// Throws for a parameter or constant that a node reads but that has no data.
    func checkWeightsPresent() throws {
        var read = Array(repeating: false, count: values.count)
        for node in nodes { for case let v? in node.inputs { read[v.index] = true } }
        for id in outputs { read[id.index] = true }
        for (i, v) in values.enumerated() where read[i] && v.data == nil && (v.role == .parameter || v.role == .constant) {
            throw RuntimeError(.value, v.name, "\(v.role.rawValue) has no data; build the graph with weights")
        }
    }
}

import GraphIR

extension XMLGraphEncoder {
    /// Rejects what the reader would reject, before anything is written.
    func check(_ graph: Graph) throws {
        try checkText(graph.name, "graph name")
        var valueNames = Set<String>()
        for v in graph.values {
            guard !v.name.isEmpty else { throw fail("a value has an empty name") }
            try checkText(v.name, "value name")
            if let bad = v.type.shape.dims.first(where: { !isStorableDim($0) }) {
                throw fail("value '\(v.name)': dimension '\(bad)' cannot be written in a shape")
            }
            guard valueNames.insert(v.name).inserted else { throw fail("duplicate value name '\(v.name)'") }
            if let data = v.data {
                guard v.role == .parameter || v.role == .constant else {
                    throw fail("\(v.role.rawValue) value '\(v.name)' carries data; only parameters and constants can")
                }
                guard data.type == v.type else {
                    throw fail("value '\(v.name)' is declared \(v.type) but its data is \(data.type)")
                }
            }
        }
        func checkID(_ id: ValueID, _ what: String) throws {
            guard graph.values.indices.contains(id.index) else { throw fail("\(what) refers to missing value \(id)") }
        }
        for id in graph.inputs { try checkID(id, "graph input") }
        for id in graph.outputs { try checkID(id, "graph output") }
        var nodeNames = Set<String>()
        for n in graph.nodes {
            guard !n.name.isEmpty else { throw fail("a node has an empty name") }
            try checkText(n.name, "node name")
            guard nodeNames.insert(n.name).inserted else { throw fail("duplicate node name '\(n.name)'") }
            for case let id? in n.inputs { try checkID(id, "input of node '\(n.name)'") }
            for id in n.outputs { try checkID(id, "output of node '\(n.name)'") }
            let schema = n.op.schema
            for (key, value) in n.attributes {
                guard let kind = schema.attributes[key], kind.matches(value) else {
                    throw fail("node '\(n.name)': \(n.op.rawValue) has no \(value.kindName) attribute '\(key)'")
                }
                switch value {
                case .string(let s): try checkText(s, "attribute '\(key)' of node '\(n.name)'")
                case .strings(let a): for s in a { try checkText(s, "attribute '\(key)' of node '\(n.name)'") }
                default: break
                }
            }
        }
    }

    private func checkText(_ s: String, _ what: String) throws {
        guard isXMLRepresentable(s) else { throw fail("\(what) '\(s.debugDescription)' contains control characters XML cannot hold") }
    }

    /// A size must not be negative; a symbol must read back as a symbol: not empty, no
    /// commas or spaces, not numeric.
    private func isStorableDim(_ d: Dim) -> Bool {
        guard case .symbolic(let s) = d else { return (d.value ?? 0) >= 0 }
        guard let c = s.first, !c.isNumber, c != "-", c != "+" else { return false }
        return !s.contains { $0 == "," || $0.isWhitespace } && isXMLRepresentable(s)
    }
}

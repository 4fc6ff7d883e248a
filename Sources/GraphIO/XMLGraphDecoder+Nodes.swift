import GraphIR

extension XMLGraphDecoder {
    mutating func decodeNodes(_ section: XMLTreeElement?) throws {
        guard let section else { return }
        try checkAttributes(section, allowed: [])
        try checkChildren(section, allowed: ["node"])
        var nodeLineByName: [String: Int] = [:]
        for element in section.children {
            let node = try decodeNode(element)
            if let line = nodeLineByName[node.name] {
                throw fail(.duplicateName, element, "duplicate node name '\(node.name)' (first defined on line \(line))")
            }
            nodeLineByName[node.name] = element.line
            appendNode(node, element: element)
        }
    }

    private func decodeNode(_ element: XMLTreeElement) throws -> Node {
        try checkAttributes(element, allowed: ["name", "op"])
        try checkChildren(element, allowed: ["input", "output", "attribute"])
        let name = try required(element, "name")
        guard !name.isEmpty else { throw fail(.invalidValue, element, "node names must not be empty") }
        let opName = try required(element, "op")
        guard let op = OpKind(rawValue: opName) else {
            throw fail(.unknownOp, element, "unknown op '\(opName)'\(Self.suggestion(for: opName)); valid ops include "
                       + OpKind.allCases.prefix(8).map(\.rawValue).joined(separator: ", ")
                       + " (\(OpKind.allCases.count) in all)")
        }
        let schema = op.schema
        var inputs: [ValueID?] = []
        var outputs: [ValueID] = []
        var attributes = Attributes()
        for child in element.children {
            switch child.name {
            case "input":
                try checkAttributes(child, allowed: ["ref"])
                try checkChildren(child, allowed: [])
                let ref = child.attribute("ref") ?? ""
                inputs.append(ref.isEmpty ? nil : try readableInput(ref, child, node: name))
            case "output":
                try checkAttributes(child, allowed: ["ref"])
                try checkChildren(child, allowed: [])
                let id = try lookup(try required(child, "ref"), in: child, what: "output of node '\(name)'")
                guard !outputs.contains(id) else {
                    throw fail(.duplicateName, child, "node '\(name)' lists output '\(graph[id].name)' twice")
                }
                outputs.append(try writableOutput(id, child, node: name))
            default:
                let (key, value) = try decodeAttribute(child, op: op, schema: schema)
                guard attributes[key] == nil else {
                    throw fail(.duplicateName, child, "node '\(name)' sets attribute '\(key)' twice")
                }
                attributes[key] = value
            }
        }
        guard schema.inputs.contains(inputs.count) else {
            throw fail(.inconsistentGraph, element, "\(op.rawValue) takes \(Self.arity(schema.inputs)) inputs, node '\(name)' has \(inputs.count)")
        }
        guard schema.outputs.contains(outputs.count) else {
            throw fail(.inconsistentGraph, element, "\(op.rawValue) has \(Self.arity(schema.outputs)) outputs, node '\(name)' lists \(outputs.count)")
        }
        return Node(name: name, op: op, inputs: inputs, outputs: outputs, attributes: attributes)
    }

    private mutating func appendNode(_ node: Node, element: XMLTreeElement) {
        graph.addNode(node)
        nodeElements.append(element)
    }

    /// An input must be defined, and an intermediate must already be computed by an
    /// earlier node: nodes are stored in topological order.
    private func readableInput(_ ref: String, _ element: XMLTreeElement, node: String) throws -> ValueID {
        let id = try lookup(ref, in: element, what: "input of node '\(node)'")
        if graph[id].role == .intermediate, graph[id].producer == nil {
            throw fail(.inconsistentGraph, element,
                       "node '\(node)' reads '\(ref)' before any node computes it (nodes must be in topological order)")
        }
        return id
    }

    private func writableOutput(_ id: ValueID, _ element: XMLTreeElement, node: String) throws -> ValueID {
        let value = graph[id]
        guard value.role == .intermediate else {
            throw fail(.inconsistentGraph, element, "node '\(node)' writes '\(value.name)', a \(value.role.rawValue); node outputs must be intermediate values")
        }
        if let producer = value.producer {
            throw fail(.duplicateName, element, "'\(value.name)' is already computed by node '\(graph[producer].name)'")
        }
        return id
    }

    // MARK: Attributes

    /// `<attribute name= kind= value=>`; `strings` hold `<item value=>` children and
    /// `tensor` one `<tensor>` child.
    private func decodeAttribute(_ element: XMLTreeElement, op: OpKind,
                                 schema: OpSchema) throws -> (String, AttributeValue) {
        let name = try required(element, "name")
        let kindText = try required(element, "kind")
        guard let kind = AttributeKind(rawValue: kindText) else {
            throw fail(.unknownAttributeKind, element,
                       "unknown attribute kind '\(kindText)' (expected int, float, string, ints, floats, strings or tensor)")
        }
        guard let expected = schema.attributes[name] else {
            let valid = schema.attributes.keys.sorted().joined(separator: ", ")
            throw fail(.unknownAttribute, element, "unknown attribute '\(name)' for \(op.rawValue) "
                       + (valid.isEmpty ? "(it takes no attributes)" : "(valid: \(valid))"))
        }
        let value: AttributeValue
        switch kind {
        case .strings:
            try checkAttributes(element, allowed: ["name", "kind"])
            try checkChildren(element, allowed: ["item"])
            value = .strings(try element.children.map { item in
                try checkAttributes(item, allowed: ["value"])
                try checkChildren(item, allowed: [])
                return try required(item, "value")
            })
        case .tensor:
            try checkAttributes(element, allowed: ["name", "kind"])
            try checkChildren(element, allowed: ["tensor"])
            guard element.children.count == 1 else {
                throw fail(.invalidValue, element, "a tensor attribute holds exactly one <tensor>")
            }
            value = .tensor(try inlineTensor(element.children[0]))
        default:
            try checkAttributes(element, allowed: ["name", "kind", "value"])
            try checkChildren(element, allowed: [])
            let text = try required(element, "value")
            value = try field(element) { () throws(XMLFieldError) -> AttributeValue in
                switch kind {
                case .int: return .int(try XMLTextCoding.parseInt(text))
                case .float: return .float(try XMLTextCoding.parseFloat(text))
                case .ints: return .ints(try XMLTextCoding.parseInts(text))
                case .floats: return .floats(try XMLTextCoding.parseFloats(text))
                default: return .string(text)
                }
            }
        }
        guard expected.matches(value) else {
            throw fail(.typeMismatch, element, "attribute '\(name)' of \(op.rawValue) must be \(expected.rawValue), found \(kind.rawValue)")
        }
        return (name, value)
    }

    // MARK: Whole-graph checks

    /// Every intermediate value must be computed by some node.
    func checkProducers() throws {
        for (i, v) in graph.values.enumerated() where v.role == .intermediate && v.producer == nil {
            throw fail(.inconsistentGraph, valueElements[i], "intermediate value '\(v.name)' is not computed by any node")
        }
    }

    /// Runs shape inference node by node (constants from value data) and compares the
    /// result with the stored output types.
    func checkInferredTypes() throws {
        for (i, node) in graph.nodes.enumerated() {
            let ctx = InferenceContext(inputs: node.inputs.map { $0.map { graph[$0].type } },
                                       constants: node.inputs.map { $0.flatMap { graph[$0].data } },
                                       attributes: node.attributes)
            let inferred: [TensorType]
            do {
                inferred = try node.op.inferOutputTypes(ctx)
            } catch {
                throw fail(.typeMismatch, nodeElements[i], "node '\(node.name)' (\(node.op.rawValue)): \(error)")
            }
            for (k, out) in node.outputs.enumerated() where k >= inferred.count || inferred[k] != graph[out].type {
                let got = k < inferred.count ? "\(inferred[k])" : "no output \(k)"
                throw fail(.typeMismatch, nodeElements[i],
                           "node '\(node.name)' (\(node.op.rawValue)): output '\(graph[out].name)' is stored as \(graph[out].type) but shape inference gives \(got)")
            }
        }
    }

    static func arity(_ r: ClosedRange<Int>) -> String {
        r.lowerBound == r.upperBound ? "\(r.lowerBound)" : r.upperBound == Int.max ? "\(r.lowerBound) or more" : "\(r.lowerBound) to \(r.upperBound)"
    }

    /// " (did you mean 'Conv'?)" for a near miss: at most two edits away, ignoring case.
    static func suggestion(for name: String) -> String {
        let lower = Array(name.lowercased())
        func distance(_ b: [Character]) -> Int {
            var row = Array(0...b.count)
            for (i, ca) in lower.enumerated() {
                var prev = row[0]
                row[0] = i + 1
                for (j, cb) in b.enumerated() {
                    let current = row[j + 1]
                    row[j + 1] = min(row[j + 1] + 1, row[j] + 1, prev + (ca == cb ? 0 : 1))
                    prev = current
                }
            }
            return row[b.count]
        }
        let best = OpKind.allCases.map { ($0.rawValue, distance(Array($0.rawValue.lowercased()))) }
            .min { $0.1 < $1.1 }
        guard let best, best.1 <= 2 else { return "" }
        return " (did you mean '\(best.0)'?)"
    }
}

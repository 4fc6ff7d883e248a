/// Every problem the verifier found in one graph. Each problem names the node or value
/// at fault, e.g. `conv2_block1_1_conv: input has 64 channels but the weight expects 128`.
public struct VerifyError: Error, Equatable, CustomStringConvertible {
    public var graphName: String
    public var problems: [String]

    public init(graphName: String, problems: [String]) {
        self.graphName = graphName
        self.problems = problems
    }

    public var description: String {
        "graph \(graphName) failed verification with \(problems.count) problem(s):\n"
            + problems.map { "  " + $0 }.joined(separator: "\n")
    }
}

extension Graph {
    /// Checks structural and type invariants and throws a `VerifyError` listing every
    /// problem found. Parameters without data are accepted (structure-only graphs).
    public func verify() throws { try verify(requireWeights: false) }

    /// Checks the graph:
    /// - ids (node operands, graph inputs/outputs, producers) are in range;
    /// - value and node names are non-empty and unique;
    /// - every intermediate has exactly one producing node, which its `producer` names;
    ///   inputs, parameters and constants have none; graph inputs have role `.input`
    ///   and every `.input` value is listed as a graph input;
    /// - nodes are in topological order (a node reads only graph inputs, parameters,
    ///   constants or outputs of earlier nodes); cycles are named;
    /// - every node matches its op schema (input/output arity, omitted operands only in
    ///   optional positions, attribute names and kinds);
    /// - re-inferred output types equal the stored ones;
    /// - parameter/constant data, when present, matches the declared type, and when
    ///   `requireWeights` is true every parameter and constant has data.
    public func verify(requireWeights: Bool) throws {
        var problems: [String] = []
        checkValues(&problems, requireWeights: requireWeights)
        checkNames(&problems)
        checkProducers(&problems)
        checkGraphInputsAndOutputs(&problems)
        checkNodes(&problems)
        checkCycles(&problems)
        if !problems.isEmpty { throw VerifyError(graphName: name, problems: problems) }
    }

    /// How a node is named in messages: its name, or its position when it has none.
    func nodeLabel(_ i: Int) -> String {
        guard i >= 0, i < nodes.count else { return "node #\(i)" }
        return nodes[i].name.isEmpty ? "node #\(i) (\(nodes[i].op.rawValue))" : nodes[i].name
    }

    func valueLabel(_ i: Int) -> String {
        guard i >= 0, i < values.count else { return "value #\(i)" }
        return values[i].name.isEmpty ? "value #\(i)" : "%" + values[i].name
    }

    func isValidValue(_ v: ValueID) -> Bool { v.index >= 0 && v.index < values.count }

    private func checkValues(_ problems: inout [String], requireWeights: Bool) {
        for (i, v) in values.enumerated() {
            if let data = v.data, data.type != v.type {
                problems.append("\(valueLabel(i)): data is \(data.type) but the declared type is \(v.type)")
            }
            if requireWeights, v.data == nil, v.role == .parameter || v.role == .constant {
                problems.append("\(valueLabel(i)): \(v.role.rawValue) has no data")
            }
            if v.role == .constant || v.role == .parameter || v.role == .input,
               v.type.shape.dims.contains(where: { if case .known(let n) = $0 { return n < 0 } else { return false } }) {
                problems.append("\(valueLabel(i)): type \(v.type) has a negative dimension")
            }
        }
    }

    private func checkNames(_ problems: inout [String]) {
        var firstValue: [String: Int] = [:]
        for (i, v) in values.enumerated() {
            if v.name.isEmpty { problems.append("value #\(i): name is empty"); continue }
            if let j = firstValue[v.name] {
                problems.append("%\(v.name): duplicate value name (values #\(j) and #\(i))")
            } else {
                firstValue[v.name] = i
            }
        }
        var firstNode: [String: Int] = [:]
        for (i, n) in nodes.enumerated() {
            if n.name.isEmpty { problems.append("node #\(i) (\(n.op.rawValue)): name is empty"); continue }
            if let j = firstNode[n.name] {
                problems.append("\(n.name): duplicate node name (nodes #\(j) and #\(i))")
            } else {
                firstNode[n.name] = i
            }
        }
    }

    private func checkProducers(_ problems: inout [String]) {
        var producers = Array(repeating: [Int](), count: values.count)
        for (i, n) in nodes.enumerated() {
            for out in n.outputs where isValidValue(out) { producers[out.index].append(i) }
        }
        for (i, v) in values.enumerated() {
            let p = producers[i]
            if v.role == .intermediate {
                if p.isEmpty {
                    problems.append("\(valueLabel(i)): intermediate has no producing node")
                } else if p.count > 1 {
                    problems.append("\(valueLabel(i)): produced by \(p.count) nodes: "
                                    + p.map { nodeLabel($0) }.joined(separator: ", "))
                } else if v.producer?.index != p[0] {
                    let stored = v.producer.map { nodeLabel($0.index) } ?? "none"
                    problems.append("\(valueLabel(i)): producer is recorded as \(stored) but \(nodeLabel(p[0])) produces it")
                }
            } else {
                if !p.isEmpty {
                    problems.append("\(valueLabel(i)): \(v.role.rawValue) is also an output of "
                                    + p.map { nodeLabel($0) }.joined(separator: ", "))
                }
                if let pr = v.producer {
                    problems.append("\(valueLabel(i)): \(v.role.rawValue) must not have a producer (has \(nodeLabel(pr.index)))")
                }
            }
        }
    }

    private func checkGraphInputsAndOutputs(_ problems: inout [String]) {
        var listed = Set<Int>()
        for (k, v) in inputs.enumerated() {
            guard isValidValue(v) else { problems.append("graph input #\(k): \(v) is not a value of the graph"); continue }
            if !listed.insert(v.index).inserted { problems.append("graph input #\(k): \(valueLabel(v.index)) is listed twice") }
            if values[v.index].role != .input {
                problems.append("graph input #\(k): \(valueLabel(v.index)) has role \(values[v.index].role.rawValue), expected input")
            }
        }
        for (i, v) in values.enumerated() where v.role == .input && !listed.contains(i) {
            problems.append("\(valueLabel(i)): has role input but is not listed as a graph input")
        }
        for (k, v) in outputs.enumerated() where !isValidValue(v) {
            problems.append("graph output #\(k): \(v) is not a value of the graph")
        }
    }

    private func checkNodes(_ problems: inout [String]) {
        for (i, n) in nodes.enumerated() {
            let label = nodeLabel(i)
            let before = problems.count
            let schema = n.op.schema
            for (k, maybe) in n.inputs.enumerated() {
                guard let v = maybe else {
                    if k < schema.inputs.lowerBound {
                        problems.append("\(label): required input \(k) of \(n.op.rawValue) is omitted")
                    }
                    continue
                }
                guard isValidValue(v) else { problems.append("\(label): input \(k) (\(v)) is not a value of the graph"); continue }
                if let p = values[v.index].producer, p.index >= i, values[v.index].role == .intermediate {
                    let how = p.index == i ? "its own output" : "produced later by \(nodeLabel(p.index))"
                    problems.append("\(label): input \(k) \(valueLabel(v.index)) is \(how) (forward reference or cycle)")
                }
            }
            for (k, v) in n.outputs.enumerated() where !isValidValue(v) {
                problems.append("\(label): output \(k) (\(v)) is not a value of the graph")
            }
            if !schema.inputs.contains(n.inputs.count) {
                problems.append("\(label): \(n.op.rawValue) takes \(rangeText(schema.inputs)) inputs, found \(n.inputs.count)")
            }
            if !schema.outputs.contains(n.outputs.count) {
                problems.append("\(label): \(n.op.rawValue) has \(rangeText(schema.outputs)) outputs, found \(n.outputs.count)")
            }
            for (key, value) in n.attributes {
                guard let kind = schema.attributes[key] else {
                    problems.append("\(label): unknown attribute '\(key)' for \(n.op.rawValue)")
                    continue
                }
                if !kind.matches(value) {
                    problems.append("\(label): attribute '\(key)' must be \(kind.rawValue), found \(value.kindName)")
                }
            }
            // Type inference on a structurally broken node would only repeat the fault.
            if problems.count == before { checkInferredTypes(of: n, label: label, &problems) }
        }
    }

    private func checkInferredTypes(of n: Node, label: String, _ problems: inout [String]) {
        let ctx = InferenceContext(inputs: n.inputs.map { $0.map { values[$0.index].type } },
                                   constants: n.inputs.map { $0.flatMap { values[$0.index].data } },
                                   attributes: n.attributes)
        let inferred: [TensorType]
        do {
            inferred = try n.op.inferOutputTypes(ctx)
        } catch let e as ShapeError {
            problems.append("\(label): \(e.message)")
            return
        } catch {
            problems.append("\(label): \(error)")
            return
        }
        for (k, out) in n.outputs.enumerated() {
            guard k < inferred.count else {
                problems.append("\(label): output \(k) \(valueLabel(out.index)) has no inferred type")
                continue
            }
            let stored = values[out.index].type
            if stored != inferred[k] {
                problems.append("\(label): output \(valueLabel(out.index)) has stored type \(stored) but inferred \(inferred[k])")
            }
        }
    }

    /// Names the nodes on a cycle, if any (Kahn's algorithm over producer -> consumer edges).
    private func checkCycles(_ problems: inout [String]) {
        var producerOf = Array(repeating: -1, count: values.count)
        for (i, n) in nodes.enumerated() {
            for out in n.outputs where isValidValue(out) { producerOf[out.index] = i }
        }
        var indegree = Array(repeating: 0, count: nodes.count)
        var successors = Array(repeating: [Int](), count: nodes.count)
        for (i, n) in nodes.enumerated() {
            for case let v? in n.inputs where isValidValue(v) && producerOf[v.index] >= 0 {
                indegree[i] += 1
                successors[producerOf[v.index]].append(i)
            }
        }
        var ready = indegree.indices.filter { indegree[$0] == 0 }
        var done = 0
        while let i = ready.popLast() {
            done += 1
            for s in successors[i] {
                indegree[s] -= 1
                if indegree[s] == 0 { ready.append(s) }
            }
        }
        if done < nodes.count {
            let stuck = indegree.indices.filter { indegree[$0] > 0 }.map { nodeLabel($0) }
            problems.append("cycle among nodes: " + stuck.prefix(8).joined(separator: ", ")
                            + (stuck.count > 8 ? ", ..." : ""))
        }
    }

    private func rangeText(_ r: ClosedRange<Int>) -> String {
        if r.upperBound == Int.max { return "at least \(r.lowerBound)" }
        return r.lowerBound == r.upperBound ? "\(r.lowerBound)" : "\(r.lowerBound) to \(r.upperBound)"
    }
}

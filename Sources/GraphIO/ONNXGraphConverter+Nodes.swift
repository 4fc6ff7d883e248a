import GraphIR

extension ONNXGraphConverter {
    /// Where a node is, for error messages: `node[4](fc) (Gemm, opset 13)`.
    func location(_ node: ONNXNodeProto) -> String {
        "node[\(node.index)](\(node.name)) (\(node.opType), opset \(opset))"
    }

    mutating func addNode(_ node: ONNXNodeProto) throws {
        let here = location(node)
        let fail = { (message: String) in ONNXImportError(location: here, message: message) }
        guard node.domain.isEmpty || node.domain == "ai.onnx" else {
            throw fail("operator domain '\(node.domain)' is not supported (only the default ONNX domain)")
        }
        guard let op = OpKind(rawValue: node.opType), !op.isInternal else {
            throw fail("unsupported operator '\(node.opType)'; supported operators: \(ONNXImporter.supportedOps.joined(separator: ", "))")
        }
        var inputs: [ValueID?] = try node.inputs.map { name in
            if name.isEmpty { return nil }
            guard let id = ids[name] else { throw fail("input '\(name)' is not defined by an earlier node, input or initializer") }
            return id
        }
        while let last = inputs.last, last == nil { inputs.removeLast() }
        var attributes = Attributes()
        for a in node.attributes {
            guard attributes[a.name] == nil else { throw fail("attribute '\(a.name)' appears twice") }
            attributes[a.name] = try attributeValue(a, fail)
        }
        let name = uniqueNodeName(node.name.isEmpty ? "\(node.opType)_\(node.index)" : node.name)
        try normalize(op, name: name, inputs: &inputs, attributes: &attributes, fail)

        if (op == .softmax || op == .logSoftmax) && opset < 13 {
            try emitLegacySoftmax(op, name: name, inputs: inputs, attributes: attributes, outputs: node.outputs, fail)
            return
        }
        try emit(op, name: name, inputs: inputs, attributes: attributes, outputNames: node.outputs, fail)
    }

    /// Adds one IR node: types its outputs, names them, and evaluates it when its inputs
    /// are known small integer tensors (shape subgraphs).
    @discardableResult
    mutating func emit(_ op: OpKind, name: String, inputs: [ValueID?], attributes: Attributes,
                       outputNames: [String], _ fail: (String) -> ONNXImportError) throws -> [ValueID] {
        var outputNames = outputNames
        while let last = outputNames.last, last.isEmpty { outputNames.removeLast() }
        guard !outputNames.isEmpty else { throw fail("node has no outputs") }
        let types = try outputTypes(op, inputs: inputs, attributes: attributes, outputNames: outputNames, fail)
        guard outputNames.count <= types.count else {
            throw fail("\(op.rawValue) has at most \(types.count) outputs, the node declares \(outputNames.count)")
        }
        var outs: [ValueID] = []
        for (k, outName) in outputNames.enumerated() {
            let valueName = outName.isEmpty ? uniqueValueName("\(name):\(k)") : outName
            guard ids[valueName] == nil else { throw fail("output '\(valueName)' is already defined") }
            let id = graph.addValue(Value(name: valueName, type: types[k], role: .intermediate))
            ids[valueName] = id
            outs.append(id)
        }
        graph.addNode(Node(name: name, op: op, inputs: inputs, outputs: outs, attributes: attributes))

        let inputData = inputs.map { $0.flatMap { known[$0] } }
        let inputTypes = inputs.map { $0.map { graph[$0].type } }
        if let results = ONNXConstantEvaluator.evaluate(op, inputs: inputData, inputTypes: inputTypes,
                                                        attributes: attributes, outputType: types[0]) {
            for (id, t) in zip(outs, results) {
                known[id] = t
                graph[id].type = t.type
            }
        }
        return outs
    }

    /// Output types by inference; where inference needs data that is unknown (and the
    /// graph is not being specialized), the model's declared types stand in.
    func outputTypes(_ op: OpKind, inputs: [ValueID?], attributes: Attributes, outputNames: [String],
                     _ fail: (String) -> ONNXImportError) throws -> [TensorType] {
        try checkMagnitudes(op, inputs: inputs, attributes: attributes, fail)
        let ctx = InferenceContext(inputs: inputs.map { $0.map { graph[$0].type } },
                                   constants: inputs.map { $0.flatMap { known[$0] } },
                                   attributes: attributes)
        do {
            var types = try op.inferOutputTypes(ctx)
            for (k, outName) in outputNames.enumerated() where k < types.count {
                if let declared = declaredTypes[outName] { types[k] = refine(types[k], with: declared) }
            }
            return types
        } catch let e as ShapeError {
            if !specializing {
                let declared = outputNames.map { declaredTypes[$0] }
                if !outputNames.contains(where: \.isEmpty), declared.allSatisfy({ $0 != nil }) {
                    return declared.compactMap { $0 }
                }
                // A Reshape to a computed shape still has a known rank: the operand's length.
                if op == .reshape, let x = ctx.inputs[0], ctx.inputs.count > 1,
                   let s = ctx.inputs[1], s.shape.rank == 1, let n = s.shape[0].value {
                    return [TensorType(x.dtype, Shape(Array(repeating: Dim.symbolic("?"), count: n)))]
                }
            }
            throw fail(e.message)
        }
    }

    /// The largest magnitude accepted for integer attributes and shape operands; bigger
    /// values are corrupt and would overflow shape arithmetic. Slice starts/ends are
    /// exempt (INT64_MAX means "to the end") because they are clamped before use.
    static let maxMagnitude = 1 << 40

    func checkMagnitudes(_ op: OpKind, inputs: [ValueID?], attributes: Attributes,
                         _ fail: (String) -> ONNXImportError) throws {
        func ok(_ v: Int) -> Bool { v >= -Self.maxMagnitude && v <= Self.maxMagnitude }
        for (key, value) in attributes {
            switch value {
            case .int(let v) where !ok(v): throw fail("attribute '\(key)' value \(v) is out of range")
            case .ints(let v) where !v.allSatisfy(ok): throw fail("attribute '\(key)' has values out of range")
            default: continue
            }
        }
        for i in op.schema.operandInputs where i < inputs.count && !(op == .slice && (i == 1 || i == 2)) {
            guard let id = inputs[i], let values = known[id]?.intValues else { continue }
            guard values.allSatisfy(ok) else { throw fail("operand input \(i) has values out of range") }
        }
        for case let id? in inputs {
            var total = 1
            for d in graph[id].type.shape.dims {
                guard let v = d.value else { continue }
                let (m, overflow) = total.multipliedReportingOverflow(by: v)
                guard !overflow, m <= Self.maxMagnitude else { throw fail("input '\(graph[id].name)' has an absurd shape \(graph[id].type.shape)") }
                total = m
            }
        }
    }

    /// Replaces dims that inference left unknown ("?") by the model's declared dims.
    func refine(_ inferred: TensorType, with declared: TensorType) -> TensorType {
        guard inferred.dtype == declared.dtype, inferred.shape.rank == declared.shape.rank else { return inferred }
        var out = inferred
        for i in 0..<out.shape.rank where out.shape[i] == .symbolic("?") { out.shape[i] = declared.shape[i] }
        return out
    }

    /// Softmax/LogSoftmax before opset 13 coerce the input to 2-D at `axis` (default 1).
    /// Where that is not simply the last axis, the node becomes Flatten -> Softmax(-1) ->
    /// Reshape back, the Reshape keeping the ONNX node's name and output.
    mutating func emitLegacySoftmax(_ op: OpKind, name: String, inputs: [ValueID?], attributes: Attributes,
                                    outputs: [String], _ fail: (String) -> ONNXImportError) throws {
        guard inputs.count == 1, let x = inputs[0] else { throw fail("expects exactly one input") }
        let xType = graph[x].type
        let rank = xType.shape.rank
        let axisAttr = attributes.int("axis") ?? 1
        let axis: Int
        do { axis = try normalizeAxis(axisAttr, rank: max(rank, 1)) } catch let e as ShapeError { throw fail(e.message) }
        if axis == rank - 1 || rank <= 1 {
            try emit(op, name: name, inputs: [x], attributes: ["axis": .int(-1)], outputNames: outputs, fail)
            return
        }
        let flat = try emit(.flatten, name: uniqueNodeName("\(name)/flatten"), inputs: [x],
                            attributes: ["axis": .int(axis)], outputNames: [uniqueValueName("\(name)/flatten")], fail)[0]
        let soft = try emit(op, name: uniqueNodeName("\(name)/\(op.rawValue.lowercased())"), inputs: [flat],
                            attributes: ["axis": .int(-1)], outputNames: [uniqueValueName("\(name)/\(op.rawValue.lowercased())")], fail)[0]
        let shape: ValueID
        if let dims = xType.shape.staticDims {
            shape = addConstant("\(name)/shape", .int64Vector(dims))
        } else {
            shape = try emit(.shape, name: uniqueNodeName("\(name)/shape"), inputs: [x], attributes: [:],
                             outputNames: [uniqueValueName("\(name)/shape")], fail)[0]
        }
        try emit(.reshape, name: name, inputs: [soft, shape], attributes: [:], outputNames: outputs, fail)
        // Keep the original rank-N type even where inference of the dynamic Reshape is vague.
        if let out = outputs.first, let id = ids[out], graph[id].type.shape.rank != rank || graph[id].type.shape.symbols.contains("?") {
            graph[id].type = xType
        }
    }
}

import GraphIR

/// Rewrites older opset forms of a node into the IR's canonical operands, which follow
/// the latest ONNX opset (see `OpKind.schema`).
extension ONNXGraphConverter {
    /// Attributes dropped silently: they only steered legacy in-place or training
    /// behaviour and have no meaning for the IR.
    static let obsoleteAttributes: Set<String> = ["consumed_inputs", "is_test", "spatial"]

    mutating func normalize(_ op: OpKind, name: String, inputs: inout [ValueID?], attributes: inout Attributes,
                            _ fail: (String) -> ONNXImportError) throws {
        for key in Self.obsoleteAttributes { attributes[key] = nil }

        switch op {
        case .add, .sub, .mul, .div, .gemm:
            // Opset < 7 "broadcast": with `axis` it aligns differently from numpy.
            if let b = attributes.int("broadcast") {
                if b != 0, attributes["axis"] != nil, op != .gemm {
                    throw fail("legacy broadcast with an explicit axis is not supported")
                }
                attributes["broadcast"] = nil
                if op != .gemm { attributes["axis"] = nil }
            }
        case .clip where opset < 11:
            let dtype = try floatType(of: inputs.first ?? nil, fail)
            let lo = attributes.float("min"), hi = attributes.float("max")
            attributes["min"] = nil
            attributes["max"] = nil
            inputs = [inputs.first ?? nil,
                      lo.map { addConstant("\(name)/min", scalar($0, dtype)) },
                      hi.map { addConstant("\(name)/max", scalar($0, dtype)) }]
            while let last = inputs.last, last == nil { inputs.removeLast() }
        case .squeeze where opset < 13, .unsqueeze where opset < 13,
             .reduceSum where opset < 13, .reduceMean where opset < 18:
            if let axes = attributes.ints("axes") {
                attributes["axes"] = nil
                inputs = [inputs.first ?? nil, addConstant("\(name)/axes", .int64Vector(axes))]
            }
        case .pad where opset < 11:
            guard let pads = attributes.ints("pads") ?? attributes.ints("paddings") else { throw fail("missing attribute 'pads'") }
            let dtype = try floatType(of: inputs.first ?? nil, fail)
            let value = attributes.float("value") ?? 0
            attributes["pads"] = nil
            attributes["paddings"] = nil
            attributes["value"] = nil
            inputs = [inputs.first ?? nil, addConstant("\(name)/pads", .int64Vector(pads))]
            if value != 0 { inputs.append(addConstant("\(name)/value", scalar(value, dtype))) }
        case .reshape where opset < 5:
            guard let shape = attributes.ints("shape") else { throw fail("missing attribute 'shape'") }
            attributes["shape"] = nil
            inputs = [inputs.first ?? nil, addConstant("\(name)/shape", .int64Vector(shape))]
        case .cast:
            if let to = attributes.int("to") {
                guard let dt = TensorProtoCodec.dtype(onnx: Int32(truncatingIfNeeded: to)) else {
                    throw fail("Cast to \(TensorProtoCodec.dataTypeName(Int32(truncatingIfNeeded: to))) is not supported")
                }
                attributes["to"] = .string(dt.rawValue)
            } else if let to = attributes.string("to") {
                // Opset 1-5 spelled the type as a string ("FLOAT").
                let codes = ["FLOAT": DType.float32, "DOUBLE": .float64, "FLOAT16": .float16, "INT64": .int64,
                             "INT32": .int32, "UINT8": .uint8, "BOOL": .bool]
                guard let dt = codes[to.uppercased()] else { throw fail("Cast to '\(to)' is not supported") }
                attributes["to"] = .string(dt.rawValue)
            }
        case .constant:
            try normalizeConstant(&attributes, fail)
        case .softmax, .logSoftmax:
            break  // opset < 13 is expanded by emitLegacySoftmax
        default:
            break
        }
        try checkAgainstSchema(op, inputs: inputs, attributes: attributes, fail)
    }

    /// Constant's value_float / value_floats / value_int / value_ints become `value`.
    private func normalizeConstant(_ attributes: inout Attributes, _ fail: (String) -> ONNXImportError) throws {
        var value: Tensor?
        for key in attributes.keys {
            switch (key, attributes[key]) {
            case ("value", .tensor(let t)?): value = t
            case ("value_float", .float(let f)?): value = .scalar(f)
            case ("value_float", .int(let i)?): value = .scalar(Float(i))
            case ("value_floats", .floats(let f)?): value = Tensor(shape: [f.count], floats: f)
            case ("value_int", .int(let i)?): value = Tensor(shape: [], int64s: [Int64(i)])
            case ("value_ints", .ints(let v)?): value = .int64Vector(v)
            default: throw fail("Constant attribute '\(key)' is not supported")
            }
        }
        guard let value else { throw fail("Constant has no value") }
        attributes = ["value": .tensor(value)]
    }

    private func checkAgainstSchema(_ op: OpKind, inputs: [ValueID?], attributes: Attributes,
                                    _ fail: (String) -> ONNXImportError) throws {
        let schema = op.schema
        guard schema.inputs.contains(inputs.count) else {
            throw fail("has \(inputs.count) inputs, \(op.rawValue) takes \(schema.inputs.lowerBound)...\(schema.inputs.upperBound == Int.max ? "n" : String(schema.inputs.upperBound))")
        }
        for (key, value) in attributes {
            guard let kind = schema.attributes[key] else {
                throw fail("attribute '\(key)' is not supported for \(op.rawValue) (supported: \(schema.attributes.keys.sorted()))")
            }
            guard kind.matches(value) else {
                throw fail("attribute '\(key)' must be \(kind.rawValue), found \(value.kindName)")
            }
        }
    }

    private func floatType(of x: ValueID?, _ fail: (String) -> ONNXImportError) throws -> DType {
        guard let x else { throw fail("missing required input 0") }
        return graph[x].type.dtype
    }

    private func scalar(_ v: Float, _ dtype: DType) -> Tensor {
        dtype == .float64 ? Tensor(shape: [], storage: .float64([Double(v)])) : .scalar(v)
    }
}

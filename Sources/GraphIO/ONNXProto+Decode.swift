import ProtobufWire

// One decoding function per message, each pushing its path component so that a wire
// error names where it happened: `ModelProto.graph.node[17](conv1).attribute[pads]`.

extension ONNXModelProto {
    init(decoding bytes: [UInt8]) throws {
        var r = ProtoReader(bytes, root: "ModelProto")
        while let key = try r.nextField() {
            switch key.number {
            case ONNXField.Model.irVersion: irVersion = try r.int64(key)
            case ONNXField.Model.producerName: producerName = try r.string(key)
            case ONNXField.Model.graph:
                var sub = try r.message(key, "graph")
                graph = try ONNXGraphProto(&sub)
            case ONNXField.Model.opsetImport:
                var sub = try r.message(key, "opset_import[\(opsetImports.count)]")
                var domain = "", version: Int64 = 0
                while let k = try sub.nextField() {
                    switch k.number {
                    case ONNXField.OperatorSetId.domain: domain = try sub.string(k)
                    case ONNXField.OperatorSetId.version: version = try sub.int64(k)
                    default: try sub.skip(k)
                    }
                }
                opsetImports.append((domain, version))
            default: try r.skip(key)
            }
        }
    }
}

extension ONNXGraphProto {
    init(_ r: inout ProtoReader) throws {
        while let key = try r.nextField() {
            switch key.number {
            case ONNXField.Graph.node:
                var sub = try r.message(key, "node[\(nodes.count)]")
                var node = try ONNXNodeProto(&sub)
                node.index = nodes.count
                nodes.append(node)
            case ONNXField.Graph.name: name = try r.string(key)
            case ONNXField.Graph.initializer:
                var sub = try r.message(key, "initializer[\(initializers.count)]")
                initializers.append(try ONNXTensorProto(&sub))
            case ONNXField.Graph.input:
                var sub = try r.message(key, "input[\(inputs.count)]")
                inputs.append(try ONNXValueInfoProto(&sub))
            case ONNXField.Graph.output:
                var sub = try r.message(key, "output[\(outputs.count)]")
                outputs.append(try ONNXValueInfoProto(&sub))
            case ONNXField.Graph.valueInfo:
                var sub = try r.message(key, "value_info[\(valueInfo.count)]")
                valueInfo.append(try ONNXValueInfoProto(&sub))
            case ONNXField.Graph.sparseInitializer:
                throw r.error("sparse initializers are not supported")
            default: try r.skip(key)
            }
        }
    }
}

extension ONNXNodeProto {
    init(_ r: inout ProtoReader) throws {
        let base = r.path.last ?? "node"
        while let key = try r.nextField() {
            switch key.number {
            case ONNXField.Node.input: inputs.append(try r.string(key))
            case ONNXField.Node.output: outputs.append(try r.string(key))
            case ONNXField.Node.name:
                name = try r.string(key)
                r.relabel("\(base)(\(name))")
            case ONNXField.Node.opType: opType = try r.string(key)
            case ONNXField.Node.domain: domain = try r.string(key)
            case ONNXField.Node.attribute:
                var sub = try r.message(key, "attribute[\(attributes.count)]")
                attributes.append(try ONNXAttributeProto(&sub))
            default: try r.skip(key)
            }
        }
    }
}

extension ONNXAttributeProto {
    init(_ r: inout ProtoReader) throws {
        while let key = try r.nextField() {
            switch key.number {
            case ONNXField.Attribute.name:
                name = try r.string(key)
                r.relabel("attribute[\(name)]")
            case ONNXField.Attribute.type: type = try r.int32(key)
            case ONNXField.Attribute.f: f = try r.float(key)
            case ONNXField.Attribute.i: i = try r.int64(key)
            case ONNXField.Attribute.s: s = try r.bytes(key)
            case ONNXField.Attribute.t:
                var sub = try r.message(key, "t")
                t = try ONNXTensorProto(&sub)
            case ONNXField.Attribute.floats: try r.appendFloats(key, to: &floats)
            case ONNXField.Attribute.ints: try r.appendInt64s(key, to: &ints)
            case ONNXField.Attribute.strings: strings.append(try r.string(key))
            case ONNXField.Attribute.g, ONNXField.Attribute.graphs:
                hasGraph = true
                try r.skip(key)
            case ONNXField.Attribute.tensors:
                hasTensors = true
                try r.skip(key)
            default: try r.skip(key)
            }
        }
    }
}

extension ONNXTensorProto {
    init(_ r: inout ProtoReader) throws {
        let base = r.path.last ?? "tensor"
        path = r.pathDescription
        while let key = try r.nextField() {
            switch key.number {
            case ONNXField.Tensor.dims: try r.appendInt64s(key, to: &dims)
            case ONNXField.Tensor.dataType: dataType = try r.int32(key)
            case ONNXField.Tensor.segment: hasSegment = true; try r.skip(key)
            case ONNXField.Tensor.floatData: try r.appendFloats(key, to: &floatData)
            case ONNXField.Tensor.int32Data: try r.appendInt32s(key, to: &int32Data)
            case ONNXField.Tensor.stringData: stringCount += 1; try r.skip(key)
            case ONNXField.Tensor.int64Data: try r.appendInt64s(key, to: &int64Data)
            case ONNXField.Tensor.name:
                name = try r.string(key)
                r.relabel("\(base)(\(name))")
                path = r.pathDescription
            case ONNXField.Tensor.rawData: rawData = try r.bytes(key)
            case ONNXField.Tensor.doubleData: try r.appendDoubles(key, to: &doubleData)
            case ONNXField.Tensor.uint64Data:
                var raw: [UInt64] = []
                try r.appendVarints(key, to: &raw)
                uint64Data.append(contentsOf: raw)
            case ONNXField.Tensor.externalData:
                var sub = try r.message(key, "external_data[\(externalData.count)]")
                var k = "", v = ""
                while let f = try sub.nextField() {
                    switch f.number {
                    case ONNXField.StringStringEntry.key: k = try sub.string(f)
                    case ONNXField.StringStringEntry.value: v = try sub.string(f)
                    default: try sub.skip(f)
                    }
                }
                externalData[k] = v
            case ONNXField.Tensor.dataLocation: isExternal = try r.int32(key) == 1
            default: try r.skip(key)
            }
        }
    }
}

extension ONNXValueInfoProto {
    init(_ r: inout ProtoReader) throws {
        let base = r.path.last ?? "value_info"
        while let key = try r.nextField() {
            switch key.number {
            case ONNXField.ValueInfo.name:
                name = try r.string(key)
                r.relabel("\(base)(\(name))")
            case ONNXField.ValueInfo.type:
                var type = try r.message(key, "type")
                while let tk = try type.nextField() {
                    guard tk.number == ONNXField.TypeProto.tensorType else { try type.skip(tk); continue }
                    var tensor = try type.message(tk, "tensor_type")
                    try decodeTensorType(&tensor)
                }
            default: try r.skip(key)
            }
        }
    }

    private mutating func decodeTensorType(_ r: inout ProtoReader) throws {
        while let key = try r.nextField() {
            switch key.number {
            case ONNXField.TypeProtoTensor.elemType: elemType = try r.int32(key)
            case ONNXField.TypeProtoTensor.shape:
                var shape = try r.message(key, "shape")
                var out: [ONNXDim] = []
                while let sk = try shape.nextField() {
                    guard sk.number == ONNXField.TensorShape.dim else { try shape.skip(sk); continue }
                    var dim = try shape.message(sk, "dim[\(out.count)]")
                    var d = ONNXDim.unknown
                    while let dk = try dim.nextField() {
                        switch dk.number {
                        case ONNXField.Dimension.dimValue: d = .value(try dim.int64(dk))
                        case ONNXField.Dimension.dimParam: d = .param(try dim.string(dk))
                        default: try dim.skip(dk)
                        }
                    }
                    out.append(d)
                }
                dims = out
            default: try r.skip(key)
            }
        }
    }
}

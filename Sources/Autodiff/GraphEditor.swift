import GraphIR

/// Appends named nodes and values to a graph with inferred types; used to build the
/// loss and optimizer parts of a training graph. Errors name the node being added.
struct GraphEditor {
    var graph: Graph

    @discardableResult
    mutating func node(_ op: OpKind, _ name: String, _ inputs: [ValueID?], _ attributes: Attributes = [:]) throws -> ValueID {
        let ctx = InferenceContext(inputs: inputs.map { $0.map { graph[$0].type } },
                                   constants: inputs.map { $0.flatMap { graph[$0].data } }, attributes: attributes)
        let types: [TensorType]
        do { types = try op.inferOutputTypes(ctx) } catch let e as ShapeError {
            throw AutodiffError(node: name, message: e.message)
        }
        guard graph.value(named: name) == nil else { throw AutodiffError(node: name, message: "a value with this name already exists") }
        let out = graph.addValue(Value(name: name, type: types[0], role: .intermediate))
        graph.addNode(Node(name: name, op: op, inputs: inputs, outputs: [out], attributes: attributes))
        return out
    }

    mutating func constant(_ name: String, _ tensor: Tensor) -> ValueID {
        graph.addValue(Value(name: name, type: tensor.type, role: .constant, data: tensor))
    }

    /// A non-trainable parameter (optimizer state) with initial contents.
    mutating func state(_ name: String, _ tensor: Tensor) throws -> ValueID {
        guard graph.value(named: name) == nil else { throw AutodiffError(node: name, message: "a value with this name already exists") }
        return graph.addValue(Value(name: name, type: tensor.type, role: .parameter, trainable: false, data: tensor))
    }

    mutating func input(_ name: String, _ type: TensorType) throws -> ValueID {
        guard graph.value(named: name) == nil else { throw AutodiffError(node: name, message: "a value with this name already exists") }
        let v = graph.addValue(Value(name: name, type: type, role: .input))
        graph.inputs.append(v)
        return v
    }
}

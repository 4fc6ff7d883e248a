import GraphIR

/// What a VJP rule sees while it differentiates one forward node, and the tools it uses
/// to append backward nodes. Every value a rule creates is named
/// `grad/<forward node name>/<suffix>` (made unique when needed), and each emitted node
/// carries the name of its first output.
public struct VJPContext {
    /// The graph being extended; rules append to it only through the helpers below.
    public internal(set) var graph: Graph
    /// The forward node being differentiated.
    public let nodeID: NodeID
    /// The gradient of each output of the node, nil where the output does not reach the
    /// differentiated scalar.
    public let outputGradients: [ValueID?]
    /// For each input slot, whether the caller needs its gradient; a rule may skip the
    /// work for the others (and must return nil there or anything, which is ignored).
    public let needsGradient: [Bool]
    var usedNames: Set<String>
    /// Values created by rules, which the driver may rename to `grad/<value>`.
    var created: Set<ValueID> = []

    init(graph: Graph, nodeID: NodeID, outputGradients: [ValueID?], needsGradient: [Bool], usedNames: Set<String>) {
        self.graph = graph
        self.nodeID = nodeID
        self.outputGradients = outputGradients
        self.needsGradient = needsGradient
        self.usedNames = usedNames
    }

    /// The forward node.
    public var node: Node { graph[nodeID] }

    /// The value in input slot `i` (nil when absent or omitted).
    public func input(_ i: Int) -> ValueID? { i < node.inputs.count ? node.inputs[i] : nil }

    /// The value in a required input slot.
    public func requiredInput(_ i: Int) throws -> ValueID {
        guard let v = input(i) else { throw failure("input \(i) is missing") }
        return v
    }

    /// The gradient of output 0, which every rule with a single output needs.
    public func outputGradient() throws -> ValueID {
        guard let g = outputGradients.first ?? nil else { throw failure("output 0 has no gradient") }
        return g
    }

    public func type(of v: ValueID) -> TensorType { graph[v].type }
    public func shape(of v: ValueID) -> Shape { graph[v].type.shape }

    /// Whether input slot `i` needs a gradient.
    public func needs(_ i: Int) -> Bool { i < needsGradient.count && needsGradient[i] }

    /// An error that names the forward node.
    public func failure(_ message: String) -> AutodiffError {
        AutodiffError(node: node.name, message: "\(node.op.rawValue): \(message)")
    }

    /// The static dims of a value, or an error saying why a rule needs them.
    public func staticDims(_ v: ValueID, _ why: String) throws -> [Int] {
        guard let d = shape(of: v).staticDims else {
            throw failure("\(why) needs a static shape, but \(graph[v].name) is \(shape(of: v))")
        }
        return d
    }

    mutating func uniqueName(_ base: String) -> String {
        usedNames.claimUnique(base, separator: "_dup", firstSuffix: 2)
    }

    /// Appends a backward node and returns its outputs (the first `outputs` of them),
    /// inferring their types; a shape error names the forward node.
    @discardableResult
    public mutating func emit(_ op: OpKind, _ suffix: String, _ inputs: [ValueID?],
                              _ attributes: Attributes = [:], outputs: Int = 1) throws -> [ValueID] {
        let ctx = InferenceContext(inputs: inputs.map { $0.map { graph[$0].type } },
                                   constants: inputs.map { $0.flatMap { graph[$0].data } },
                                   attributes: attributes)
        let types: [TensorType]
        do { types = try op.inferOutputTypes(ctx) } catch let e as ShapeError {
            throw failure("backward \(op.rawValue) '\(suffix)': \(e.message)")
        }
        guard outputs <= types.count else { throw failure("backward \(op.rawValue) has only \(types.count) outputs") }
        let base = uniqueName("grad/\(node.name)/\(suffix)")
        var outs: [ValueID] = []
        for k in 0..<outputs {
            let name = k == 0 ? base : uniqueName("\(base):\(k)")
            let v = graph.addValue(Value(name: name, type: types[k], role: .intermediate))
            created.insert(v)
            outs.append(v)
        }
        graph.addNode(Node(name: base, op: op, inputs: inputs, outputs: outs, attributes: attributes))
        return outs
    }

    /// `emit` for a single-output node.
    public mutating func emit1(_ op: OpKind, _ suffix: String, _ inputs: [ValueID?],
                               _ attributes: Attributes = [:]) throws -> ValueID {
        try emit(op, suffix, inputs, attributes)[0]
    }

    /// A constant operand named `grad/<node>/<suffix>`.
    public mutating func constant(_ suffix: String, _ tensor: Tensor) -> ValueID {
        let name = uniqueName("grad/\(node.name)/\(suffix)")
        return graph.addValue(Value(name: name, type: tensor.type, role: .constant, data: tensor))
    }

    /// A rank-0 float constant of the given dtype (f32 or f64).
    public mutating func scalar(_ suffix: String, _ value: Double, like v: ValueID) -> ValueID {
        let t = type(of: v).dtype == .float64
            ? Tensor(shape: [], storage: .float64([value])) : Tensor.scalar(Float(value))
        return constant(suffix, t)
    }

    /// An i64 vector operand (axes, shapes, starts...).
    public mutating func int64s(_ suffix: String, _ values: [Int]) -> ValueID {
        constant(suffix, .int64Vector(values))
    }
}

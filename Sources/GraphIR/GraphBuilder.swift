/// Whether the builder materializes parameter values.
public enum WeightMode: Sendable, Equatable {
    /// Structure only: parameters get types but no data (fast; for stored architectures).
    case none
    /// Every parameter is drawn from its initializer with a per-parameter stream of this
    /// seed, so values do not depend on declaration order.
    case seeded(UInt64)
}

/// An error while building a graph, naming the node at fault.
public struct BuildError: Error, CustomStringConvertible {
    public var node: String
    public var message: String
    public var description: String { "\(node): \(message)" }
}

/// Builds a graph one node at a time, inferring each output type as it goes so that a
/// mistake is reported at the line that declares it.
///
/// ```swift
/// var b = GraphBuilder(name: "tiny", weights: .seeded(42))
/// let x = b.input("image", TensorType(.float32, [.symbolic("N"), 3, 32, 32]))
/// let w = b.parameter("conv/kernel", shape: [8, 3, 3, 3], initializer: .glorotUniform)
/// let y = try b.add(.conv, "conv", [x, w], ["pads": .ints([1, 1, 1, 1])])
/// b.output(try b.add(.relu, "relu", [y]))
/// let graph = b.graph
/// ```
public struct GraphBuilder {
    public private(set) var graph: Graph
    public var weights: WeightMode

    public init(name: String, weights: WeightMode = .none) {
        graph = Graph(name: name)
        self.weights = weights
    }

    /// Continues building on an existing graph (e.g. a head on a backbone); its inputs,
    /// outputs and values are kept.
    public init(extending graph: Graph, weights: WeightMode = .none) {
        self.graph = graph
        self.weights = weights
    }

    /// Declares a graph input.
    public mutating func input(_ name: String, _ type: TensorType) -> ValueID {
        let v = graph.addValue(Value(name: name, type: type, role: .input))
        graph.inputs.append(v)
        return v
    }

    /// Declares a parameter; its data is drawn when the builder materializes weights.
    public mutating func parameter(_ name: String, shape: [Int], initializer: Initializer,
                                   trainable: Bool = true, fans: (fanIn: Int, fanOut: Int)? = nil,
                                   dtype: DType = .float32) -> ValueID {
        var data: Tensor? = nil
        if case .seeded(let seed) = weights {
            var rng = SeededRandom(seed: seed, stream: name)
            let n = shape.reduce(1, *)
            data = Tensor(shape: shape, floats: initializer.sample(count: n, shape: shape, fans: fans, rng: &rng))
        }
        return graph.addValue(Value(name: name, type: TensorType(dtype, Shape(shape)), role: .parameter,
                                    trainable: trainable, data: data))
    }

    /// Declares a constant operand (shape, axes, pads...).
    public mutating func constant(_ name: String, _ tensor: Tensor) -> ValueID {
        graph.addValue(Value(name: name, type: tensor.type, role: .constant, data: tensor))
    }

    /// Appends a node and returns its outputs. Output names default to the node name for
    /// the first output and `name:k` for the others.
    @discardableResult
    public mutating func node(_ op: OpKind, _ name: String, _ inputs: [ValueID?],
                              _ attributes: Attributes = [:], outputNames: [String]? = nil) throws -> [ValueID] {
        let ctx = InferenceContext(inputs: inputs.map { $0.map { graph[$0].type } },
                                   constants: inputs.map { $0.flatMap { graph[$0].data } },
                                   attributes: attributes)
        let types: [TensorType]
        do { types = try op.inferOutputTypes(ctx) } catch let e as ShapeError {
            throw BuildError(node: name, message: e.message)
        }
        let count = outputNames?.count ?? 1
        guard count <= types.count else {
            throw BuildError(node: name, message: "\(op.rawValue) has at most \(types.count) outputs, \(count) requested")
        }
        var outs: [ValueID] = []
        for k in 0..<count {
            let outName = outputNames?[k] ?? (k == 0 ? name : "\(name):\(k)")
            outs.append(graph.addValue(Value(name: outName, type: types[k], role: .intermediate)))
        }
        graph.addNode(Node(name: name, op: op, inputs: inputs, outputs: outs, attributes: attributes))
        return outs
    }

    /// Appends a single-output node and returns its output.
    public mutating func add(_ op: OpKind, _ name: String, _ inputs: [ValueID?],
                             _ attributes: Attributes = [:]) throws -> ValueID {
        try node(op, name, inputs, attributes)[0]
    }

    /// Marks a value as a graph output.
    public mutating func output(_ v: ValueID) { graph.outputs.append(v) }

    /// The type of a value built so far.
    public func type(of v: ValueID) -> TensorType { graph[v].type }
}

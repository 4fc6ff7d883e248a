/// Index of a value in its graph's `values` array.
public struct ValueID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let index: Int
    public init(_ index: Int) { self.index = index }
    public static func < (a: ValueID, b: ValueID) -> Bool { a.index < b.index }
    public var description: String { "v\(index)" }
}

/// Index of a node in its graph's `nodes` array.
public struct NodeID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let index: Int
    public init(_ index: Int) { self.index = index }
    public static func < (a: NodeID, b: NodeID) -> Bool { a.index < b.index }
    public var description: String { "n\(index)" }
}

/// Where a value comes from.
public enum ValueRole: String, Sendable, Hashable {
    /// Fed by the caller at run time.
    case input
    /// A learned or learnable weight (BN moving statistics included, as in Keras).
    case parameter
    /// A fixed operand such as a Reshape target shape; never trained.
    case constant
    /// Computed by a node.
    case intermediate
}

/// A tensor-valued edge of the graph, with a unique, stable, human-readable name.
public struct Value: Sendable, Equatable {
    public var name: String
    public var type: TensorType
    public var role: ValueRole
    /// For parameters: whether training updates it. Keras's non-trainable weights (BN
    /// moving mean and variance) and frozen layers have `trainable == false`.
    public var trainable: Bool
    /// Contents of a parameter or constant, when materialized. Structure-only graphs
    /// (such as the stored zoo architectures) leave parameters without data.
    public var data: Tensor?
    /// The node that computes this value (intermediates only).
    public var producer: NodeID?

    public init(name: String, type: TensorType, role: ValueRole, trainable: Bool = false,
                data: Tensor? = nil, producer: NodeID? = nil) {
        self.name = name
        self.type = type
        self.role = role
        self.trainable = trainable
        self.data = data
        self.producer = producer
    }
}

/// One operation. `inputs` may contain nil for an omitted optional operand (ONNX's
/// empty input name), e.g. Clip without a lower bound.
public struct Node: Sendable, Equatable {
    public var name: String
    public var op: OpKind
    public var inputs: [ValueID?]
    public var outputs: [ValueID]
    public var attributes: Attributes

    public init(name: String, op: OpKind, inputs: [ValueID?], outputs: [ValueID],
                attributes: Attributes = [:]) {
        self.name = name
        self.op = op
        self.inputs = inputs
        self.outputs = outputs
        self.attributes = attributes
    }
}

/// A dataflow graph with static (possibly symbolic-batch) shapes.
///
/// Value semantics: passes take a graph and return a new one. Nodes are kept in a
/// topological order (the builder appends in definition order, which for the zoo is
/// Keras's layer order). Values and nodes are addressed by small integer ids.
public struct Graph: Sendable, Equatable {
    public var name: String
    public var values: [Value]
    public var nodes: [Node]
    public var inputs: [ValueID]
    public var outputs: [ValueID]

    public init(name: String) {
        self.name = name
        values = []
        nodes = []
        inputs = []
        outputs = []
    }

    public subscript(v: ValueID) -> Value {
        get { values[v.index] }
        set { values[v.index] = newValue }
    }

    public subscript(n: NodeID) -> Node {
        get { nodes[n.index] }
        set { nodes[n.index] = newValue }
    }

    public var valueIDs: [ValueID] { values.indices.map(ValueID.init) }
    public var nodeIDs: [NodeID] { nodes.indices.map(NodeID.init) }

    /// Adds a value and returns its id. Names are not checked here; the verifier
    /// rejects duplicates.
    @discardableResult
    public mutating func addValue(_ value: Value) -> ValueID {
        values.append(value)
        return ValueID(values.count - 1)
    }

    /// Appends a node, recording it as the producer of its outputs.
    @discardableResult
    public mutating func addNode(_ node: Node) -> NodeID {
        let id = NodeID(nodes.count)
        nodes.append(node)
        for out in node.outputs { values[out.index].producer = id }
        return id
    }

    /// The value with this name, if any (linear scan; build `valueIndexByName` for bulk use).
    public func value(named name: String) -> ValueID? {
        values.firstIndex { $0.name == name }.map(ValueID.init)
    }

    /// The node with this name, if any.
    public func node(named name: String) -> NodeID? {
        nodes.firstIndex { $0.name == name }.map(NodeID.init)
    }

    /// Name -> id for every value (first occurrence wins for duplicate names).
    public var valueIndexByName: [String: ValueID] {
        var map: [String: ValueID] = [:]
        for (i, v) in values.enumerated() where map[v.name] == nil { map[v.name] = ValueID(i) }
        return map
    }

    /// All parameter values, in definition order.
    public var parameters: [ValueID] { valueIDs.filter { self[$0].role == .parameter } }

    /// For each value, the nodes that read it, in node order.
    public var consumers: [[NodeID]] {
        var out = Array(repeating: [NodeID](), count: values.count)
        for (i, n) in nodes.enumerated() {
            for case let v? in n.inputs where out[v.index].last != NodeID(i) {
                out[v.index].append(NodeID(i))
            }
        }
        return out
    }

    /// Parameter totals in elements, the way Keras's `model.summary()` counts them.
    public var parameterCounts: (trainable: Int, frozen: Int) {
        var t = 0, f = 0
        for v in values where v.role == .parameter {
            let n = v.type.shape.elementCount ?? 0
            if v.trainable { t += n } else { f += n }
        }
        return (t, f)
    }

    /// Removes the nodes not in `keep` and the values nothing refers to any more, and
    /// renumbers ids densely, preserving order. Graph inputs are always kept.
    public func compacted(keepingNodes keep: (NodeID) -> Bool = { _ in true }) -> Graph {
        var liveValue = Array(repeating: false, count: values.count)
        for v in inputs { liveValue[v.index] = true }
        for v in outputs { liveValue[v.index] = true }
        var liveNode = Array(repeating: false, count: nodes.count)
        for (i, n) in nodes.enumerated() where keep(NodeID(i)) {
            liveNode[i] = true
            for case let v? in n.inputs { liveValue[v.index] = true }
            for v in n.outputs { liveValue[v.index] = true }
        }
        var valueMap = Array(repeating: -1, count: values.count)
        var g = Graph(name: name)
        for (i, v) in values.enumerated() where liveValue[i] {
            var nv = v
            nv.producer = nil
            valueMap[i] = g.addValue(nv).index
        }
        for (i, n) in nodes.enumerated() where liveNode[i] {
            var nn = n
            nn.inputs = n.inputs.map { $0.map { ValueID(valueMap[$0.index]) } }
            nn.outputs = n.outputs.map { ValueID(valueMap[$0.index]) }
            g.addNode(nn)
        }
        g.inputs = inputs.map { ValueID(valueMap[$0.index]) }
        g.outputs = outputs.map { ValueID(valueMap[$0.index]) }
        return g
    }
}

import GraphIR

/// The Keras layer class a group of IR nodes stands for.
public enum KerasLayerKind: String, Sendable {
    case input = "InputLayer"
    case conv2D = "Conv2D"
    case depthwiseConv2D = "DepthwiseConv2D"
    case batchNormalization = "BatchNormalization"
    case activation = "Activation"
    case zeroPadding2D = "ZeroPadding2D"
    case maxPooling2D = "MaxPooling2D"
    case averagePooling2D = "AveragePooling2D"
    case globalAveragePooling2D = "GlobalAveragePooling2D"
    case dense = "Dense"
    case add = "Add"
    case multiply = "Multiply"
    case reshape = "Reshape"
    case flatten = "Flatten"
    case dropout = "Dropout"
    case rescaling = "Rescaling"
    case normalization = "Normalization"
    /// Nodes that do not follow a Keras layer pattern (imported graphs, for instance).
    case other = "Other"

    /// Weights of this kind of layer that Keras never trains (BN moving statistics, the
    /// adapted statistics of Normalization), by weight name.
    public var nonTrainableWeights: Set<String> {
        switch self {
        case .batchNormalization: return ["moving_mean", "moving_variance"]
        case .normalization: return ["mean", "variance", "count"]
        default: return []
        }
    }
}

/// One Keras layer of a zoo graph: its name, class, nodes and parameters.
public struct KerasLayer: Sendable, Equatable {
    public var name: String
    public var kind: KerasLayerKind
    /// The IR nodes of the layer, in graph order (empty for the input layer).
    public var nodes: [NodeID]
    /// The parameters named `<layer>/<weight>`, in definition order.
    public var parameters: [ValueID]

    /// The weight name of a parameter (`kernel`, `gamma`, `moving_mean`, ...).
    public static func weightName(of parameterName: String) -> String {
        guard let slash = parameterName.firstIndex(of: "/") else { return parameterName }
        return String(parameterName[parameterName.index(after: slash)...])
    }
}

/// The Keras layer a node or parameter name belongs to: the part before the first `/`.
public func kerasLayerName(of name: String) -> String {
    guard let slash = name.firstIndex(of: "/") else { return name }
    return String(name[..<slash])
}

extension Graph {
    /// The Keras layers of a graph built with `KerasBuilder`, in Keras's `model.layers`
    /// order: one `InputLayer` per graph input, then one layer per distinct node-name
    /// prefix (the part before `/`) in node order. Parameters belong to the layer their
    /// name starts with, even when no node reads them (Normalization's `count`).
    public var kerasLayers: [KerasLayer] {
        var layers: [KerasLayer] = inputs.map {
            KerasLayer(name: self[$0].name, kind: .input, nodes: [], parameters: [])
        }
        var index: [String: Int] = [:]
        for (i, l) in layers.enumerated() { index[l.name] = i }
        for (i, n) in nodes.enumerated() {
            let name = kerasLayerName(of: n.name)
            if let j = index[name] {
                layers[j].nodes.append(NodeID(i))
            } else {
                index[name] = layers.count
                layers.append(KerasLayer(name: name, kind: .other, nodes: [NodeID(i)], parameters: []))
            }
        }
        for p in parameters {
            if let j = index[kerasLayerName(of: self[p].name)] { layers[j].parameters.append(p) }
        }
        for j in layers.indices where layers[j].kind != .input {
            layers[j].kind = kerasKind(of: layers[j])
        }
        return layers
    }

    /// Recognizes the Keras class from the layer's weights and first node.
    func kerasKind(of layer: KerasLayer) -> KerasLayerKind {
        let weights = Set(layer.parameters.map { KerasLayer.weightName(of: self[$0].name) })
        if weights.contains("moving_mean") { return .batchNormalization }
        if weights.contains("mean") && weights.contains("variance") { return .normalization }
        if weights.contains("depthwise_kernel") { return .depthwiseConv2D }
        guard let first = layer.nodes.first else { return .other }
        let node = self[first]
        switch node.op {
        case .conv: return .conv2D
        case .gemm: return .dense
        case .relu, .clip, .swish, .sigmoid, .softmax, .tanh: return .activation
        case .pad: return .zeroPadding2D
        case .maxPool: return .maxPooling2D
        case .averagePool: return .averagePooling2D
        case .globalAveragePool: return .globalAveragePooling2D
        case .add: return .add
        case .mul:
            let constantOperand = node.inputs.contains { $0.map { self[$0].role == .constant } ?? false }
            return constantOperand ? .rescaling : .multiply
        case .reshape: return .reshape
        case .flatten: return .flatten
        case .dropout: return .dropout
        default: return .other
        }
    }
}

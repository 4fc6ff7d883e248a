import GraphIR

extension WeightTransfer {
    /// The source's weight tensors keyed by Keras parameter name (`layer/kernel`,
    /// `layer/bias`, `layer/gamma`, `layer/beta`, `layer/moving_mean`, `layer/moving_variance`,
    /// `layer/depthwise_kernel`), found through the node that reads each tensor rather than
    /// the tensor's own name: tf2onnx names variables after TensorFlow ops
    /// (`model/conv1_conv/Conv2D/ReadVariableOp:0`), but the reading node's name keeps the
    /// Keras layer (`model/conv1_conv/BiasAdd`). Every `/`-separated component of the node
    /// name is offered as the layer, so the exporter's model-name prefix does not matter. A
    /// constant-folded Keras Normalization (`Sub` by the mean, `Div` by the standard deviation)
    /// gives `layer/mean` and `layer/variance` (the divisor squared).
    static func tensorsByKerasName(in source: Graph) -> [String: (value: ValueID, tensor: Tensor)] {
        var result: [String: (value: ValueID, tensor: Tensor)] = [:]
        func offer(_ layerPath: String, _ role: String, _ input: ValueID?, _ transform: ((Float) -> Float)? = nil) {
            guard let input, let t = source[input].data, t.dtype == .float32 else { return }
            let value = transform.map { Tensor(shape: t.shape, floats: t.floatValues.map($0)) } ?? t
            for layer in layerPath.split(separator: "/") where !layer.isEmpty {
                let key = "\(layer)/\(role)"
                if result[key] == nil { result[key] = (input, value) }
            }
        }
        func constantOperand(_ node: Node) -> ValueID? {
            node.inputs.compactMap { $0 }.first { source[$0].data != nil }
        }
        for node in source.nodes {
            func input(_ i: Int) -> ValueID? { i < node.inputs.count ? node.inputs[i] : nil }
            switch node.op {
            case .conv, .fusedConv:
                let depthwise = (node.attributes.int("group") ?? 1) > 1
                offer(node.name, depthwise ? "depthwise_kernel" : "kernel", input(1))
                offer(node.name, "bias", input(2))
            case .batchNormalization:
                for (i, role) in ["gamma", "beta", "moving_mean", "moving_variance"].enumerated() {
                    offer(node.name, role, input(i + 1))
                }
            case .matMul, .gemm:
                offer(node.name, "kernel", input(1))
                if node.op == .gemm { offer(node.name, "bias", input(2)) }
            case .add:
                // A Dense bias: the operand of `layer/BiasAdd` that holds data.
                offer(node.name, "bias", constantOperand(node))
            case .sub:
                // Keras Normalization, constant-folded: `(x - mean) / sqrt(variance)`.
                offer(node.name, "mean", constantOperand(node))
            case .div:
                offer(node.name, "variance", constantOperand(node)) { $0 * $0 }
            default:
                continue
            }
        }
        return result
    }
}

extension WeightTransfer {
    /// Exporters often fold BatchNormalization into the convolution before it (tf2onnx writes
    /// `..._weights_fused_bn` and `..._bias_fused_bn` and no BN node). For each BN of `target`
    /// whose four parameters are all still `pending` and whose input comes from a convolution
    /// matched in `source`, the BN becomes the identity plus the folded bias: gamma
    /// `sqrt(1 + epsilon)`, moving mean 0, moving variance 1, and beta the source convolution's
    /// bias when the target convolution has none (0 otherwise, the bias having gone to the
    /// convolution). Returns the parameters filled, and the source values whose tensors it used.
    static func fillFoldedBatchNorms(
        _ graph: inout Graph, target: Graph, pending: Set<ValueID>,
        byLayer: [String: (value: ValueID, tensor: Tensor)]
    ) -> (filled: Set<ValueID>, usedSource: [ValueID]) {
        var producer: [Int: Node] = [:]
        for node in target.nodes { for v in node.outputs { producer[v.index] = node } }
        var filled = Set<ValueID>(), usedSource: [ValueID] = []
        for bn in target.nodes where bn.op == .batchNormalization && bn.inputs.count == 5 {
            let params = bn.inputs.dropFirst().compactMap { $0 }
            guard params.count == 4, params.allSatisfy(pending.contains), let x = bn.inputs[0],
                  let conv = producer[x.index], conv.op == .conv || conv.op == .fusedConv,
                  conv.inputs.count > 1, let kernel = conv.inputs[1],
                  let layer = target[kernel].name.split(separator: "/").first,
                  let dims = target[params[0]].type.shape.staticDims, dims.count == 1 else { continue }
            let channels = dims[0]
            // Only when the convolution itself came from the source (its kernel matched by layer).
            guard byLayer["\(layer)/kernel"] != nil || byLayer["\(layer)/depthwise_kernel"] != nil else { continue }
            let targetHasBias = conv.inputs.count > 2 && conv.inputs[2] != nil
            var beta = Tensor(shape: [channels], floats: Array(repeating: 0, count: channels))
            if !targetHasBias {
                guard let bias = byLayer["\(layer)/bias"], bias.tensor.shape == [channels] else { continue }
                beta = bias.tensor
                usedSource.append(bias.value)
            }
            let epsilon = bn.attributes.float("epsilon") ?? 1e-5
            let gamma = Float((1 + Double(epsilon)).squareRoot())
            graph[params[0]].data = Tensor(shape: [channels], floats: Array(repeating: gamma, count: channels))
            graph[params[1]].data = beta
            graph[params[2]].data = Tensor(shape: [channels], floats: Array(repeating: 0, count: channels))
            graph[params[3]].data = Tensor(shape: [channels], floats: Array(repeating: 1, count: channels))
            filled.formUnion(params)
        }
        return (filled, usedSource)
    }
}

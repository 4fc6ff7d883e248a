import GraphIR

/// Folds an inference `BatchNormalization` into the `Conv` before it:
///
///     s  = gamma / sqrt(var + eps)            (per output channel)
///     W' = W * s                              (each output channel's filter)
///     B' = (B - mean) * s + beta              (B = 0 when the conv has no bias)
///
/// Guards: the BN is in inference mode (no `training_mode`, or 0) with one output used;
/// its statistics and the conv's weights are constants or parameters with data, none of
/// them observed (a pinned weight is read or written by name after compile, e.g. one that
/// training updates, so its value must not be baked into a folded copy); the conv's
/// output is read only by the BN and is not observed. The folded conv sits at
/// the BN's position, is named after the BN node and produces the BN's output value, so
/// `conv1_bn` still exists afterwards. Folded weights are new parameters named
/// `<kernel>/bn_folded` and `<bias or conv>/bn_folded_bias`.
public struct FoldBatchNormRule: RewriteRule {
    public init() {}
    public var name: String { "fold-batchnorm" }
    public var rootOps: Set<OpKind> { [.batchNormalization] }

    public struct Match {
        var bn: NodeID
        var conv: NodeID
        var link: ValueID
        var kernel: Tensor
        var bias: Tensor?
        var stats: [Tensor]  // gamma, beta, mean, var
        var epsilon: Double
    }

    public func match(_ n: NodeID, in graph: GraphEditor) -> Match? {
        let bn = graph[n]
        guard (bn.attributes.int("training_mode") ?? 0) == 0, bn.inputs.count == 5,
              bn.outputs.dropFirst().allSatisfy({ graph.users(of: $0).isEmpty && !graph.isObserved($0) }),
              let link = bn.inputs[0], graph.isPrivateLink(link, to: n),
              let c = graph.producer(of: link), graph[c].op == .conv, graph[c].outputs.count == 1,
              let kernel = graph.data(of: graph[c].inputs[1]), kernel.dtype == .float32, kernel.shape.count >= 1
        else { return nil }
        let conv = graph[c]
        let weights = [conv.inputs[1]] + (conv.inputs.count > 2 ? [conv.inputs[2]] : []) + bn.inputs[1...4]
        guard !weights.contains(where: { $0.map(graph.isObserved) ?? false }) else { return nil }
        let bias = conv.inputs.count > 2 ? graph.data(of: conv.inputs[2]) : nil
        if conv.inputs.count > 2, conv.inputs[2] != nil, bias == nil { return nil }
        let channels = kernel.shape[0]
        var stats: [Tensor] = []
        for k in 1...4 {
            guard let t = graph.data(of: bn.inputs[k]), t.dtype == .float32, t.elementCount == channels else { return nil }
            stats.append(t)
        }
        if let bias, bias.dtype != .float32 || bias.elementCount != channels { return nil }
        return Match(bn: n, conv: c, link: link, kernel: kernel, bias: bias, stats: stats,
                     epsilon: Double(bn.attributes.float("epsilon") ?? 1e-5))
    }

    public func apply(_ m: Match, to graph: inout GraphEditor) throws -> RewriteChange {
        let conv = graph[m.conv], bn = graph[m.bn]
        let channels = m.kernel.shape[0]
        let gamma = m.stats[0].floatValues, beta = m.stats[1].floatValues
        let mean = m.stats[2].floatValues, variance = m.stats[3].floatValues
        let scale = (0..<channels).map { Double(gamma[$0]) / (Double(variance[$0]) + m.epsilon).squareRoot() }
        let oldBias = m.bias?.floatValues ?? Array(repeating: 0, count: channels)
        let per = m.kernel.elementCount / max(channels, 1)
        let w = m.kernel.floatValues
        var folded = [Float](repeating: 0, count: w.count)
        for o in 0..<channels {
            let s = scale[o]
            for i in (o * per)..<((o + 1) * per) { folded[i] = Float(Double(w[i]) * s) }
        }
        let foldedBias = (0..<channels).map { Float((Double(oldBias[$0]) - Double(mean[$0])) * scale[$0] + Double(beta[$0])) }

        guard let kernelID = conv.inputs[1] else { throw PassError(pass: name, "\(conv.name): kernel is omitted") }
        let kernelValue = graph[kernelID]
        let newKernel = graph.addValue(
            Value(name: kernelValue.name + "/bn_folded", type: kernelValue.type, role: .parameter,
                  trainable: kernelValue.trainable, data: Tensor(shape: m.kernel.shape, floats: folded)),
            after: kernelID)
        let biasAnchor = (conv.inputs.count > 2 ? conv.inputs[2] : nil) ?? kernelID
        let biasName = (conv.inputs.count > 2 ? conv.inputs[2] : nil).map { graph[$0].name } ?? conv.name + "/bias"
        let newBias = graph.addValue(
            Value(name: biasName + "/bn_folded", type: TensorType(.float32, Shape([channels])), role: .parameter,
                  trainable: kernelValue.trainable, data: Tensor(shape: [channels], floats: foldedBias)),
            after: biasAnchor)

        graph.removeNode(m.conv)
        graph.replaceNode(m.bn, with: Node(name: bn.name, op: .conv, inputs: [conv.inputs[0], newKernel, newBias],
                                           outputs: [bn.outputs[0]], attributes: conv.attributes))
        return RewriteChange(nodes: [m.bn], values: [bn.outputs[0]])
    }
}

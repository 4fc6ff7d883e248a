import GraphIR

/// One static graph that runs a whole training step: forward pass (BatchNormalization
/// in training mode), loss, backward pass and the optimizer update.
///
/// Execution convention (what a static-graph runtime does per step):
/// 1. feed the model inputs, `labels` (`[N, K]` one-hot floats) and `learning_rate`
///    (`f32[]`, from `optimizer.learningRate.rate(atStep:)`);
/// 2. run the graph; its outputs are `loss`, then the model's own outputs, then one
///    `<state>:updated` value per entry of `updates`;
/// 3. for each `StateUpdate`, copy `newValue` into the parameter `state` (an assign
///    after the step), so the next run reads the new weights, moments and statistics.
///
/// State updated this way: trainable parameters; optimizer state (Adam moments
/// `optimizer/<param>/m` and `/v`, SGD `optimizer/<param>/velocity`, and the step
/// counter `optimizer/iterations` (i64) with Adam's `optimizer/beta1_power` and
/// `optimizer/beta2_power`, b^t kept as running products so no Pow op is needed); and
/// the moving statistics of BatchNormalization layers that train. All optimizer state
/// is stored as non-trainable parameters initialized like Keras (zeros; powers 1).
public struct TrainingGraph: Sendable {
    /// A parameter and the graph output holding its value after the step.
    public struct StateUpdate: Sendable, Equatable {
        public var state: ValueID
        public var newValue: ValueID
    }

    public var graph: Graph
    /// The scalar loss (`loss`).
    public var loss: ValueID
    /// The `labels` input, `[N, K]` float.
    public var labels: ValueID
    /// The `learning_rate` input, `f32[]`.
    public var learningRate: ValueID
    /// The logits the loss was computed from (the Softmax input when the model ends in one).
    public var logits: ValueID
    /// The parameters that train, in graph order.
    public var trainable: [ValueID]
    /// The gradient of each trainable parameter, named `grad/<param>`.
    public var gradients: [ValueID]
    public var updates: [StateUpdate]
    public var optimizer: Optimizer

    /// Builds the training graph of `model`.
    ///
    /// - `logits`: the value the loss reads. When it is the output of a Softmax (a Keras
    ///   model ending in `Dense(softmax)`), the Softmax's input is used instead, because
    ///   cross-entropy from logits is the numerically stable form (see `TrainingLoss`).
    /// - `trainable`: the parameters to train; nil takes every parameter whose
    ///   `trainable` flag is set. Frozen parameters get no gradient and no optimizer state.
    /// - BatchNormalization nodes whose scale or bias trains run in training mode (batch
    ///   statistics; moving statistics updated as `moving * momentum + batch * (1 -
    ///   momentum)`, the node's momentum attribute, Keras's 0.99 for the zoo; the batch
    ///   variance is the population variance, as in ONNX). Frozen BN layers keep
    ///   inference mode, as Keras 2+ does for `trainable = False`.
    public static func build(model: Graph, logits: ValueID, loss: TrainingLoss = .crossEntropy(),
                             optimizer: Optimizer = .adam(), trainable: Set<ValueID>? = nil) throws -> TrainingGraph {
        guard logits.index >= 0, logits.index < model.values.count else {
            throw AutodiffError(node: "\(logits)", message: "logits are not a value of graph \(model.name)")
        }
        let params = model.parameters.filter { trainable?.contains($0) ?? model[$0].trainable }
        if let trainable {
            for v in trainable where v.index < 0 || v.index >= model.values.count || model[v].role != .parameter {
                throw AutodiffError(node: v.index < model.values.count && v.index >= 0 ? model[v].name : "\(v)",
                                    message: "only parameters can be trained")
            }
        }
        var editor = GraphEditor(graph: model)
        let modelOutputs = model.outputs
        var updates = try switchBatchNormToTraining(&editor, trainable: Set(params))
        let z = stableLogits(model, logits)
        let labels = try editor.input("labels", editor.graph[z].type)
        let lossValue = try appendLoss(&editor, logits: z, labels: labels, loss)
        let learningRate = try editor.input("learning_rate", TensorType(editor.graph[z].type.dtype, Shape([Dim]())))
        let (withBackward, gradients) = try Gradient.build(graph: editor.graph, of: lossValue, withRespectTo: params,
                                                           addingOutputs: false)
        editor.graph = withBackward
        updates += try appendOptimizer(&editor, optimizer, params: params, gradients: gradients, learningRate: learningRate)
        editor.graph.outputs = [lossValue] + modelOutputs + updates.map(\.newValue)
        try editor.graph.verify()
        return TrainingGraph(graph: editor.graph, loss: lossValue, labels: labels, learningRate: learningRate, logits: z,
                             trainable: params, gradients: gradients, updates: updates, optimizer: optimizer)
    }

    /// The Softmax's input when `v` is a Softmax output, else `v`.
    static func stableLogits(_ g: Graph, _ v: ValueID) -> ValueID {
        if let p = g[v].producer, g[p].op == .softmax, let input = g[p].inputs.first ?? nil { return input }
        return v
    }

    /// Sets training_mode on BatchNormalization nodes whose scale or bias trains and adds
    /// their running-statistics outputs as `<moving stat>:updated`.
    static func switchBatchNormToTraining(_ e: inout GraphEditor, trainable: Set<ValueID>) throws -> [StateUpdate] {
        var updates: [StateUpdate] = []
        for id in e.graph.nodeIDs where e.graph[id].op == .batchNormalization {
            let node = e.graph[id]
            guard node.inputs.count == 5, let scale = node.inputs[1], let bias = node.inputs[2],
                  let mean = node.inputs[3], let variance = node.inputs[4] else {
                throw AutodiffError(node: node.name, message: "BatchNormalization needs scale, bias, mean and var")
            }
            guard trainable.contains(scale) || trainable.contains(bias) else { continue }
            guard e.graph[mean].role == .parameter, e.graph[variance].role == .parameter else {
                throw AutodiffError(node: node.name, message: "moving statistics must be parameters to be updated")
            }
            guard node.outputs.count == 1 else {
                throw AutodiffError(node: node.name, message: "BatchNormalization already has running-statistics outputs")
            }
            var n = node
            n.attributes["training_mode"] = .int(1)
            for stat in [mean, variance] {
                let v = e.graph.addValue(Value(name: "\(e.graph[stat].name):updated", type: e.graph[stat].type,
                                               role: .intermediate, producer: id))
                n.outputs.append(v)
                updates.append(StateUpdate(state: stat, newValue: v))
            }
            e.graph[id] = n
        }
        return updates
    }

    /// The cross-entropy of `TrainingLoss` from logits: nodes `loss/log_softmax`,
    /// `loss/weighted_labels` (with class weights), `loss/terms`, `loss/per_sample`,
    /// `loss/mean` and `loss`.
    static func appendLoss(_ e: inout GraphEditor, logits: ValueID, labels: ValueID, _ loss: TrainingLoss) throws -> ValueID {
        let type = e.graph[logits].type
        guard type.shape.rank == 2, let classes = type.shape[1].value else {
            throw AutodiffError(node: e.graph[logits].name, message: "logits must be [N, classes] with static classes, found \(type)")
        }
        let logp = try e.node(.logSoftmax, "loss/log_softmax", [logits], ["axis": .int(-1)])
        var weighted = labels
        if case .crossEntropy(let weights?) = loss {
            guard weights.count == classes else {
                throw AutodiffError(node: "loss", message: "\(weights.count) class weights for \(classes) classes")
            }
            let w = e.constant("loss/class_weights", Tensor(shape: [classes], floats: weights))
            weighted = try e.node(.mul, "loss/weighted_labels", [labels, w])
        }
        let terms = try e.node(.mul, "loss/terms", [weighted, logp])
        let perSample = try e.node(.reduceSum, "loss/per_sample", [terms, e.constant("loss/class_axis", .int64Vector([1]))],
                                   ["keepdims": .int(0)])
        let mean = try e.node(.reduceMean, "loss/mean", [perSample], ["keepdims": .int(0)])
        return try e.node(.neg, "loss", [mean])
    }
}

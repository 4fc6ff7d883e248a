import Autodiff
import GraphIR
import Runtime

/// A compiled `TrainingGraph`: one `step` runs forward, loss, backward and the optimizer
/// update, then assigns every `<state>:updated` value to its state, buffer to buffer.
///
/// Parameters, optimizer state (Adam `m`/`v`, beta powers) and BatchNormalization moving
/// statistics live in the program's buffers; integer states (`optimizer/iterations`),
/// which the runtime would fold as constants, are kept on the host and fed as inputs.
///
/// ```swift
/// let training = try TrainingGraph.build(model: model, logits: logits)
/// let program = try TrainingProgram(compiling: training, batch: 32, inputShape: [3, 32, 32])
/// let result = try program.step(images: images, labels: oneHot, learningRate: 1e-3)
/// ```
public final class TrainingProgram {
    public let training: TrainingGraph
    public let program: Program
    public let batch: Int
    /// The model's image input (`[batch] + inputShape`).
    public let imageInputName: String
    let lossName: String
    let modelOutputNames: [String]
    let copies: StateCopies
    /// Integer states kept on the host: name -> (its update's name, current value).
    var hostStates: [(name: String, newValue: String, value: Tensor)]
    /// Frozen weights that optimization folded into others (a frozen BatchNormalization
    /// into its frozen conv), with their values: the program no longer holds them, but a
    /// checkpoint lists every weight of the model, so `parameters()` reports them.
    let foldedFrozen: [String: Tensor]
    /// Weights that optimization created (`.../bn_folded`): not states, not checkpointed.
    let derivedWeights: Set<String>
    /// Names of the states the program updates in place (what a validation program must
    /// receive by name, so must not fold: see `InferenceProgram(model:batch:inputShape:sharingWeightsOf:)`).
    public let stateNames: Set<String>

    /// Compiles `training` for a fixed batch size; `inputShape` is one sample's shape
    /// (`[C, H, W]`).
    ///
    /// - Throws: `RuntimeError` or `TrainingError` naming what cannot be compiled.
    ///
    /// With `optimize` (the default) forward, backward and update go through
    /// `Pipeline.standardInference` and then the memory planner (backward graphs are big).
    /// Kept readable after every step, and so never folded or fused away: the loss, the
    /// model outputs, every state and every `<state>:updated` value, plus `pinned` (e.g.
    /// `grad/...` values to inspect with `program.values(named:)`). What that leaves the
    /// optimizer: frozen inference-mode BatchNormalization folds into its frozen conv,
    /// and convs fuse with a following add or activation, only where the pre-activation
    /// value has no other reader (the backward pass reads the inputs of every node it
    /// differentiates, so its values stay). Training-mode BN is never folded. The frozen
    /// weights folded away stay in `parameters()` (checkpoints), and `setParameters`
    /// accepts them unchanged only. `optimize: false` compiles the graph as written.
    public init(compiling training: TrainingGraph, batch: Int, inputShape: [Int], pinned: Set<String> = [],
                optimize: Bool = true) throws {
        var graph = training.graph
        var hostStates: [(String, String, Tensor)] = []
        for update in training.updates where graph[update.state].type.dtype != .float32 {
            let state = graph[update.state]
            guard let value = state.data else { throw TrainingError("state '\(state.name)' has no initial value") }
            hostStates.append((state.name, graph[update.newValue].name, value))
            graph[update.state].role = .input
            graph[update.state].data = nil
            graph.inputs.append(update.state)
        }
        let reserved: Set<ValueID> = [training.labels, training.learningRate]
        let imageInputs = training.graph.inputs.filter { !reserved.contains($0) }
        guard imageInputs.count == 1, let image = imageInputs.first else {
            throw TrainingError("the model must have exactly one image input, found \(imageInputs.map { training.graph[$0].name })")
        }
        guard batch >= 1 else { throw TrainingError("batch must be >= 1, found \(batch)") }
        imageInputName = training.graph[image].name
        let classes = training.graph[training.labels].type.shape.dims.last?.value ?? 0
        var kept = pinned
        kept.insert(graph[training.loss].name)
        for id in graph.outputs { kept.insert(graph[id].name) }
        for update in training.updates {
            kept.insert(graph[update.state].name)
            kept.insert(graph[update.newValue].name)
        }
        program = try Program.compile(graph, inputShapes: [imageInputName: [batch] + inputShape,
                                                           graph[training.labels].name: [batch, classes]],
                                      options: CompileOptions(optimize: optimize, pinned: kept, planMemory: true))
        let floatUpdates = training.updates.filter { graph[$0.state].type.dtype == .float32 }
        copies = try program.stateCopies(floatUpdates.map { (graph[$0.state].name, graph[$0.newValue].name) })
        foldedFrozen = Self.foldedWeights(of: graph, keptBy: program)
        let sourceNames = Set(graph.values.map(\.name))
        derivedWeights = Set(program.parameterNames.filter { !sourceNames.contains($0) })
        stateNames = Set(training.updates.map { graph[$0.state].name })
        self.training = training
        self.batch = batch
        self.hostStates = hostStates
        lossName = graph[training.loss].name
        let updated = Set(training.updates.map(\.newValue))
        modelOutputNames = graph.outputs.filter { $0 != training.loss && !updated.contains($0) }.map { graph[$0].name }
    }

    /// The result of one step.
    public struct StepResult {
        /// The batch's mean loss, before the update.
        public var loss: Float
        /// The model's outputs for the batch (e.g. `predictions` probabilities), by name.
        public var outputs: [String: Tensor]
    }

    /// Number of updates done so far (`optimizer/iterations`).
    public var iterations: Int {
        hostStates.first { $0.name == "optimizer/iterations" }?.value.intValues?.first ?? 0
    }

    /// One training step on a batch: `images` `[batch] + inputShape`, `labels` `[batch, K]`
    /// one-hot floats.
    public func step(images: Tensor, labels: Tensor, learningRate: Float) throws -> StepResult {
        var inputs: [String: Tensor] = [imageInputName: images, training.graph[training.labels].name: labels,
                                        training.graph[training.learningRate].name: .scalar(learningRate)]
        for state in hostStates { inputs[state.name] = state.value }
        try program.runStep(inputs, applying: copies)
        for i in hostStates.indices {
            hostStates[i].value = try program.contents(named: hostStates[i].newValue)
        }
        var outputs: [String: Tensor] = [:]
        for name in modelOutputNames { outputs[name] = try program.contents(named: name) }
        return StepResult(loss: try program.firstFloat(named: lossName), outputs: outputs)
    }

    /// Times each kernel step of a training step on this batch (`Program.profile`). The
    /// profiled runs do not apply the updates, so the weights stay as they were.
    public func profile(images: Tensor, labels: Tensor, iterations: Int = 3) throws -> [StepProfile] {
        var inputs: [String: Tensor] = [imageInputName: images, training.graph[training.labels].name: labels,
                                        training.graph[training.learningRate].name: .scalar(Float(0))]
        for state in hostStates { inputs[state.name] = state.value }
        return try program.profile(inputs, warmup: 0, iterations: iterations)
    }

    /// One step with the learning rate of the optimizer's schedule at the current iteration.
    public func step(images: Tensor, labels: Tensor) throws -> StepResult {
        try step(images: images, labels: labels, learningRate: training.optimizer.learningRate.rate(atStep: iterations))
    }

    /// Every state of training by name: weights (frozen ones included, also those folded
    /// away by optimization), optimizer state, BN moving statistics and
    /// `optimizer/iterations` (what a checkpoint stores). Weights that optimization derived
    /// (`.../bn_folded`) are left out, so the names are those of the unoptimized program.
    public func parameters() -> [String: Tensor] {
        var all = foldedFrozen
        for (name, value) in program.parameters() where !derivedWeights.contains(name) { all[name] = value }
        for state in hostStates { all[state.name] = state.value }
        return all
    }

    /// Restores states by name (from a checkpoint); each must match its declared type.
    /// A frozen weight that optimization folded away must come back unchanged (it is
    /// baked into the folded conv); nothing is written when any entry is refused.
    public func setParameters(_ values: [String: Tensor]) throws {
        var bufferValues = values
        for (name, value) in values {
            guard let original = foldedFrozen[name] else { continue }
            guard value == original else {
                throw TrainingError("frozen weight '\(name)' was folded into its layer when the training program was "
                                    + "compiled (BatchNormalization folding), so it cannot change; build the model with "
                                    + "this value, or compile with optimize: false")
            }
            bufferValues[name] = nil
        }
        for i in hostStates.indices {
            guard let t = values[hostStates[i].name] else { continue }
            guard t.dtype == hostStates[i].value.dtype, t.shape == hostStates[i].value.shape else {
                throw TrainingError("state '\(hostStates[i].name)' expects \(hostStates[i].value.type), got \(t.type)")
            }
            hostStates[i].value = t
            bufferValues[hostStates[i].name] = nil
        }
        try program.setParameters(bufferValues)
    }
}

extension TrainingProgram {
    /// The float weights of `graph` that some node reads but `program` no longer holds:
    /// frozen weights that optimization folded into derived ones.
    static func foldedWeights(of graph: Graph, keptBy program: Program) -> [String: Tensor] {
        var read = Set<ValueID>()
        for node in graph.nodes { for case let v? in node.inputs { read.insert(v) } }
        let held = Set(program.parameterNames)
        var folded: [String: Tensor] = [:]
        for id in graph.parameters where read.contains(id) {
            let v = graph[id]
            guard v.type.dtype == .float32, let data = v.data, !held.contains(v.name) else { continue }
            folded[v.name] = data
        }
        return folded
    }
}

/// An error of the training loop or its checkpoints, with the file or value at fault in
/// its message.
public struct TrainingError: Error, CustomStringConvertible, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

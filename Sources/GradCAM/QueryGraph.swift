import Autodiff
import GraphIR
import GraphOpt

/// Which class score a gradient query differentiates.
public enum QueryScore: String, Sendable, CaseIterable {
    /// The pre-softmax logit of the class (the Softmax input when the model ends in a
    /// Softmax): Grad-CAM's usual choice, free of the other classes' competition.
    case logits
    /// The class probability (the model's output itself).
    case probabilities
}

/// The graph a `GradientQuery` compiles, with the ids of everything it reads back.
///
/// Layout: the model's forward pass (static batch, BatchNormalization as given, i.e. in
/// inference mode), then
///
///     score = ReduceSum(logits * class_mask) + ReduceSum(use_predicted * GlobalMaxPool(logits as [N,1,K,1]))
///
/// and the backward pass of `score` with respect to the targets only. Each image's term
/// involves only its own row of the logits, and inference-mode BN treats images
/// independently, so the gradient at image i is that of image i's own class score: a
/// one-hot row of `class_mask` picks a given class; a 1 in `use_predicted` (with a zero
/// mask row) picks the highest logit, i.e. the predicted class, in the same single run.
struct QueryGraph {
    static let maskName = "gradcam/class_mask"
    static let predictedFlagName = "gradcam/use_predicted"
    static let scoreName = "gradcam/score"

    var graph: Graph
    var imageInput: String
    var imageShape: [Int]
    var classCount: Int
    /// Names of the graph outputs, in order: probabilities (when the model has a
    /// Softmax head), logits, the targets, their gradients.
    var probabilitiesName: String?
    var logitsName: String
    var targetNames: [String]
    var gradientNames: [String]

    /// - Parameters:
    ///   - model: one image input `[N, C, H, W]` (N symbolic or equal to `batch`), first
    ///     output the class scores `[N, K]`.
    ///   - forwardPasses: GraphOpt passes for the forward pass, kept away from the part
    ///     the backward pass differentiates (see `forwardOptimized`).
    init(model: Graph, targets: [String], batch: Int, score: QueryScore, forwardPasses: [String]) throws {
        guard model.inputs.count == 1, let input = model.inputs.first else {
            throw GradCAMError(model.name, "a gradient query needs a model with one image input, found \(model.inputs.count)")
        }
        guard let output = model.outputs.first else { throw GradCAMError(model.name, "the model has no output") }
        guard batch >= 1 else { throw GradCAMError("batch", "must be >= 1, found \(batch)") }
        guard !targets.isEmpty else { throw GradCAMError("targets", "a gradient query needs at least one target value") }
        var g = model
        if case .symbolic(let symbol)? = model[input].type.shape.dims.first {
            g = try model.specialized([symbol: batch])
        }
        guard let dims = g[input].type.shape.staticDims, dims.count == 4, dims[0] == batch else {
            throw GradCAMError(g[input].name, "expected a static image input [\(batch), C, H, W], found \(g[input].type.shape)")
        }
        imageInput = g[input].name
        imageShape = Array(dims.dropFirst())

        let resolved = try targets.map { try TargetResolver.resolve($0, in: g) }
        targetNames = resolved.map { g[$0].name }
        for v in resolved where !g[v].type.dtype.isFloatingPoint || g[v].role != .intermediate {
            throw GradCAMError(g[v].name, "a target must be a float value computed by a node, found \(g[v].role.rawValue) \(g[v].type)")
        }

        // The score source: the Softmax input unless probabilities are asked for.
        var logits = output
        if let p = g[output].producer, g[p].op == .softmax, score == .logits, let x = g[p].inputs.first ?? nil {
            logits = x
            probabilitiesName = g[output].name
        } else if score == .probabilities {
            probabilitiesName = g[output].name
        }
        guard let ld = g[logits].type.shape.staticDims, ld.count == 2, ld[0] == batch, ld[1] >= 1 else {
            throw GradCAMError(g[logits].name, "class scores must be [\(batch), K], found \(g[logits].type.shape)")
        }
        classCount = ld[1]
        logitsName = g[logits].name
        for v in resolved where !Self.reaches(from: v, to: logits, in: g) {
            throw GradCAMError(g[v].name, "the class score '\(g[logits].name)' does not depend on this value")
        }

        let kept = [probabilitiesName, logitsName].compactMap { $0 } + targetNames
        if !forwardPasses.isEmpty {
            g = try Self.forwardOptimized(g, passes: try Pipeline(names: forwardPasses),
                                          targets: targetNames.compactMap { g.value(named: $0) }, logits: logits, keeping: kept)
        }
        g.outputs = kept.compactMap { g.value(named: $0) }
        guard g.outputs.count == kept.count, let logitsID = g.value(named: logitsName) else {
            throw GradCAMError(model.name, "the optimizer lost a pinned value of \(kept)")
        }
        let scoreID = try Self.appendScore(to: &g, logits: logitsID, batch: batch, classes: classCount)
        let wrt = targetNames.compactMap { g.value(named: $0) }
        let (withBackward, gradients) = try Gradient.build(graph: g, of: scoreID, withRespectTo: wrt, addingOutputs: true)
        gradientNames = gradients.map { withBackward[$0].name }
        graph = Self.pruned(withBackward)
    }

    /// Appends the class-mask inputs and the scalar score; returns the score.
    static func appendScore(to g: inout Graph, logits: ValueID, batch: Int, classes: Int) throws -> ValueID {
        let f32 = DType.float32
        func value(_ name: String, _ dims: [Int]) -> ValueID {
            g.addValue(Value(name: name, type: TensorType(f32, Shape(dims)), role: .intermediate))
        }
        func constant(_ name: String, _ t: Tensor) -> ValueID {
            g.addValue(Value(name: name, type: t.type, role: .constant, data: t))
        }
        func node(_ op: OpKind, _ name: String, _ inputs: [ValueID], _ dims: [Int], _ attributes: Attributes = [:]) -> ValueID {
            let out = value(name, dims)
            g.addNode(Node(name: name, op: op, inputs: inputs, outputs: [out], attributes: attributes))
            return out
        }
        let mask = g.addValue(Value(name: maskName, type: TensorType(f32, Shape([batch, classes])), role: .input))
        let flag = g.addValue(Value(name: predictedFlagName, type: TensorType(f32, Shape([batch, 1, 1, 1])), role: .input))
        g.inputs += [mask, flag]
        let keep0: Attributes = ["keepdims": .int(0)]
        let masked = node(.mul, "gradcam/masked_logits", [logits, mask], [batch, classes])
        let given = node(.reduceSum, "gradcam/given_score", [masked, constant("gradcam/axes2", .int64Vector([0, 1]))], [], keep0)
        let grid = node(.reshape, "gradcam/logits_grid",
                        [logits, constant("gradcam/grid_shape", .int64Vector([batch, 1, classes, 1]))], [batch, 1, classes, 1])
        let best = node(.globalMaxPool, "gradcam/max_logit", [grid], [batch, 1, 1, 1])
        let chosen = node(.mul, "gradcam/predicted_logit", [best, flag], [batch, 1, 1, 1])
        let predicted = node(.reduceSum, "gradcam/predicted_score",
                             [chosen, constant("gradcam/axes4", .int64Vector([0, 1, 2, 3]))], [], keep0)
        let score = node(.add, scoreName, [given, predicted], [])
        try g.verify()
        return score
    }

    /// Whether a node path leads from `source` to `target`.
    static func reaches(from source: ValueID, to target: ValueID, in g: Graph) -> Bool {
        var live = Set([source])
        for node in g.nodes where node.inputs.contains(where: { $0.map(live.contains) ?? false }) {
            live.formUnion(node.outputs)
        }
        return live.contains(target)
    }

    /// Drops the nodes no output needs (other model heads, an unused Softmax), so a run
    /// computes only what the query reads.
    static func pruned(_ g: Graph) -> Graph {
        var needed = Set(g.outputs)
        var keep = Set<Int>()
        for (i, node) in g.nodes.enumerated().reversed() where node.outputs.contains(where: needed.contains) {
            keep.insert(i)
            for case let v? in node.inputs { needed.insert(v) }
        }
        return g.compacted(keepingNodes: { keep.contains($0.index) })
    }

    /// The forward graph after `passes` (e.g. `Pipeline.standardInference`), with every value that the
    /// backward pass reads pinned: the targets, the logits, and every operand and result
    /// of the nodes between a target and the logits. Rewrites never fuse across a pinned
    /// value, so that region stays canonical (differentiable: no FusedConv, BN unfolded)
    /// while everything upstream of the targets is folded and fused.
    static func forwardOptimized(_ g: Graph, passes: Pipeline, targets: [ValueID], logits: ValueID,
                                 keeping kept: [String]) throws -> Graph {
        var reachesLogits = Set([logits])
        for node in g.nodes.reversed() where node.outputs.contains(where: reachesLogits.contains) {
            for case let v? in node.inputs { reachesLogits.insert(v) }
        }
        var fromTarget = Set(targets)
        var pinned = Set(kept)
        for node in g.nodes where node.inputs.contains(where: { $0.map(fromTarget.contains) ?? false }) {
            fromTarget.formUnion(node.outputs)
            guard node.outputs.contains(where: reachesLogits.contains) else { continue }
            for case let v? in node.inputs { pinned.insert(g[v].name) }
            for v in node.outputs { pinned.insert(g[v].name) }
        }
        var optimized = g
        optimized.outputs = kept.compactMap { g.value(named: $0) }
        return try passes.run(optimized, pinned: pinned).graph
    }
}

import Autodiff
import GraphIR
import Models
import Runtime
import Testing
@testable import Training

/// The training program runs the inference optimizer over forward + backward + update:
/// frozen BatchNormalization folds into its frozen conv and frozen convs fuse with their
/// activations, while every state stays addressable and every value the backward pass
/// reads stays computed. These tests hold it to the unoptimized program's numbers.
@Suite("Optimized training programs")
struct OptimizedTrainingTests {
    static let recipes: [TrainableRecipe] = [.all, .headOnly, .lastLayers(3, plusBatchNorm: true),
                                             .lastLayers(3, plusBatchNorm: false)]

    /// tiny-resnet (8x8, batch 4) with BatchNormalization statistics and scales away from
    /// their 0/1 initial values, so that folding them is not a no-op.
    static func model(_ recipe: TrainableRecipe) throws -> Graph {
        var g = try TinyNets.tinyResNet(inputSize: 8, batch: .known(4), weights: .seeded(21))
        var random = SeededRandom(seed: 7, stream: "bn-statistics")
        for p in g.parameters {
            let name = g[p].name, count = g[p].type.shape.elementCount ?? 0
            let range: ClosedRange<Float>? = name.hasSuffix("/gamma") || name.hasSuffix("/moving_variance") ? 0.5...1.5
                : name.hasSuffix("/beta") || name.hasSuffix("/moving_mean") ? -0.3...0.3 : nil
            guard let range else { continue }
            g[p].data = Tensor(shape: [count], floats: (0..<count).map { _ in
                range.lowerBound + (range.upperBound - range.lowerBound) * random.nextUnitFloat()
            })
        }
        return try g.settingTrainable(recipe, backboneOutput: "conv2_block1_out")
    }

    static func training(_ recipe: TrainableRecipe, optimizer: Optimizer = .adam(learningRate: 0.01)) throws -> TrainingGraph {
        let m = try model(recipe)
        return try TrainingGraph.build(model: m, logits: m.outputs[0], optimizer: optimizer)
    }

    static func batches() throws -> [(images: Tensor, labels: Tensor)] {
        let data = try SyntheticBlobs.source(count: 12, size: 8, seed: 4)
        return try [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]].map {
            let (images, labels) = try data.batch(at: $0)
            return (images, oneHot(labels, classes: 2))
        }
    }

    /// Largest elementwise difference relative to the larger of the two tensors' largest magnitude.
    static func relativeDifference(_ a: Tensor, _ b: Tensor) -> Float {
        let x = a.floatValues, y = b.floatValues
        guard x.count == y.count else { return .infinity }
        let scale = max(x.map(abs).max() ?? 0, y.map(abs).max() ?? 0, Float.leastNormalMagnitude)
        return zip(x, y).map { abs($0 - $1) }.max().map { $0 / scale } ?? 0
    }

    static func count(_ op: OpKind, in g: Graph) -> Int { g.nodes.filter { $0.op == op }.count }

    @Test("three Adam steps: the optimized program's losses and every state match the unoptimized program within 1e-5",
          arguments: recipes)
    func optimizedMatchesUnoptimized(recipe: TrainableRecipe) throws {
        let training = try Self.training(recipe)
        let optimized = try TrainingProgram(compiling: training, batch: 4, inputShape: [3, 8, 8])
        let plain = try TrainingProgram(compiling: training, batch: 4, inputShape: [3, 8, 8], optimize: false)
        #expect(optimized.program.options.optimize && !plain.program.options.optimize)
        for (images, labels) in try Self.batches() {
            let a = try optimized.step(images: images, labels: labels)
            let b = try plain.step(images: images, labels: labels)
            #expect(abs(a.loss - b.loss) <= 1e-5 * abs(b.loss), "\(recipe): loss \(a.loss) vs \(b.loss)")
        }
        let after = optimized.parameters(), reference = plain.parameters()
        #expect(after.keys.sorted() == reference.keys.sorted())
        for (name, value) in reference where value.dtype == .float32 {
            let other = try #require(after[name])
            #expect(Self.relativeDifference(other, value) <= 1e-5, "\(recipe): \(name) differs")
        }
        #expect(after["optimizer/iterations"] == reference["optimizer/iterations"])
    }

    @Test("head: the frozen backbone's BatchNormalization folds away and its convs fuse; fewer steps")
    func headRecipeFoldsTheBackbone() throws {
        let training = try Self.training(.headOnly)
        let optimized = try TrainingProgram(compiling: training, batch: 4, inputShape: [3, 8, 8])
        let plain = try TrainingProgram(compiling: training, batch: 4, inputShape: [3, 8, 8], optimize: false)
        #expect(Self.count(.batchNormalization, in: plain.program.graph) == 5)
        #expect(Self.count(.batchNormalization, in: optimized.program.graph) == 0)
        // conv1 + relu, the residual conv + add + relu, and the other block convs + relu.
        #expect(Self.count(.fusedConv, in: optimized.program.graph) == 4)
        #expect(Self.count(.conv, in: optimized.program.graph) == 1, "the projection shortcut has nothing to absorb")
        #expect(optimized.program.stepCount < plain.program.stepCount - 8,
                "\(optimized.program.stepCount) vs \(plain.program.stepCount) steps")
    }

    @Test("none and last3+bn: training-mode BatchNormalization is never folded; nothing the backward pass reads is fused away",
          arguments: [TrainableRecipe.all, .lastLayers(3, plusBatchNorm: true)])
    func trainingModeBatchNormStays(recipe: TrainableRecipe) throws {
        let training = try Self.training(recipe)
        let optimized = try TrainingProgram(compiling: training, batch: 4, inputShape: [3, 8, 8])
        let g = optimized.program.graph
        let batchNorms = g.nodes.filter { $0.op == .batchNormalization }
        #expect(batchNorms.count == 5)
        #expect(batchNorms.allSatisfy { $0.attributes.int("training_mode") == 1 })
        // Every conv output is read by its BN and by the BN's backward node, so none may fuse.
        #expect(Self.count(.fusedConv, in: g) == 0)
        #expect(Self.count(.conv, in: g) == 5)
    }

    @Test("last3: frozen BN folds, BN of the trained layers stays in training mode; every value the backward pass reads survives")
    func backwardOperandsSurvive() throws {
        let training = try Self.training(.lastLayers(3, plusBatchNorm: false))
        let optimized = try TrainingProgram(compiling: training, batch: 4, inputShape: [3, 8, 8])
        let g = optimized.program.graph
        let remaining = g.nodes.filter { $0.op == .batchNormalization }
        #expect(!remaining.isEmpty && remaining.count < 5)
        #expect(remaining.allSatisfy { $0.attributes.int("training_mode") == 1 })
        let names = Set(g.values.map(\.name))
        let source = training.graph
        for node in source.nodes where node.name.hasPrefix("grad/") {
            for case let v? in node.inputs where source[v].role == .intermediate && !source[v].name.hasPrefix("grad/") {
                #expect(names.contains(source[v].name), "the backward node \(node.name) reads \(source[v].name), which was fused away")
            }
        }
    }

    @Test("head: checkpoints still hold the frozen originals that were folded; restoring them works, changing them is refused")
    func foldedFrozenParametersInCheckpoints() throws {
        let training = try Self.training(.headOnly)
        let optimized = try TrainingProgram(compiling: training, batch: 4, inputShape: [3, 8, 8])
        let plain = try TrainingProgram(compiling: training, batch: 4, inputShape: [3, 8, 8], optimize: false)
        let saved = optimized.parameters()
        #expect(saved.keys.sorted() == plain.parameters().keys.sorted())
        #expect(!saved.keys.contains { $0.contains("bn_folded") })
        let frozen = "conv1_bn/moving_variance"
        #expect(!optimized.program.parameterNames.contains(frozen), "folded into conv1_conv, so not in the program")
        #expect(saved[frozen] == training.graph[try #require(training.graph.value(named: frozen))].data)
        try optimized.setParameters(saved)
        var changed = saved
        changed[frozen] = Tensor(shape: [8], floats: Array(repeating: 2, count: 8))
        changed["predictions/bias"] = Tensor(shape: [2], floats: [5, 5])
        #expect { try optimized.setParameters(changed) } throws: { "\($0)".contains(frozen) && "\($0)".contains("folded") }
        #expect(optimized.parameters()["predictions/bias"] == saved["predictions/bias"], "nothing is written on error")
    }

    @Test("validation program: optimized, synced by name from the optimized training program, matches the unoptimized one",
          arguments: [TrainableRecipe.all, .headOnly, .lastLayers(3, plusBatchNorm: false)])
    func optimizedValidationMatches(recipe: TrainableRecipe) throws {
        let model = try Self.model(recipe)
        let training = try TrainingGraph.build(model: model, logits: model.outputs[0], optimizer: .adam(learningRate: 0.01))
        let trainer = try TrainingProgram(compiling: training, batch: 4, inputShape: [3, 8, 8])
        for (images, labels) in try Self.batches() { _ = try trainer.step(images: images, labels: labels) }
        let optimized = try InferenceProgram(model: model, batch: 4, inputShape: [3, 8, 8], sharingWeightsOf: trainer)
        let plain = try InferenceProgram(model: model, batch: 4, inputShape: [3, 8, 8], optimize: false)
        optimized.sync(from: trainer)
        plain.sync(from: trainer)
        if recipe == .headOnly {
            #expect(Self.count(.batchNormalization, in: optimized.program.graph) == 0)
        }
        // Everything trains under `none`: every weight is pinned and nothing folds.
        if recipe == .all {
            #expect(optimized.program.stepCount == plain.program.stepCount)
        } else {
            #expect(optimized.program.stepCount < plain.program.stepCount)
        }
        let images = try Self.batches()[0].images
        let a = try optimized.predict(images).probabilities, b = try plain.predict(images).probabilities
        #expect(Self.relativeDifference(Tensor(shape: [a.count], floats: a), Tensor(shape: [b.count], floats: b)) <= 1e-5)
        // The trained weights did arrive: the unsynced program predicts something else.
        let stale = try InferenceProgram(model: model, batch: 4, inputShape: [3, 8, 8], optimize: false)
        #expect(try stale.predict(images).probabilities != b)
    }
}

extension TrainableRecipe: CustomTestStringConvertible {
    public var testDescription: String {
        switch self {
        case .all: return "none"
        case .headOnly: return "head"
        case .lastLayers(let n, let bn): return "last\(n)\(bn ? "+bn" : "")"
        }
    }
}

import Autodiff
import Foundation
import GraphIR
import Runtime

/// The training loop: epochs of seeded shuffled batches, validation after each epoch,
/// early stopping, best-checkpoint selection, resumable checkpoints, progress and CSV
/// curves.
///
/// ```swift
/// let model = try TinyNets.tinyCNN(inputSize: 16, weights: .seeded(1))
/// let trainer = try Trainer(model: model, sampleShape: [3, 16, 16],
///                           configuration: TrainingConfiguration(epochs: 10, batchSize: 16, seed: 7))
/// let report = try trainer.fit(training: trainSet, validation: validationSet)
/// ```
public final class Trainer {
    public let configuration: TrainingConfiguration
    public let program: TrainingProgram
    /// The model for evaluation, sharing the training weights (synced before each use).
    public let evaluator: InferenceProgram
    public let classCount: Int
    let sampleShape: [Int]
    let reporter: ProgressReporter

    /// Builds the training graph of `model` (logits: the model's first output, or the
    /// Softmax input when it is a Softmax) and compiles it and the evaluation program.
    public init(model: Graph, sampleShape: [Int], configuration: TrainingConfiguration,
                optimizer: Optimizer = .adam(), loss: TrainingLoss = .crossEntropy(), trainable: Set<ValueID>? = nil,
                log: ((String) -> Void)? = nil) throws {
        guard configuration.epochs >= 0, configuration.batchSize >= 1, configuration.validationBatchSize >= 1 else {
            throw TrainingError("epochs must be >= 0 and batch sizes >= 1")
        }
        guard let output = model.outputs.first, let image = model.inputs.first else {
            throw TrainingError("model '\(model.name)' needs an input and an output")
        }
        // Gradients of batch means need a static batch: bind the input's batch symbol.
        var fixed = model
        if case .symbolic(let name)? = model[image].type.shape.dims.first {
            fixed = try model.specialized([name: configuration.batchSize])
        }
        let training = try TrainingGraph.build(model: fixed, logits: output, loss: loss, optimizer: optimizer, trainable: trainable)
        program = try TrainingProgram(compiling: training, batch: configuration.batchSize, inputShape: sampleShape)
        evaluator = try InferenceProgram(model: model, batch: configuration.validationBatchSize, inputShape: sampleShape,
                                         sharingWeightsOf: program)
        classCount = training.graph[training.labels].type.shape.dims.last?.value ?? 0
        self.configuration = configuration
        self.sampleShape = sampleShape
        reporter = ProgressReporter(mode: configuration.progress, write: log)
    }

    /// Trains for `configuration.epochs` epochs (counting those of a resumed checkpoint).
    public func fit(training: BatchSource, validation: BatchSource? = nil) throws -> TrainingReport {
        try check(training, "training")
        if let validation { try check(validation, "validation") }
        let c = configuration
        let store = try c.checkpointDirectory.map { try CheckpointStore(directory: $0) }
        var state = Checkpoint(tensors: [:], epoch: 0, randomState: SeededRandom(seed: c.seed, stream: "shuffle").state)
        if c.resume, let store, let saved = try store.loadLatest(warn: reporter.message) {
            try program.setParameters(saved.tensors)
            state = saved
            reporter.message("resumed from epoch \(saved.epoch)")
        }
        let resumedAfter = state.epoch
        var bestWeights: [String: Tensor]? = nil
        var stoppedEarly = false
        while state.epoch < c.epochs {
            if let patience = c.patience, state.epochsWithoutImprovement >= patience, state.epoch > 0 {
                stoppedEarly = true
                break
            }
            let started = Date()
            var random = SeededRandom(seed: state.randomState)
            let (trainLoss, trainAccuracy, lr) = try trainEpoch(training, epoch: state.epoch + 1, random: &random)
            state.randomState = random.state
            let evaluation = try validation.map { try evaluate($0) }
            state.epoch += 1
            let metrics = EpochMetrics(epoch: state.epoch, trainLoss: trainLoss, trainAccuracy: trainAccuracy,
                                       validationLoss: evaluation?.loss, validationAccuracy: evaluation?.accuracy,
                                       learningRate: Double(lr), seconds: Date().timeIntervalSince(started))
            state.history.append(metrics)
            let monitored = evaluation?.loss ?? trainLoss
            let improved = monitored < state.bestLoss
            if improved {
                state.bestLoss = monitored
                state.bestEpoch = state.epoch
                state.epochsWithoutImprovement = 0
            } else {
                state.epochsWithoutImprovement += 1
            }
            state.tensors = program.parameters()
            if improved {
                try store?.saveBest(state)
                if c.restoreBestWeights { bestWeights = state.tensors }
            }
            try store?.saveLast(state)
            if let url = c.curvesCSV { try writeCurves(state.history, to: url) }
            reporter.epochEnd(metrics, epochs: c.epochs, note: improved ? "  (best)" : "")
        }
        if let bestWeights { try program.setParameters(bestWeights) }
        if stoppedEarly { reporter.message("early stop: no improvement for \(c.patience ?? 0) epochs; best epoch \(state.bestEpoch)") }
        return TrainingReport(history: state.history, bestEpoch: state.bestEpoch, stoppedEarly: stoppedEarly,
                              resumedAfterEpoch: resumedAfter)
    }

    /// One epoch over the full batches of a seeded shuffle; returns the mean loss,
    /// accuracy and the last learning rate.
    func trainEpoch(_ source: BatchSource, epoch: Int, random: inout SeededRandom) throws -> (Double, Double, Float) {
        var order = Array(0..<source.count)
        for i in stride(from: order.count - 1, to: 0, by: -1) {
            order.swapAt(i, Int(random.next() % UInt64(i + 1)))
        }
        let batch = configuration.batchSize
        let batches = source.count / batch
        // A planning source (ImageBatchSource) prepares the announced batches in the background.
        let planning = source as? BatchPlanning
        planning?.beginEpoch(epoch, batches: (0..<batches).map { Array(order[($0 * batch)..<(($0 + 1) * batch)]) })
        defer { planning?.endEpoch() }
        var lossSum = 0.0, correct = 0, seen = 0
        var lr: Float = 0
        let started = Date()
        for b in 0..<batches {
            let (images, labels) = try source.batch(at: Array(order[(b * batch)..<((b + 1) * batch)]))
            lr = program.training.optimizer.learningRate.rate(atStep: program.iterations)
            let result = try program.step(images: images, labels: oneHot(labels, classes: classCount), learningRate: lr)
            lossSum += Double(result.loss)
            if let probabilities = result.outputs.values.first?.floatValues {
                correct += countCorrect(probabilities, labels)
            }
            seen += batch
            let elapsed = Date().timeIntervalSince(started)
            let rate = Double(seen) / max(elapsed, 1e-9)
            reporter.batch(epoch: epoch, epochs: configuration.epochs, done: b + 1, total: batches,
                           loss: lossSum / Double(b + 1), accuracy: Double(correct) / Double(seen),
                           imagesPerSecond: rate, secondsLeft: Double((batches - b - 1) * batch) / rate)
        }
        guard batches > 0 else { return (.nan, .nan, lr) }
        return (lossSum / Double(batches), Double(correct) / Double(seen), lr)
    }

    /// Mean cross-entropy (from the predicted probabilities, clipped at 1e-7 as Keras
    /// does) and accuracy over every sample of `source`, with the current weights.
    public func evaluate(_ source: BatchSource) throws -> (loss: Double, accuracy: Double) {
        try check(source, "evaluation")
        evaluator.sync(from: program)
        var lossSum = 0.0, correct = 0
        var start = 0
        while start < source.count {
            let indices = Array(start..<min(start + evaluator.batch, source.count))
            let (images, labels) = try source.batch(at: indices)
            let (probabilities, classes) = try evaluator.predict(images)
            for (row, label) in labels.enumerated() {
                lossSum -= log(Double(max(probabilities[row * classes + label], 1e-7)))
            }
            correct += countCorrect(probabilities, labels)
            start += indices.count
        }
        let n = Double(max(source.count, 1))
        return (lossSum / n, Double(correct) / n)
    }

    private func countCorrect(_ probabilities: [Float], _ labels: [Int]) -> Int {
        guard !labels.isEmpty else { return 0 }
        let classes = probabilities.count / labels.count
        var correct = 0
        for (row, label) in labels.enumerated() {
            let scores = probabilities[(row * classes)..<((row + 1) * classes)]
            if let best = scores.indices.max(by: { scores[$0] < scores[$1] }), best - row * classes == label { correct += 1 }
        }
        return correct
    }

    private func check(_ source: BatchSource, _ role: String) throws {
        guard source.sampleShape == sampleShape, source.classCount == classCount else {
            throw TrainingError("\(role) samples are \(source.sampleShape) with \(source.classCount) classes; the model takes \(sampleShape) with \(classCount)")
        }
    }

    /// Writes the curves as CSV (the whole file, atomically, after each epoch).
    func writeCurves(_ history: [EpochMetrics], to url: URL) throws {
        let text = ([EpochMetrics.csvHeader] + history.map(\.csvLine)).joined(separator: "\n") + "\n"
        do {
            try Data(text.utf8).write(to: url, options: .atomic)
        } catch {
            throw TrainingError("cannot write training curves '\(url.path)': \(error.localizedDescription)")
        }
    }
}

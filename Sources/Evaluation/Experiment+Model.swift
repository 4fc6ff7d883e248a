import Autodiff
import Datasets
import Foundation
import GraphIR
import Imaging
import Models
import Training

/// A zoo network ready to train: head added, trainable flags set.
struct PreparedModel {
    var entry: ZooEntry
    var graph: Graph
    var normalization: Imaging.InputNormalization
    /// What trains, in words, for the report.
    var note: String
}

extension Experiment {
    /// The recipe text of the configuration; `paper` is the study's `last10+bn`.
    static func recipe(parsing text: String) throws -> TrainableRecipe {
        if text == "paper" { return .paper }
        guard let recipe = TrainableRecipe(parsing: text) else {
            throw EvaluationError("--recipe '\(text)': expected paper, head, all, lastN or lastN+bn")
        }
        return recipe
    }

    /// Builds `name` with seeded weights and a two-class head. Networks that already end
    /// in the study's head (the modified ResNet50, the tiny nets) train with the
    /// configured recipe; bare backbones (`include_top=False`) get a new head and train
    /// only it, on the frozen backbone.
    func prepareModel(_ name: String) throws -> PreparedModel {
        let c = configuration
        let entry = try Zoo.entry(named: name)
        let base = try entry.graph(inputSize: c.imageSize, weights: .seeded(c.seed))
        let hadHead = base.hasClassifierHead
        var headed = try base.withClassifierHead(classes: 2, weights: .seeded(c.seed))
        var weightsNote = ""
        if let file = c.weights[name] {
            guard let loadWeights else { throw EvaluationError("--weights \(name)=\(file): no model-file loader") }
            let (filled, report) = WeightTransfer.transfer(from: try loadWeights(file), onto: headed)
            guard report.byName + report.byStructure > 0 else {
                throw EvaluationError("--weights \(name)=\(file): no tensor matched the \(name) graph by name or shape")
            }
            headed = filled
            weightsNote = "; pretrained weights \(file): \(report.summary)"
            log("[\(name)] weights from \(file): \(report.summary)")
        } else {
            weightsNote = "; seeded random weights"
        }
        let recipe: TrainableRecipe
        var note: String
        if hadHead {
            recipe = try Self.recipe(parsing: c.recipe)
            note = c.recipe == "paper"
                ? "study recipe: last 10 backbone layers + every BatchNormalization gamma/beta + head"
                : "recipe \(c.recipe) (backbone) + head"
        } else {
            recipe = .headOnly
            note = "new GAP + Dense(2, softmax) head on the frozen backbone (head only)"
        }
        note += weightsNote
        let graph = try headed.settingTrainable(recipe, backboneOutput: entry.featureLayer)
        guard let normalization = Imaging.InputNormalization.named(entry.inputNormalization.rawValue) else {
            throw EvaluationError("model '\(name)': no image normalization named '\(entry.inputNormalization.rawValue)'")
        }
        return PreparedModel(entry: entry, graph: graph, normalization: normalization, note: note)
    }

    /// Trains, evaluates and explains one model.
    func runModel(_ name: String, data: RunData, resume: Bool) throws -> ModelResult {
        let started = Date()
        let c = configuration
        let prepared = try prepareModel(name)
        let preprocessing = ImagePreprocessing(size: c.imageSize, normalization: prepared.normalization)
        let augmentation: Augmentation = c.splitProtocol == .leakageFree ? .paper : .none
        func source(_ split: String, _ role: ImageBatchSource.Role) throws -> ImageBatchSource {
            try ImageBatchSource(dataset: data.dataset, images: data.images, sampleIndices: data.indices(split),
                                 role: role, preprocessing: preprocessing)
        }
        let train = try source("train", .training(augmentation: augmentation, seed: c.seed))
        let validation = try source("validation", .evaluation)
        let test = try source("test", .evaluation)
        guard train.count >= c.batchSize else {
            throw EvaluationError("model '\(name)': the training split has \(train.count) images, fewer than one batch of \(c.batchSize)")
        }
        log("[\(name)] \(prepared.note); train \(train.count), validation \(validation.count), test \(test.count) images")
        let checkpoints = directory.checkpoints(name)
        let trainer = try Trainer(
            model: prepared.graph, sampleShape: preprocessing.sampleShape,
            configuration: TrainingConfiguration(epochs: c.epochs, batchSize: c.batchSize, seed: c.seed,
                                                 checkpointDirectory: checkpoints, resume: resume,
                                                 curvesCSV: directory.model(name).appendingPathComponent("curves.csv"),
                                                 restoreBestWeights: true),
            optimizer: .adam(), loss: .crossEntropy(), log: prefixed(name))
        let report = try trainer.fit(training: train, validation: validation)
        // The best epoch's weights, also when every epoch had finished before a resume.
        let store = try CheckpointStore(directory: checkpoints)
        if FileManager.default.fileExists(atPath: store.bestURL.path) {
            try trainer.program.setParameters(try CheckpointStore.load(store.bestURL).tensors)
        }
        let trainingSeconds = Date().timeIntervalSince(started)
        log("[\(name)] trained (best epoch \(report.bestEpoch)) in \(String(format: "%.1f", trainingSeconds)) s; evaluating")

        let predictions = try predict(trainer, test, split: "test", model: name, data: data)
            + predict(trainer, validation, split: "validation", model: name, data: data)
        let tested = predictions.filter { $0.split == "test" }
        let scored = tested.map { ScoredSample(patient: $0.patient, label: $0.label, predicted: $0.predicted, score: $0.score) }
        let estimates = PatientBootstrap(resamples: c.bootstrapResamples, seed: c.seed).estimate(scored)

        var trained = prepared.graph
        let tensors = trainer.program.parameters()
        for v in trained.parameters { if let t = tensors[trained[v].name] { trained[v].data = t } }
        log("[\(name)] Grad-CAM on test images (target \(prepared.entry.featureLayer))")
        let explained = try explain(trained, prepared: prepared, preprocessing: preprocessing,
                                    predictions: tested, data: data)

        let trainableCount = prepared.graph.parameters.filter { prepared.graph[$0].trainable }
            .reduce(0) { $0 + (prepared.graph[$1].type.shape.elementCount ?? 0) }
        return ModelResult(
            model: name, trainingNote: prepared.note, trainableParameters: trainableCount,
            curves: report.history.map {
                CurvePoint(epoch: $0.epoch, trainLoss: $0.trainLoss, trainAccuracy: $0.trainAccuracy,
                           validationLoss: $0.validationLoss, validationAccuracy: $0.validationAccuracy, seconds: $0.seconds)
            },
            bestEpoch: report.bestEpoch,
            confusion: ConfusionMatrix(labels: tested.map(\.label), predicted: tested.map(\.predicted)),
            metrics: Dictionary(uniqueKeysWithValues: estimates.map { ($0.key.rawValue, $0.value) }),
            roc: ROC.curve(labels: tested.map(\.label), scores: tested.map(\.score)),
            localization: explained.localization, gallery: explained.gallery,
            gradcamTarget: prepared.entry.featureLayer,
            trainingSeconds: trainingSeconds, totalSeconds: Date().timeIntervalSince(started),
            predictions: predictions)
    }

    /// Class probabilities of every image of `source` with the trainer's current weights.
    func predict(_ trainer: Trainer, _ source: ImageBatchSource, split: String, model: String,
                 data: RunData) throws -> [PredictionRecord] {
        let evaluator = trainer.evaluator
        evaluator.sync(from: trainer.program)
        var out: [PredictionRecord] = []
        var start = 0
        while start < source.count {
            let positions = Array(start..<min(start + evaluator.batch, source.count))
            let (images, _) = try source.batch(at: positions)
            let (probabilities, k) = try evaluator.predict(images)
            for (row, position) in positions.enumerated() {
                let sample = data.dataset.samples[source.sampleIndices[position]]
                let p = probabilities[(row * k)..<((row + 1) * k)].map(Double.init)
                let predicted = p.indices.max { p[$0] < p[$1] } ?? 0
                out.append(PredictionRecord(model: model, imageID: sample.id, patient: sample.patientID, label: sample.label,
                                            probabilities: p, split: split, predicted: predicted))
            }
            start += positions.count
        }
        return out
    }

    /// Log lines of the trainer, tagged with the model (after the bar's line reset, if any).
    func prefixed(_ model: String) -> (String) -> Void {
        let reset = "\r\u{1B}[2K"
        let log = self.log
        return { text in
            if text.hasPrefix(reset) && !text.hasSuffix("\n") {
                FileHandle.standardError.write(Foundation.Data((reset + "[\(model)] " + text.dropFirst(reset.count)).utf8))
            } else {
                var line = Substring(text)
                while line.last == "\n" { line = line.dropLast() }
                log("[\(model)] " + line)
            }
        }
    }
}

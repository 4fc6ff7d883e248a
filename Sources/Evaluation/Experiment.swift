import Datasets
import Foundation
import GraphIR
import Imaging
import Models

/// The model comparison of the reference study, reproducibly: one patient-level split,
/// every model trained, evaluated on the test split with patient-bootstrap intervals,
/// explained with Grad-CAM and scored against lesion annotations, then a report.
///
/// ```swift
/// let config = ExperimentConfiguration(dataset: "synthetic", models: ["tiny-cnn"], epochs: 1)
/// let summary = try Experiment(configuration: config, runDirectory: URL(fileURLWithPath: "/tmp/run")).run()
/// ```
///
/// Each finished model leaves `models/NAME/result.json`; `run(resume: true)` skips those
/// and continues an interrupted model from its last checkpoint.
public final class Experiment {
    public let configuration: ExperimentConfiguration
    public let directory: RunDirectory
    let log: (String) -> Void
    /// Reads a pretrained model file (`--weights NAME=FILE`) into a graph whose tensors
    /// `WeightTransfer` copies onto the zoo network; the command line passes GraphIO's
    /// loader. Nil: `--weights` is refused.
    public var loadWeights: ((String) throws -> Graph)?

    public init(configuration: ExperimentConfiguration, runDirectory: URL,
                log: @escaping (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }) {
        self.configuration = configuration
        directory = RunDirectory(runDirectory)
        self.log = log
    }

    /// Reads `RUNDIR/config.json` of an earlier run.
    public static func resuming(_ runDirectory: URL,
                                log: @escaping (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }) throws -> Experiment {
        let url = RunDirectory(runDirectory).configuration
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw EvaluationError("\(url.path): no experiment configuration to resume (was the run started with -o here?)")
        }
        do {
            return Experiment(configuration: try JSONDecoder().decode(ExperimentConfiguration.self, from: data),
                              runDirectory: runDirectory, log: log)
        } catch {
            throw EvaluationError("\(url.path): not an experiment configuration (\(error))")
        }
    }

    /// The data of a run: the dataset as trained on (augmented copies under the paper
    /// protocol), its images, and the split.
    public struct RunData: Sendable {
        public var dataset: Dataset
        public var images: any ImageSource
        public var split: DataSplit
        /// Whether the dataset is the synthetic one.
        public var synthetic: Bool

        public func indices(_ name: String) -> [Int] { split.sampleIndices(in: name, of: dataset) }
    }

    /// Opens the dataset and makes the split, or reads `split.json` when it exists.
    public func prepareData() throws -> RunData {
        let c = configuration
        guard let task = ClassificationTask(rawValue: c.task) else {
            throw EvaluationError("task '\(c.task)': expected one of \(ClassificationTask.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let spec = try DatasetSpec(parsing: c.dataset)
        let options = DatasetCatalog.Options(task: task, synthetic: .init(count: c.syntheticCount, size: c.syntheticSize, seed: c.seed))
        let opened = try DatasetCatalog.open(spec, options: options)
        guard opened.dataset.classNames.count == 2 else {
            throw EvaluationError("dataset '\(c.dataset)' has \(opened.dataset.classNames.count) classes "
                                  + "(\(opened.dataset.classNames.joined(separator: ", "))); the experiment compares binary classifiers: choose a two-class --task")
        }
        var dataset = opened.dataset
        var images = opened.imageSource()
        if c.splitProtocol == .paperAugmentBeforeSplit {
            let copies = try AugmentedCopies(base: dataset, images: images, copies: c.augmentedCopies, seed: c.seed)
            dataset = copies.dataset
            images = copies
        }
        let split: DataSplit
        if FileManager.default.fileExists(atPath: directory.split.path) {
            split = try DataSplit.read(from: directory.split, for: dataset)
            log("reusing split \(directory.split.path)")
        } else {
            split = try DataSplit.make(dataset, plan: .trainValidationTest(0.6, 0.2, 0.2), seed: c.seed)
            try split.write(to: directory.split, for: dataset)
        }
        return RunData(dataset: dataset, images: images, split: split, synthetic: opened.synthetic != nil)
    }

    /// Trains and evaluates every model not finished yet, then writes `metrics.json`,
    /// `predictions.csv` and `report.html`. With `resume`, finished models are read back
    /// and an interrupted one continues from its last checkpoint.
    @discardableResult
    public func run(resume: Bool = false) throws -> ExperimentSummary {
        let fm = FileManager.default
        if loadWeights == nil, let (model, file) = configuration.weights.sorted(by: { $0.key < $1.key }).first {
            throw EvaluationError("--weights \(model)=\(file): importing pretrained weights is not supported yet "
                                  + "without a model-file loader; run without --weights (seeded random weights, flagged in the report)")
        }
        if let stray = configuration.weights.keys.sorted().first(where: { !configuration.models.contains($0) }) {
            throw EvaluationError("--weights \(stray)=...: '\(stray)' is not among the models (\(configuration.models.joined(separator: ", ")))")
        }
        for name in configuration.models { _ = try Zoo.entry(named: name) }
        try fm.createDirectory(at: directory.url, withIntermediateDirectories: true)
        if !resume, fm.fileExists(atPath: directory.configuration.path) {
            throw EvaluationError("\(directory.url.path) already holds an experiment; use --resume or another -o")
        }
        try Self.encoder.encode(configuration).write(to: directory.configuration)
        let data = try prepareData()
        let started = Date()
        var trainedHere = 0
        for (i, name) in configuration.models.enumerated() {
            if resume, let done = try? ModelResult.read(directory.result(name)) {
                log("[\(name)] finished earlier (\(String(format: "%.0f", done.totalSeconds)) s), skipped")
                continue
            }
            let elapsed = Date().timeIntervalSince(started)
            let left = configuration.models.count - i
            let eta = trainedHere > 0 ? String(format: ", about %.0f s left at %.0f s per model so far (models differ a lot)",
                                              elapsed / Double(trainedHere) * Double(left), elapsed / Double(trainedHere)) : ""
            log("[\(name)] model \(i + 1)/\(configuration.models.count); elapsed \(String(format: "%.0f", elapsed)) s\(eta)")
            let result = try runModel(name, data: data, resume: resume)
            try result.write(directory.result(name))
            trainedHere += 1
            log("[\(name)] done in \(String(format: "%.1f", result.totalSeconds)) s: "
                + Metric.allCases.map { "\($0.rawValue) \(format(result.metric($0)?.value))" }.joined(separator: ", "))
        }
        return try writeSummary()
    }

    /// Reads every finished model's result and writes `metrics.json`, `predictions.csv`
    /// and `report.html` (what `graphcam report` does).
    @discardableResult
    public func writeSummary() throws -> ExperimentSummary {
        // Unfinished models are left out; a damaged result file is an error, not a gap.
        let results = try configuration.models
            .filter { FileManager.default.fileExists(atPath: directory.result($0).path) }
            .map { try ModelResult.read(directory.result($0)) }
        let data = try? prepareDataQuietly()
        let summary = ExperimentSummary(configuration: configuration, results: results,
                                        classNames: data?.dataset.classNames ?? ["negative", "positive"],
                                        synthetic: data?.synthetic ?? (configuration.dataset.lowercased() == "synthetic"),
                                        splitCounts: data.map { d in ["train", "validation", "test"].map { d.indices($0).count } } ?? [])
        try summary.write(to: directory)
        return summary
    }

    private func prepareDataQuietly() throws -> RunData {
        try Experiment(configuration: configuration, runDirectory: directory.url, log: { _ in }).prepareData()
    }

    static var encoder: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return e
    }

    static var decoder: JSONDecoder {
        let d = JSONDecoder()
        d.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return d
    }
}

extension ModelResult {
    public static func read(_ url: URL) throws -> ModelResult {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw EvaluationError("\(url.path): no model result")
        }
        do { return try Experiment.decoder.decode(ModelResult.self, from: data) }
        catch { throw EvaluationError("\(url.path): unreadable model result (\(error))") }
    }

    public func write(_ url: URL) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Experiment.encoder.encode(self).write(to: url, options: .atomic)
    }
}

func format(_ v: Double?, digits: Int = 3) -> String {
    guard let v, v.isFinite else { return "n/a" }
    return String(format: "%.\(digits)f", v)
}

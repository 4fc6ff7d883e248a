import Evaluation
import Foundation
import Models
import Testing

/// Log lines collected across the experiment's closure.
final class LogLines: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String] = []
    func append(_ line: String) { lock.withLock { stored.append(line) } }
    var lines: [String] { lock.withLock { stored } }
}

@Suite(.serialized) struct ExperimentTests {
    static func configuration(models: [String] = ["tiny-cnn"]) -> ExperimentConfiguration {
        ExperimentConfiguration(dataset: "synthetic", models: models, epochs: 1, batchSize: 4, imageSize: 32,
                                bootstrapResamples: 50, galleryPerOutcome: 1, displaySize: 48,
                                syntheticCount: 40, syntheticSize: 48)
    }

    static func temporaryDirectory() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("graphcam-experiment-\(UUID().uuidString)")
    }

    @Test func oneEpochOfTinyCNNWritesEveryResultFile() throws {
        let run = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: run) }
        let summary = try Experiment(configuration: Self.configuration(), runDirectory: run, log: { _ in }).run()
        let result = try #require(summary.results.first)
        #expect(result.model == "tiny-cnn")
        #expect(result.curves.count == 1)
        #expect(result.confusion.total == summary.splitCounts[2])
        #expect(result.metrics.count == Metric.allCases.count)
        #expect(summary.warnings.contains { $0.contains("seeded random weights") })
        #expect(summary.warnings.contains { $0.contains("synthetic data") })

        let directory = RunDirectory(run)
        for file in [directory.configuration, directory.split, directory.metrics, directory.predictions, directory.report] {
            #expect(FileManager.default.fileExists(atPath: file.path), "missing \(file.lastPathComponent)")
        }
        let csv = try String(contentsOf: directory.predictions, encoding: .utf8).split(separator: "\n")
        #expect(csv.first == "model,image_id,patient,label,p_normal,p_lesion,split,predicted")
        #expect(csv.count == 1 + summary.splitCounts[1] + summary.splitCounts[2])

        let metrics = try JSONSerialization.jsonObject(with: Data(contentsOf: directory.metrics)) as? [String: Any]
        let models = try #require(metrics?["models"] as? [[String: Any]])
        #expect(models.first?["model"] as? String == "tiny-cnn")

        let html = try String(contentsOf: directory.report, encoding: .utf8)
        for section in ["setup", "comparison", "curves", "roc", "confusion", "localization", "gallery"] {
            #expect(html.contains("id=\"\(section)\""), "report lacks section \(section)")
        }
        #expect(html.contains("seeded random weights"))
        #expect(html.contains("<svg"))
        #expect(html.contains("data:image/png;base64,"))
        // Synthetic lesion images carry circles, so localization is scored.
        let localization = try #require(result.localization)
        // Only lesion images are scored; on the synthetic set they are all class "lesion".
        let perClass = try #require(localization.perClass)
        #expect(perClass.keys.sorted() == ["lesion"])
        #expect(perClass["lesion"]?.images == localization.images)
        let firstPNG = try #require(result.gallery.first?.overlay)
        #expect(FileManager.default.fileExists(atPath: run.appendingPathComponent(firstPNG).path))
    }

    @Test func resumeSkipsFinishedModelsAndKeepsTheSplit() throws {
        let run = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: run) }
        let first = try Experiment(configuration: Self.configuration(), runDirectory: run, log: { _ in }).run()
        let split = try Data(contentsOf: RunDirectory(run).split)

        let lines = LogLines()
        let resumed = try Experiment.resuming(run, log: lines.append).run(resume: true)
        #expect(lines.lines.contains { $0.contains("[tiny-cnn] finished earlier") })
        #expect(!lines.lines.contains { $0.contains("[tiny-cnn] model 1/1") })
        #expect(resumed.results == first.results)
        #expect(try Data(contentsOf: RunDirectory(run).split) == split)
    }

    @Test func aSecondRunIntoTheSameDirectoryNeedsResume() throws {
        let run = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: run) }
        try Experiment(configuration: Self.configuration(), runDirectory: run, log: { _ in }).run()
        #expect(throws: EvaluationError.self) {
            try Experiment(configuration: Self.configuration(), runDirectory: run, log: { _ in }).run()
        }
    }

    @Test func anUnknownRecipeIsRejected() throws {
        var c = Self.configuration()
        c.recipe = "last-ten"
        let run = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: run) }
        #expect(throws: EvaluationError.self) {
            try Experiment(configuration: c, runDirectory: run, log: { _ in }).run()
        }
    }

    @Test func pretrainedWeightsAreRefusedBeforeAnyTraining() throws {
        var c = Self.configuration()
        c.weights = ["tiny-cnn": "/nonexistent/tiny.onnx"]
        let run = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: run) }
        let error = try #require(throws: EvaluationError.self) {
            try Experiment(configuration: c, runDirectory: run, log: { _ in }).run()
        }
        #expect(error.description.contains("not supported yet"))
        #expect(!FileManager.default.fileExists(atPath: RunDirectory(run).split.path))
    }

    @Test func thePaperProtocolSplitsAugmentedCopiesAtImageLevel() throws {
        var c = Self.configuration()
        c.splitProtocol = .paperAugmentBeforeSplit
        c.augmentedCopies = 3
        c.epochs = 0
        let run = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: run) }
        let experiment = Experiment(configuration: c, runDirectory: run, log: { _ in })
        try FileManager.default.createDirectory(at: run, withIntermediateDirectories: true)
        let data = try experiment.prepareData()
        #expect(data.dataset.samples.count == 3 * 40)
        // Copies of one original image end up in different splits: the leak the protocol reproduces.
        let splitOf = Dictionary(uniqueKeysWithValues: ["train", "validation", "test"].flatMap { name in
            data.indices(name).map { (data.dataset.samples[$0].id, name) } })
        let originals = data.dataset.samples.filter { !$0.id.contains("~aug") }.map(\.id)
        let leaked = originals.filter { id in Set((0..<3).map { splitOf[$0 == 0 ? id : "\(id)~aug\($0)"] }).count > 1 }
        #expect(!leaked.isEmpty)
        // An augmented copy differs from its original.
        let original = try data.images.image(for: data.dataset.samples[0], in: data.dataset)
        let copy = try data.images.image(for: data.dataset.samples[1], in: data.dataset)
        #expect(original != copy)
    }

    @Test func pretrainedWeightsComeFromTheLoaderAndTheReportSaysWhatMatched() throws {
        var c = Self.configuration()
        c.epochs = 0
        c.weights = ["tiny-cnn": "pretrained.onnx"]
        let run = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: run) }
        let experiment = Experiment(configuration: c, runDirectory: run, log: { _ in })
        experiment.loadWeights = { _ in try TinyNets.tinyCNN(inputSize: 32, weights: .seeded(9)) }
        let summary = try experiment.run()
        let note = try #require(summary.results.first?.trainingNote)
        #expect(note.contains("pretrained weights pretrained.onnx: 14 by name, 0 by structure, 0 unmatched"))
        #expect(!summary.warnings.contains { $0.contains("seeded random weights") })
    }
}

@Suite struct ReportRebuildTests {
    @Test func theReportIsRebuiltFromSavedResultsAndADamagedResultIsNamed() throws {
        let run = ExperimentTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: run) }
        try Experiment(configuration: ExperimentTests.configuration(), runDirectory: run, log: { _ in }).run()
        let directory = RunDirectory(run)
        try FileManager.default.removeItem(at: directory.report)
        let summary = try Experiment.resuming(run, log: { _ in }).writeSummary()
        #expect(summary.results.map(\.model) == ["tiny-cnn"])
        #expect(FileManager.default.fileExists(atPath: directory.report.path))

        try Data("{".utf8).write(to: directory.result("tiny-cnn"))
        let error = try #require(throws: EvaluationError.self) { try Experiment.resuming(run, log: { _ in }).writeSummary() }
        #expect(error.description.contains("tiny-cnn/result.json"))
    }
}

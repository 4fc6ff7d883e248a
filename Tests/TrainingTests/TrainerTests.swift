import Autodiff
import Foundation
import GraphIR
import Models
import Testing
@testable import Training

@Suite("Trainer on tiny-cnn")
struct TrainerTests {
    func configuration(epochs: Int, directory: URL? = nil, resume: Bool = false) -> TrainingConfiguration {
        TrainingConfiguration(epochs: epochs, batchSize: 16, seed: 42, checkpointDirectory: directory, resume: resume,
                              progress: .silent)
    }

    func trainer(_ c: TrainingConfiguration, log: ((String) -> Void)? = nil) throws -> Trainer {
        try Trainer(model: try TinyNets.tinyCNN(inputSize: 16, weights: .seeded(3)), sampleShape: [3, 16, 16],
                    configuration: c, optimizer: .adam(learningRate: 0.01), log: log)
    }

    func temporaryDirectory() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("graphcam-training-\(UUID().uuidString)")
    }

    @Test("learns bright blob vs noise to >= 95% training accuracy; validation and CSV curves follow")
    func learnsBlobs() throws {
        let train = try SyntheticBlobs.source(count: 96, seed: 1)
        let validation = try SyntheticBlobs.source(count: 37, seed: 2)  // 37: a padded last batch
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var c = configuration(epochs: 6)
        c.curvesCSV = directory.appendingPathComponent("curves.csv")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let report = try trainer(c).fit(training: train, validation: validation)
        let last = try #require(report.history.last)
        #expect(last.trainAccuracy >= 0.95, "history: \(report.history.map(\.csvLine))")
        #expect(try #require(last.validationAccuracy) >= 0.9)
        #expect(report.history.first!.trainLoss > last.trainLoss)
        let csv = try String(contentsOf: try #require(c.curvesCSV), encoding: .utf8).split(separator: "\n")
        #expect(csv.count == 7 && csv[0] == Substring(EpochMetrics.csvHeader))
    }

    @Test("2 epochs + checkpoint + resume + 2 epochs equals 4 straight epochs, bytewise")
    func resumeIsBitIdentical() throws {
        let train = try SyntheticBlobs.source(count: 40, seed: 5)  // 40: the last partial batch is dropped
        let straight = try trainer(configuration(epochs: 4))
        _ = try straight.fit(training: train)
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        _ = try trainer(configuration(epochs: 2, directory: directory)).fit(training: train)
        let resumed = try trainer(configuration(epochs: 4, directory: directory, resume: true))
        let report = try resumed.fit(training: train)
        #expect(report.resumedAfterEpoch == 2 && report.history.count == 4)
        let a = straight.program.parameters(), b = resumed.program.parameters()
        #expect(a.keys.sorted() == b.keys.sorted())
        #expect(a.keys.contains("optimizer/iterations") && a.keys.contains { $0.hasSuffix("/m") })
        for (name, tensor) in a { #expect(tensor.rawBytes == b[name]?.rawBytes, "\(name) differs") }
        #expect(b["optimizer/iterations"]?.intValues == [8])
    }

    @Test("only the head training (the frozen backbone folded): checkpoint + resume still equals straight epochs, bytewise")
    func resumeWithFoldedBackbone() throws {
        let train = try SyntheticBlobs.source(count: 40, seed: 5)
        let model = try TinyNets.tinyCNN(inputSize: 16, weights: .seeded(3))
        let head = Set(model.parameters.filter { model[$0].name.hasPrefix("predictions") })
        func trainer(_ c: TrainingConfiguration) throws -> Trainer {
            try Trainer(model: model, sampleShape: [3, 16, 16], configuration: c, optimizer: .adam(learningRate: 0.01),
                        trainable: head)
        }
        let straight = try trainer(configuration(epochs: 4))
        _ = try straight.fit(training: train, validation: try SyntheticBlobs.source(count: 8, seed: 7))
        #expect(!straight.program.program.graph.nodes.contains { $0.op == .batchNormalization })
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        _ = try trainer(configuration(epochs: 2, directory: directory)).fit(training: train)
        let resumed = try trainer(configuration(epochs: 4, directory: directory, resume: true))
        #expect(try resumed.fit(training: train).resumedAfterEpoch == 2)
        let a = straight.program.parameters(), b = resumed.program.parameters()
        #expect(a.keys.sorted() == b.keys.sorted())
        #expect(a.keys.contains("conv1_conv/kernel") && a.keys.contains("conv2_bn/moving_mean"), "frozen weights are checkpointed")
        for (name, tensor) in a { #expect(tensor.rawBytes == b[name]?.rawBytes, "\(name) differs") }
    }

    @Test("early stopping: with a zero learning rate and frozen BN nothing improves, so training stops after patience epochs")
    func earlyStopping() throws {
        let train = try SyntheticBlobs.source(count: 32, seed: 6)
        var c = configuration(epochs: 10)
        c.patience = 2
        var lines: [String] = []
        c.progress = .lines
        let model = try TinyNets.tinyCNN(inputSize: 16, weights: .seeded(3))
        // Only the head trains, so BatchNormalization stays in inference mode: nothing changes.
        let head = Set(model.parameters.filter { model[$0].name.hasPrefix("predictions") })
        let t = try Trainer(model: model, sampleShape: [3, 16, 16], configuration: c,
                            optimizer: .sgd(learningRate: .constant(0)), trainable: head, log: { lines.append($0) })
        let report = try t.fit(training: train, validation: try SyntheticBlobs.source(count: 8, seed: 7))
        #expect(report.stoppedEarly && report.history.count == 3 && report.bestEpoch == 1, "\(report.history.map(\.csvLine))")
        #expect(lines.contains { $0.hasPrefix("epoch 1/10") && $0.contains("val_acc") })
        #expect(lines.contains { $0.contains("early stop") })
    }
}

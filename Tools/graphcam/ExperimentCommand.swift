import ArgumentParser
import Evaluation
import Foundation
import GraphIO

/// `graphcam experiment`: the model comparison of the reference study (train, test,
/// Grad-CAM, report), resumable.
struct ExperimentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "experiment",
        abstract: "Train and compare zoo models on one split; write metrics, predictions, Grad-CAM and report.html.",
        discussion: """
            Writes RUNDIR/config.json, split.json (60/20/20 by patient), models/NAME/ (checkpoints, \
            curves.csv, result.json), gradcam/NAME/*.png, metrics.json, predictions.csv and report.html. \
            --resume RUNDIR reuses the saved configuration and split, skips finished models and \
            continues an interrupted one from its last checkpoint. Without --weights the weights \
            are seeded random and the report says so.
            """)

    @Option(help: "synthetic | mias[:PATH] | cdd-cesm:PATH | manifest:FILE.csv | folder.")
    var dataset: String?

    @Option(help: "Two-class task: normal-vs-abnormal, normal-vs-malignant, benign-vs-malignant.")
    var task: String = "normal-vs-abnormal"

    @Option(help: "Comma-separated zoo models.")
    var models: String = "resnet50-modified,resnet50,vgg16,vgg19,mobilenetv2,efficientnetb7"

    @Option(help: "Recipe for models with the study's head: paper (last10+bn), head, all, lastN, lastN+bn. Bare backbones train a new head only.")
    var recipe: String = "paper"

    @Option(help: "Epochs per model.")
    var epochs: Int = 10

    @Option(help: "Batch size.")
    var batch: Int = 16

    @Option(help: "Model input side in pixels.")
    var size: Int = 112

    @Option(help: "Seed of weights, split, augmentation, shuffling and bootstrap.")
    var seed: UInt64 = 0

    @Option(name: .customLong("protocol"), help: "leakage-free | paper-augment-before-split.")
    var splitProtocol: String = SplitProtocol.leakageFree.rawValue

    @Option(help: "Copies per image under paper-augment-before-split.")
    var copies: Int = 5

    @Option(help: "Bootstrap resamples for the intervals.")
    var resamples: Int = 1000

    @Option(help: "Gallery examples per outcome (TP, FP, TN, FN) and model.")
    var gallery: Int = 3

    @Option(help: "Synthetic dataset: number of images.")
    var syntheticCount: Int = 400

    @Option(help: "Synthetic dataset: image side.")
    var syntheticSize: Int = 128

    @Option(parsing: .singleValue, help: "NAME=FILE pretrained weights (.onnx/.xml/.gir), copied onto the zoo graph by name, else by shape in graph order; the report says what matched.")
    var weights: [String] = []

    @Option(name: .shortAndLong, help: "Run directory (new).")
    var output: String?

    @Option(help: "Continue the run in this directory.")
    var resume: String?

    func validate() throws {
        if (output == nil) == (resume == nil) { throw ValidationError("give -o RUNDIR for a new run or --resume RUNDIR") }
        if resume == nil && dataset == nil { throw ValidationError("--dataset is required for a new run") }
        if SplitProtocol(rawValue: splitProtocol) == nil {
            throw ValidationError("--protocol '\(splitProtocol)': expected \(SplitProtocol.allCases.map(\.rawValue).joined(separator: " or "))")
        }
        if epochs < 0 || batch < 1 || size < 8 || copies < 1 || resamples < 0 || gallery < 0 {
            throw ValidationError("--epochs >= 0, --batch >= 1, --size >= 8, --copies >= 1, --resamples >= 0, --gallery >= 0")
        }
    }

    func run() throws {
        do {
            let started = Date()
            let experiment: Experiment
            if let resume {
                experiment = try Experiment.resuming(URL(fileURLWithPath: resume))
            } else {
                var weightFiles: [String: String] = [:]
                for pair in weights {
                    let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
                    guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                        throw ValidationError("--weights '\(pair)': expected NAME=FILE.onnx")
                    }
                    weightFiles[parts[0]] = parts[1]
                }
                let config = ExperimentConfiguration(
                    dataset: dataset ?? "synthetic", task: task,
                    models: models.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty },
                    recipe: recipe, epochs: epochs, batchSize: batch, imageSize: size, seed: seed,
                    splitProtocol: SplitProtocol(rawValue: splitProtocol) ?? .leakageFree, augmentedCopies: copies,
                    bootstrapResamples: resamples, galleryPerOutcome: gallery, weights: weightFiles,
                    syntheticCount: syntheticCount, syntheticSize: syntheticSize)
                experiment = Experiment(configuration: config, runDirectory: URL(fileURLWithPath: output ?? "."))
            }
            experiment.loadWeights = { try ModelFile.load($0) }
            let summary = try experiment.run(resume: resume != nil)
            print("model".padding(toLength: 20, withPad: " ", startingAt: 0) + " "
                  + ["acc", "prec", "recall", "spec", "F1", "AUC", "seconds"].map { $0.leftPadded(8) }.joined(separator: " "))
            for r in summary.results {
                let cells = Metric.allCases.map { m in r.metric(m)?.value.map { String(format: "%8.3f", $0) } ?? "     n/a" }
                print(r.model.padding(toLength: 20, withPad: " ", startingAt: 0) + " " + cells.joined(separator: " ")
                      + String(format: " %8.1f", r.totalSeconds))
            }
            print("report: \(experiment.directory.report.path)  (\(String(format: "%.1f", Date().timeIntervalSince(started))) s)")
        } catch let error as ValidationError {
            throw error
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode.failure
        }
    }
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}

import ArgumentParser
import Evaluation
import Foundation

/// `graphcam report RUNDIR`: rebuilds report.html, metrics.json and predictions.csv
/// from the saved per-model results.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Rebuild RUNDIR/report.html (and metrics.json, predictions.csv) from an experiment's saved results.")

    @Argument(help: "The run directory of `graphcam experiment`.")
    var runDirectory: String

    func run() throws {
        do {
            let experiment = try Experiment.resuming(URL(fileURLWithPath: runDirectory))
            let summary = try experiment.writeSummary()
            print("\(summary.results.count) of \(summary.configuration.models.count) models in \(experiment.directory.report.path)")
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode.failure
        }
    }
}

import Foundation

/// The finished models of a run, and the files made from them.
public struct ExperimentSummary: Sendable {
    public var configuration: ExperimentConfiguration
    public var results: [ModelResult]
    public var classNames: [String]
    /// Whether the images are the synthetic dataset's.
    public var synthetic: Bool
    /// Images in train, validation and test (empty when the data could not be opened).
    public var splitCounts: [Int]

    public init(configuration: ExperimentConfiguration, results: [ModelResult], classNames: [String],
                synthetic: Bool, splitCounts: [Int]) {
        self.configuration = configuration
        self.results = results
        self.classNames = classNames
        self.synthetic = synthetic
        self.splitCounts = splitCounts
    }

    /// Warnings that belong in the report's title.
    public var warnings: [String] {
        var out: [String] = []
        let random = configuration.models.filter { configuration.weights[$0] == nil }
        if configuration.usesRandomWeights {
            out.append("seeded random weights (no pretrained weights)")
        } else if !random.isEmpty {
            out.append("seeded random weights for \(random.joined(separator: ", "))")
        }
        if synthetic { out.append("synthetic data") }
        if configuration.splitProtocol == .paperAugmentBeforeSplit {
            out.append("augment-before-split protocol: copies of one image in training and test (optimistic scores)")
        }
        return out
    }

    /// The warnings in a few words, for the report's title.
    public var shortWarnings: [String] {
        var out: [String] = []
        if configuration.models.contains(where: { configuration.weights[$0] == nil }) { out.append("seeded random weights") }
        if synthetic { out.append("synthetic data") }
        if configuration.splitProtocol == .paperAugmentBeforeSplit { out.append("augment-before-split") }
        return out
    }

    /// What `metrics.json` holds per model.
    struct ModelMetrics: Codable {
        var model: String
        var trainingNote: String
        var trainableParameters: Int
        var bestEpoch: Int
        var testImages: Int
        var confusion: ConfusionMatrix
        var metrics: [String: MetricEstimate]
        var localization: LocalizationResult?
        var trainingSeconds: Double
        var totalSeconds: Double
    }

    struct MetricsFile: Codable {
        var configuration: ExperimentConfiguration
        var warnings: [String]
        var classNames: [String]
        var splitCounts: [Int]
        var positiveClass: String
        var intervals: String
        var models: [ModelMetrics]
    }

    /// Writes `metrics.json`, `predictions.csv` and `report.html`.
    public func write(to directory: RunDirectory) throws {
        let file = MetricsFile(
            configuration: configuration, warnings: warnings, classNames: classNames, splitCounts: splitCounts,
            positiveClass: classNames.count > 1 ? classNames[1] : "1",
            intervals: "95% percentile bootstrap over test patients, \(configuration.bootstrapResamples) resamples, seed \(configuration.seed)",
            models: results.map {
                ModelMetrics(model: $0.model, trainingNote: $0.trainingNote, trainableParameters: $0.trainableParameters,
                             bestEpoch: $0.bestEpoch, testImages: $0.confusion.total, confusion: $0.confusion,
                             metrics: $0.metrics, localization: $0.localization,
                             trainingSeconds: $0.trainingSeconds, totalSeconds: $0.totalSeconds)
            })
        try Experiment.encoder.encode(file).write(to: directory.metrics, options: .atomic)
        var csv = PredictionRecord.csvHeader(classNames: classNames) + "\n"
        for r in results { for p in r.predictions { csv += p.csvLine + "\n" } }
        try csv.write(to: directory.predictions, atomically: true, encoding: .utf8)
        try ReportHTML(summary: self, directory: directory).render().write(to: directory.report, atomically: true, encoding: .utf8)
    }
}

import Foundation

/// One test (or validation) image's prediction: a row of `predictions.csv`.
public struct PredictionRecord: Sendable, Equatable, Codable {
    public var model: String
    public var imageID: String
    public var patient: String
    public var label: Int
    public var probabilities: [Double]
    public var split: String
    public var predicted: Int

    public init(model: String, imageID: String, patient: String, label: Int, probabilities: [Double],
                split: String, predicted: Int) {
        self.model = model
        self.imageID = imageID
        self.patient = patient
        self.label = label
        self.probabilities = probabilities
        self.split = split
        self.predicted = predicted
    }

    /// Probability of the positive class (1).
    public var score: Double { probabilities.count > 1 ? probabilities[1] : (probabilities.first ?? 0) }

    public static func csvHeader(classNames: [String]) -> String {
        (["model", "image_id", "patient", "label"] + classNames.map { "p_\($0)" } + ["split", "predicted"])
            .joined(separator: ",")
    }

    public var csvLine: String {
        ([model, imageID, patient, String(label)].map(Self.quoted) + probabilities.map { String(format: "%.6f", $0) }
            + [Self.quoted(split), String(predicted)]).joined(separator: ",")
    }

    static func quoted(_ field: String) -> String {
        field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" })
            ? "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : field
    }
}

/// One training epoch of the curves.
public struct CurvePoint: Sendable, Equatable, Codable {
    public var epoch: Int
    public var trainLoss: Double
    public var trainAccuracy: Double
    public var validationLoss: Double?
    public var validationAccuracy: Double?
    public var seconds: Double

    public init(epoch: Int, trainLoss: Double, trainAccuracy: Double, validationLoss: Double?,
                validationAccuracy: Double?, seconds: Double) {
        self.epoch = epoch
        self.trainLoss = trainLoss
        self.trainAccuracy = trainAccuracy
        self.validationLoss = validationLoss
        self.validationAccuracy = validationAccuracy
        self.seconds = seconds
    }
}

/// Test images whose map was scored against their annotated lesions.
public struct LocalizationResult: Sendable, Equatable, Codable {
    /// Images with at least one lesion circle that were explained.
    public var images: Int
    /// Share of images whose map peak lies inside a lesion circle, with its bootstrap interval.
    public var pointingGame: MetricEstimate
    /// Mean share of the map's mass inside the lesion circles, with its bootstrap interval.
    public var energyInside: MetricEstimate
    /// Images whose map was zero everywhere (scored as a miss with no energy inside).
    public var allZeroMaps: Int?
    /// The same scores per true class of the lesion images (by class name), each with its
    /// own bootstrap interval; nil in results written before it existed.
    public var perClass: [String: LocalizationClassResult]?
}

/// Localization scores of the lesion images of one class.
public struct LocalizationClassResult: Sendable, Equatable, Codable {
    public var images: Int
    public var pointingGame: MetricEstimate
    public var energyInside: MetricEstimate
}

/// One picture triple of the gallery.
public struct GalleryItem: Sendable, Equatable, Codable {
    /// TP, FP, TN or FN.
    public var outcome: String
    public var imageID: String
    public var label: Int
    public var predicted: Int
    public var score: Double
    /// Paths relative to the run directory.
    public var original: String
    public var heatmap: String
    public var overlay: String
    /// Pointing-game hit and energy inside the lesions, for images with lesions.
    public var pointingHit: Bool?
    public var energyInside: Double?
    /// The Grad-CAM map was zero everywhere (no positive evidence at the target layer).
    public var mapAllZero: Bool?
}

/// Everything the report shows about one model; `models/NAME/result.json`.
public struct ModelResult: Sendable, Equatable, Codable {
    public var model: String
    /// What was trained, in words (recipe, frozen backbone...).
    public var trainingNote: String
    public var trainableParameters: Int
    public var curves: [CurvePoint]
    public var bestEpoch: Int
    public var confusion: ConfusionMatrix
    public var metrics: [String: MetricEstimate]
    public var roc: [ROC.Point]
    public var localization: LocalizationResult?
    public var gallery: [GalleryItem]
    public var gradcamTarget: String
    public var trainingSeconds: Double
    public var totalSeconds: Double
    public var predictions: [PredictionRecord]

    public func metric(_ m: Metric) -> MetricEstimate? { metrics[m.rawValue] }
}

/// Counts of a binary classifier's decisions; class 1 is the positive class
/// (abnormal / malignant / lesion).
public struct ConfusionMatrix: Sendable, Equatable, Codable {
    public var truePositives: Int
    public var falsePositives: Int
    public var trueNegatives: Int
    public var falseNegatives: Int

    public init(truePositives: Int = 0, falsePositives: Int = 0, trueNegatives: Int = 0, falseNegatives: Int = 0) {
        self.truePositives = truePositives
        self.falsePositives = falsePositives
        self.trueNegatives = trueNegatives
        self.falseNegatives = falseNegatives
    }

    /// Counts `predicted` against `labels` (0 negative, anything else positive).
    public init(labels: [Int], predicted: [Int]) {
        self.init()
        for (label, guess) in zip(labels, predicted) { add(label: label, predicted: guess) }
    }

    public mutating func add(label: Int, predicted: Int) {
        switch (label != 0, predicted != 0) {
        case (true, true): truePositives += 1
        case (false, true): falsePositives += 1
        case (false, false): trueNegatives += 1
        case (true, false): falseNegatives += 1
        }
    }

    public var total: Int { truePositives + falsePositives + trueNegatives + falseNegatives }

    /// (TP + TN) / all; nil without samples.
    public var accuracy: Double? { ratio(truePositives + trueNegatives, total) }
    /// TP / (TP + FP): of the images called positive, the share that are; nil when none is called positive.
    public var precision: Double? { ratio(truePositives, truePositives + falsePositives) }
    /// Sensitivity, TP / (TP + FN); nil without positive images.
    public var recall: Double? { ratio(truePositives, truePositives + falseNegatives) }
    /// TN / (TN + FP); nil without negative images.
    public var specificity: Double? { ratio(trueNegatives, trueNegatives + falsePositives) }
    /// 2TP / (2TP + FP + FN), the harmonic mean of precision and recall; nil when
    /// there are no positives, predicted or true.
    public var f1: Double? { ratio(2 * truePositives, 2 * truePositives + falsePositives + falseNegatives) }

    private func ratio(_ a: Int, _ b: Int) -> Double? { b > 0 ? Double(a) / Double(b) : nil }
}

/// The metrics of the study's comparison table.
public enum Metric: String, Sendable, CaseIterable, Codable {
    case accuracy, precision, recall, specificity, f1, rocAUC = "roc_auc"

    /// Column heading.
    public var title: String {
        switch self {
        case .accuracy: return "Accuracy"
        case .precision: return "Precision"
        case .recall: return "Recall (sensitivity)"
        case .specificity: return "Specificity"
        case .f1: return "F1"
        case .rocAUC: return "ROC-AUC"
        }
    }

    /// The metric of predictions: `labels` (0/1), `predicted` classes and `scores`
    /// (probability of the positive class, used by ROC-AUC only).
    public func value(labels: [Int], predicted: [Int], scores: [Double]) -> Double? {
        let m = ConfusionMatrix(labels: labels, predicted: predicted)
        switch self {
        case .accuracy: return m.accuracy
        case .precision: return m.precision
        case .recall: return m.recall
        case .specificity: return m.specificity
        case .f1: return m.f1
        case .rocAUC: return ROC.auc(labels: labels, scores: scores)
        }
    }
}

/// The clinical ground truth shared by MIAS and CDD-CESM, ordered by severity.
public enum Pathology: Int, Sendable, Hashable, Comparable, CaseIterable, CustomStringConvertible {
    case normal = 0, benign, malignant

    public static func < (a: Pathology, b: Pathology) -> Bool { a.rawValue < b.rawValue }

    public var description: String {
        switch self {
        case .normal: return "normal"
        case .benign: return "benign"
        case .malignant: return "malignant"
        }
    }

    /// Parses `normal`/`benign`/`malignant` (any case, surrounding spaces ignored), and the
    /// single letters `N`/`B`/`M`.
    public init?(text: String) {
        switch text.trimmingCharacters(in: .whitespaces).lowercased() {
        case "normal", "n", "norm": self = .normal
        case "benign", "b": self = .benign
        case "malignant", "m", "cancer": self = .malignant
        default: return nil
        }
    }
}

/// Which question a classifier answers, and so which images take part and how they are labelled.
public enum ClassificationTask: String, Sendable, CaseIterable {
    /// normal (0) vs abnormal = benign or malignant (1); every image takes part.
    case normalVsAbnormal = "normal-vs-abnormal"
    /// normal (0) vs malignant (1); benign images are left out.
    case normalVsMalignant = "normal-vs-malignant"
    /// benign (0) vs malignant (1); normal images are left out.
    case benignVsMalignant = "benign-vs-malignant"
    /// normal (0), benign (1), malignant (2).
    case threeClass = "three-class"

    public var classNames: [String] {
        switch self {
        case .normalVsAbnormal: return ["normal", "abnormal"]
        case .normalVsMalignant: return ["normal", "malignant"]
        case .benignVsMalignant: return ["benign", "malignant"]
        case .threeClass: return ["normal", "benign", "malignant"]
        }
    }

    /// The class index of an image with this pathology, or nil when it does not take part.
    public func label(for pathology: Pathology) -> Int? {
        switch (self, pathology) {
        case (.normalVsAbnormal, .normal): return 0
        case (.normalVsAbnormal, _): return 1
        case (.normalVsMalignant, .normal): return 0
        case (.normalVsMalignant, .malignant): return 1
        case (.normalVsMalignant, .benign): return nil
        case (.benignVsMalignant, .normal): return nil
        case (.benignVsMalignant, .benign): return 0
        case (.benignVsMalignant, .malignant): return 1
        case (.threeClass, _): return pathology.rawValue
        }
    }
}

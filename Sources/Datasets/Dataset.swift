// Datasets: MIAS, CDD-CESM, manifests, patient-level splits, the synthetic default.
//
// A `Sample` names where its image lives; an `ImageSource` loads it (Imaging decodes files).

import Foundation
import Imaging

/// A lesion outline kept for localization scoring: a circle in image coordinates
/// (column to the right, row downward from the top-left pixel).
public struct LesionCircle: Sendable, Hashable, Codable {
    /// Column of the centre, in pixels from the left edge.
    public var column: Double
    /// Row of the centre, in pixels from the top edge.
    public var row: Double
    /// Radius of a circle enclosing the lesion, in pixels.
    public var radius: Double

    public init(column: Double, row: Double, radius: Double) {
        self.column = column
        self.row = row
        self.radius = radius
    }

    /// Whether the pixel centre (column, row) lies inside the circle.
    public func contains(column x: Double, row y: Double) -> Bool {
        let dx = x - column, dy = y - row
        return dx * dx + dy * dy <= radius * radius
    }
}

/// Where a sample's pixels come from.
public enum ImageLocation: Sendable, Hashable {
    /// An image file (absolute path, or relative to `Dataset.root`).
    case file(path: String)
    /// Image number `index` of an in-memory collection (the synthetic dataset).
    case memory(index: Int)
}

/// One labelled image.
public struct Sample: Sendable, Hashable {
    /// Stable identifier, unique in its dataset (e.g. `mdb001`, `P12_L_CM_CC`).
    public var id: String
    public var location: ImageLocation
    /// Index into `Dataset.classNames`.
    public var label: Int
    /// Samples with the same patient id must never be in different splits.
    public var patientID: String
    /// Known lesion outlines, empty when none are annotated.
    public var lesions: [LesionCircle]

    public init(id: String, location: ImageLocation, label: Int, patientID: String,
                lesions: [LesionCircle] = []) {
        self.id = id
        self.location = location
        self.label = label
        self.patientID = patientID
        self.lesions = lesions
    }
}

/// A labelled image collection: what training, evaluation and the data commands share.
///
/// Class indices are ordered from least to most severe where that applies (`normal` first),
/// so the "worst" label of a patient is the largest index among its samples.
public struct Dataset: Sendable {
    /// Short name used in split files and reports (`mias`, `cdd-cesm`, `synthetic`, ...).
    public var name: String
    public var classNames: [String]
    public var samples: [Sample]
    /// Directory that relative `.file` paths are resolved against, if any.
    public var root: URL?
    /// Things the loader noticed but tolerated (unlabelled files, missing images, ...).
    public var notes: [String]

    public init(name: String, classNames: [String], samples: [Sample], root: URL? = nil,
                notes: [String] = []) {
        self.name = name
        self.classNames = classNames
        self.samples = samples
        self.root = root
        self.notes = notes
    }

    /// Number of samples of each class, indexed like `classNames`.
    public var classCounts: [Int] {
        var counts = [Int](repeating: 0, count: classNames.count)
        for sample in samples where counts.indices.contains(sample.label) { counts[sample.label] += 1 }
        return counts
    }

    /// Sample indices per patient, patients in order of first appearance.
    public var patients: [(id: String, sampleIndices: [Int])] {
        var order: [String] = []
        var members: [String: [Int]] = [:]
        for (index, sample) in samples.enumerated() {
            if members[sample.patientID] == nil { order.append(sample.patientID) }
            members[sample.patientID, default: []].append(index)
        }
        return order.map { ($0, members[$0] ?? []) }
    }

    /// The patient's label for stratification: the worst (largest) label among its samples.
    public func worstLabel(ofSampleIndices indices: [Int]) -> Int {
        indices.map { samples[$0].label }.max() ?? 0
    }

    /// The absolute file URL of a sample's image, or nil for in-memory images.
    public func fileURL(of sample: Sample) -> URL? {
        guard case .file(let path) = sample.location else { return nil }
        if path.hasPrefix("/") || root == nil { return URL(fileURLWithPath: path) }
        return root?.appendingPathComponent(path)
    }

    /// Checks the invariants every loader promises: unique ids, labels in range,
    /// non-empty patient ids.
    public func validate() throws {
        var seen = Set<String>()
        for sample in samples {
            guard seen.insert(sample.id).inserted else {
                throw DatasetError.invalid(dataset: name, "sample id '\(sample.id)' appears twice")
            }
            guard classNames.indices.contains(sample.label) else {
                throw DatasetError.invalid(dataset: name,
                    "sample '\(sample.id)' has label \(sample.label), outside 0..<\(classNames.count)")
            }
            guard !sample.patientID.isEmpty else {
                throw DatasetError.invalid(dataset: name, "sample '\(sample.id)' has an empty patient id")
            }
        }
    }
}

/// Loads the pixels of a sample as an Imaging `Image` (HWC floats in 0...255; MIAS and the
/// synthetic images are gray, one channel). File-backed datasets decode with Imaging by default;
/// the synthetic dataset is its own source.
public protocol ImageSource: Sendable {
    func image(for sample: Sample, in dataset: Dataset) throws -> Image
}

/// An `ImageSource` that resolves file paths against the dataset root and hands them to `load`
/// (by default Imaging's PNG/PGM/JPEG decoder, whose errors name the file).
public struct FileImageSource: ImageSource {
    public let load: @Sendable (URL) throws -> Image

    public init(load: @escaping @Sendable (URL) throws -> Image = FileImageSource.decode) { self.load = load }

    /// Reads and decodes the file at `url` (format sniffed from its leading bytes).
    @Sendable public static func decode(_ url: URL) throws -> Image {
        try ImageFile.read(path: url.path)
    }

    public func image(for sample: Sample, in dataset: Dataset) throws -> Image {
        guard let url = dataset.fileURL(of: sample) else {
            throw DatasetError.invalid(dataset: dataset.name, "sample '\(sample.id)' is not stored in a file")
        }
        return try load(url)
    }
}

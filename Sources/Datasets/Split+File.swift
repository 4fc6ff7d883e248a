import Foundation

/// The JSON form of a split, written once and reused by later commands.
///
/// ```json
/// { "format": "graphcam-split-1", "dataset": "mias", "seed": 42,
///   "splits": [{"name": "train", "fraction": 0.6}, ...],
///   "sampleCount": 322, "sampleListHash": "9c0e...", "assignmentHash": "41d2...",
///   "samples": [{"id": "mdb001", "patient": "1", "label": "benign", "split": "train"}, ...] }
/// ```
struct SplitFile: Codable {
    struct Part: Codable { var name: String; var fraction: Double }
    struct Entry: Codable { var id: String; var patient: String; var label: String; var split: String }

    var format: String
    var dataset: String
    var seed: UInt64
    var splits: [Part]
    var sampleCount: Int
    var sampleListHash: String
    /// Hash of the (id, split) pairs: detects hand edits of the assignment itself.
    var assignmentHash: String
    var samples: [Entry]

    static func assignmentHash(_ entries: [Entry]) -> String {
        var hash = FNV1a64()
        for line in entries.map({ "\($0.id)\t\($0.split)\n" }).sorted() { hash.add(line) }
        return hash.hex
    }

    static let currentFormat = "graphcam-split-1"
}

extension DataSplit {
    /// The split as JSON text (keys sorted, samples in dataset order), ready to write.
    public func jsonData(for dataset: Dataset) throws -> Data {
        let entries = dataset.samples.compactMap { sample -> SplitFile.Entry? in
            guard let part = assignment[sample.id] else { return nil }
            let label = dataset.classNames.indices.contains(sample.label) ? dataset.classNames[sample.label] : "?"
            return SplitFile.Entry(id: sample.id, patient: sample.patientID, label: label, split: plan.names[part])
        }
        let file = SplitFile(format: SplitFile.currentFormat, dataset: datasetName, seed: seed,
                             splits: zip(plan.names, plan.fractions).map { SplitFile.Part(name: $0, fraction: $1) },
                             sampleCount: entries.count, sampleListHash: sampleListHash,
                             assignmentHash: SplitFile.assignmentHash(entries), samples: entries)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(file)
    }

    /// Writes the split file; a failure names the path.
    public func write(to url: URL, for dataset: Dataset) throws {
        let data = try jsonData(for: dataset)
        do {
            try data.write(to: url, options: .atomic)
        } catch {
            let reason = (error as NSError).localizedFailureReason ?? error.localizedDescription
            throw DatasetError.unsupported("cannot write split file \(url.path): \(reason)")
        }
    }

    /// Reads a split file and checks that it describes exactly `dataset`: same name, every sample
    /// present once with the same patient and label, no patient in two splits, and a matching
    /// sample-list hash, and assignments unchanged since writing (assignment hash). Errors name the
    /// file and the first mismatching sample.
    public static func read(from url: URL, for dataset: Dataset) throws -> DataSplit {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw DatasetError.missing(path: url.path)
        }
        return try decode(data, path: url.path, for: dataset)
    }

    /// `read(from:for:)` on bytes already in memory; `path` is used in error messages.
    public static func decode(_ data: Data, path: String, for dataset: Dataset) throws -> DataSplit {
        func mismatch(_ message: String) -> DatasetError { .splitMismatch(path: path, message) }
        let file: SplitFile
        do {
            file = try JSONDecoder().decode(SplitFile.self, from: data)
        } catch {
            throw DatasetError.malformed(path: path, line: 0, "not a split file: \(error)")
        }
        guard file.format == SplitFile.currentFormat else {
            throw DatasetError.malformed(path: path, line: 0, "format '\(file.format)', expected '\(SplitFile.currentFormat)'")
        }
        guard file.dataset == dataset.name else {
            throw mismatch("made for dataset '\(file.dataset)', used with '\(dataset.name)'")
        }
        let plan: SplitPlan
        do {
            plan = try SplitPlan(names: file.splits.map(\.name), fractions: file.splits.map(\.fraction))
        } catch {
            throw DatasetError.malformed(path: path, line: 0, "\(error)")
        }
        let byID = Dictionary(dataset.samples.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var assignment: [String: Int] = [:]
        var partOfPatient: [String: (part: Int, sample: String)] = [:]
        for entry in file.samples {
            guard let sample = byID[entry.id] else {
                throw mismatch("sample '\(entry.id)' is in the file but not in dataset '\(dataset.name)'")
            }
            guard assignment[entry.id] == nil else { throw mismatch("sample '\(entry.id)' is listed twice") }
            guard let part = plan.names.firstIndex(of: entry.split) else {
                throw mismatch("sample '\(entry.id)' is in split '\(entry.split)', which is not one of \(plan.names)")
            }
            guard entry.patient == sample.patientID else {
                throw mismatch("sample '\(entry.id)' has patient '\(entry.patient)' in the file but '\(sample.patientID)' in the dataset")
            }
            let label = dataset.classNames.indices.contains(sample.label) ? dataset.classNames[sample.label] : "?"
            guard entry.label == label else {
                throw mismatch("sample '\(entry.id)' has label '\(entry.label)' in the file but '\(label)' in the dataset")
            }
            if let other = partOfPatient[sample.patientID], other.part != part {
                throw mismatch("patient '\(sample.patientID)' is in split '\(plan.names[other.part])' (sample '\(other.sample)') and '\(entry.split)' (sample '\(entry.id)')")
            }
            partOfPatient[sample.patientID] = (part, entry.id)
            assignment[entry.id] = part
        }
        if let absent = dataset.samples.first(where: { assignment[$0.id] == nil }) {
            throw mismatch("sample '\(absent.id)' of dataset '\(dataset.name)' is not in the file")
        }
        let hash = sampleListHash(of: dataset)
        guard file.sampleListHash == hash, file.sampleCount == dataset.samples.count else {
            throw mismatch("sample list hash \(file.sampleListHash) (\(file.sampleCount) samples) in the file, \(hash) (\(dataset.samples.count) samples) for the dataset")
        }
        let assignmentHash = SplitFile.assignmentHash(file.samples)
        guard file.assignmentHash == assignmentHash else {
            throw mismatch("the sample-to-split assignments were edited after the file was written (assignment hash \(file.assignmentHash) in the file, \(assignmentHash) computed)")
        }
        return DataSplit(datasetName: file.dataset, seed: file.seed, plan: plan, assignment: assignment,
                         sampleListHash: hash)
    }
}

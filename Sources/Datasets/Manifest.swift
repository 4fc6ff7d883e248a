import Foundation

/// Generic datasets: a CSV manifest, or one subfolder per class.
public enum Manifest {
    /// Column names of a manifest CSV. Matching ignores case, spaces and punctuation.
    public struct Columns: Sendable {
        public var path: String
        public var label: String
        /// Optional: rows with the same value are one patient (kept in one split).
        public var patient: String?

        public init(path: String = "path", label: String = "label", patient: String? = "patient") {
            self.path = path
            self.label = label
            self.patient = patient
        }
    }

    /// Reads a manifest CSV: one row per image with a path (relative to the CSV's folder, or
    /// absolute), a label, and optionally a patient / group column. Without a patient column
    /// (or with an empty cell) each image is its own patient. Class names are `classNames` when
    /// given (labels outside it are an error), else the distinct labels sorted. The sample id is
    /// the path as written.
    public static func load(csv url: URL, columns: Columns = Columns(), classNames: [String]? = nil,
                            name: String? = nil) throws -> Dataset {
        let table = try CSVTable(contentsOf: url)
        let pathColumn = try table.requireColumn(columns.path)
        let labelColumn = try table.requireColumn(columns.label)
        let patientColumn = columns.patient.flatMap { table.column(named: $0) }
        let classes = classNames ?? Array(Set(table.rows.map { $0[labelColumn] })).sorted()
        let classIndex = Dictionary(classes.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        var samples: [Sample] = []
        var seen = Set<String>()
        for (row, line) in zip(table.rows, table.lineNumbers) {
            let path = row[pathColumn]
            guard !path.isEmpty else { throw DatasetError.malformed(path: url.path, line: line, "empty path") }
            guard let label = classIndex[row[labelColumn]] else {
                throw DatasetError.malformed(path: url.path, line: line, "label '\(row[labelColumn])' is not one of \(classes)")
            }
            guard seen.insert(path).inserted else {
                throw DatasetError.malformed(path: url.path, line: line, "'\(path)' is listed twice")
            }
            let patient = patientColumn.map { row[$0] }.flatMap { $0.isEmpty ? nil : $0 } ?? path
            samples.append(Sample(id: path, location: .file(path: path), label: label, patientID: patient))
        }
        let datasetName = name ?? url.deletingPathExtension().lastPathComponent
        let dataset = Dataset(name: datasetName, classNames: classes, samples: samples,
                              root: url.deletingLastPathComponent())
        try dataset.validate()
        return dataset
    }

    /// File extensions taken as images in a class-per-subfolder layout.
    public static let imageExtensions: Set<String> = ["png", "pgm", "jpg", "jpeg"]

    /// Reads `root/<class>/<image>` (one level): class names are the subfolder names, sorted,
    /// unless `classNames` gives the order. Each image is its own patient; ids are
    /// `<class>/<file>`. Hidden files and non-image files are ignored.
    public static func loadFolders(root: URL, classNames: [String]? = nil, name: String? = nil) throws -> Dataset {
        let fm = FileManager.default
        guard let entries = try? fm.contentsOfDirectory(atPath: root.path) else {
            throw DatasetError.missing(path: root.path)
        }
        let folders = entries.filter { entry in
            var isDirectory: ObjCBool = false
            return !entry.hasPrefix(".")
                && fm.fileExists(atPath: root.appendingPathComponent(entry).path, isDirectory: &isDirectory)
                && isDirectory.boolValue
        }.sorted()
        let classes = classNames ?? folders
        guard !classes.isEmpty else {
            throw DatasetError.invalid(dataset: root.path, "no class subfolders")
        }
        var samples: [Sample] = []
        for (label, className) in classes.enumerated() {
            let folder = root.appendingPathComponent(className)
            guard let files = try? fm.contentsOfDirectory(atPath: folder.path) else {
                throw DatasetError.missing(path: folder.path)
            }
            for file in files.sorted() where !file.hasPrefix(".")
                && imageExtensions.contains((file as NSString).pathExtension.lowercased()) {
                let id = "\(className)/\(file)"
                samples.append(Sample(id: id, location: .file(path: id), label: label, patientID: id))
            }
        }
        let dataset = Dataset(name: name ?? root.lastPathComponent, classNames: classes,
                              samples: samples, root: root)
        try dataset.validate()
        return dataset
    }
}

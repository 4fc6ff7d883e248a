import Foundation

/// CDD-CESM (Categorized Digital Database for Contrast-Enhanced Spectral Mammography).
///
/// Published layout: `Low energy images of CDD-CESM/` (DM) and `Subtracted images of CDD-CESM/`
/// (CM) hold JPGs named `P<patient>_<L|R>_<DM|CM>_<CC|MLO>.jpg`; labels come from the radiology
/// annotation sheet exported as CSV (`Image_name`, `Patient_ID`, ..., `Pathology Classification/
/// Follow up`). A derived layout with `labels_cm_images.csv` (subtracted images only) is read too.
public enum CDDCESM {
    /// Which of the two acquisitions to use.
    public enum Modality: String, Sendable, CaseIterable {
        /// Low-energy images, equivalent to digital mammography (`DM`).
        case lowEnergy = "DM"
        /// Recombined / subtracted contrast images (`CM`).
        case subtracted = "CM"

        /// The folder of the published layout.
        public var folderName: String {
            switch self {
            case .lowEnergy: return "Low energy images of CDD-CESM"
            case .subtracted: return "Subtracted images of CDD-CESM"
            }
        }
    }

    /// The parts of an image name such as `P12_L_CM_MLO`.
    public struct ImageName: Sendable, Hashable {
        public var patient: Int
        public var side: String
        public var modality: Modality
        public var view: String

        /// The canonical name, without extension.
        public var stem: String { "P\(patient)_\(side)_\(modality.rawValue)_\(view)" }

        /// Parses a name with or without extension; spaces around it and case are tolerated.
        public init?(_ text: String) {
            var name = text.trimmingCharacters(in: .whitespaces)
            if let dot = name.lastIndex(of: "."), ["jpg", "jpeg", "png"].contains(name[name.index(after: dot)...].lowercased()) {
                name = String(name[..<dot])
            }
            let parts = name.uppercased().split(separator: "_").map(String.init)
            guard parts.count == 4, parts[0].hasPrefix("P"), let patient = Int(parts[0].dropFirst()),
                  ["L", "R"].contains(parts[1]), let modality = Modality(rawValue: parts[2]),
                  ["CC", "MLO"].contains(parts[3]) else { return nil }
            self.patient = patient
            self.side = parts[1]
            self.modality = modality
            self.view = parts[3]
        }
    }

    /// The derived label file of the subtracted-only copy.
    public static let derivedLabelsFile = "labels_cm_images.csv"

    /// Reads the annotation sheet (CSV export): image stem -> worst pathology over its rows.
    /// Exact duplicate rows are harmless; conflicting rows keep the worst label and add a note.
    public static func readAnnotationSheet(_ url: URL) throws -> (labels: [ImageName: Pathology], notes: [String]) {
        let table = try CSVTable(contentsOf: url)
        let nameColumn = try table.requireColumn("Image_name", "Image name", "image")
        let pathologyColumn = try table.requireColumn("Pathology Classification/ Follow up",
                                                      "Pathology Classification", "Pathology", "Classification")
        let patientColumn = table.column(named: "Patient_ID", "Patient")
        var labels: [ImageName: Pathology] = [:]
        var notes: [String] = []
        for (row, line) in zip(table.rows, table.lineNumbers) {
            guard let name = ImageName(row[nameColumn]) else {
                throw DatasetError.malformed(path: url.path, line: line, "image name '\(row[nameColumn])' is not P<n>_<L|R>_<DM|CM>_<CC|MLO>")
            }
            guard let pathology = Pathology(text: row[pathologyColumn]) else {
                throw DatasetError.malformed(path: url.path, line: line,
                    "pathology '\(row[pathologyColumn])' of \(name.stem) is not Normal, Benign or Malignant")
            }
            if let patientColumn, let id = Int(row[patientColumn].trimmingCharacters(in: .whitespaces)), id != name.patient {
                notes.append("\(url.lastPathComponent):\(line): Patient_ID \(id) differs from the name \(name.stem); the name wins")
            }
            if let previous = labels[name], previous != pathology {
                notes.append("\(name.stem): rows say both \(previous) and \(pathology); using the worse")
            }
            labels[name] = max(labels[name] ?? pathology, pathology)
        }
        return (labels, notes)
    }

    /// Loads CDD-CESM for one modality and task. `annotations` defaults to the only CSV in
    /// `directory` whose name contains "annotation". Falls back to the derived subtracted-only
    /// layout (`labels_cm_images.csv`) when the published folders are absent.
    public static func load(directory: URL, modality: Modality = .lowEnergy,
                            task: ClassificationTask = .threeClass, annotations: URL? = nil) throws -> Dataset {
        let imageFolder = directory.appendingPathComponent(modality.folderName)
        let fm = FileManager.default
        if !fm.fileExists(atPath: imageFolder.path) {
            let derived = directory.appendingPathComponent(derivedLabelsFile)
            if fm.fileExists(atPath: derived.path) {
                guard modality == .subtracted else {
                    throw DatasetError.unsupported("\(directory.path): only subtracted (CM) images are present (\(derivedLabelsFile)); low-energy (DM) images are not")
                }
                return try loadDerived(labels: derived, task: task)
            }
            throw DatasetError.missing(path: imageFolder.path)
        }
        let sheet = try annotations ?? findAnnotationSheet(in: directory)
        let (labels, sheetNotes) = try readAnnotationSheet(sheet)
        var notes = sheetNotes
        // Image files, found one level deep as well (some copies nest a folder per patient).
        var files: [ImageName: String] = [:]
        for relative in try imageFiles(in: imageFolder) {
            guard let name = ImageName((relative as NSString).lastPathComponent) else {
                notes.append("\(relative): not a CDD-CESM image name, ignored")
                continue
            }
            guard name.modality == modality else { continue }
            files[name] = "\(modality.folderName)/\(relative)"
        }
        var samples: [Sample] = []
        let ordered = files.keys.sorted { ($0.patient, $0.side, $0.view) < ($1.patient, $1.side, $1.view) }
        for name in ordered {
            guard let path = files[name] else { continue }
            guard let pathology = labels[name] else {
                notes.append("\(name.stem): image without a row in \(sheet.lastPathComponent), ignored")
                continue
            }
            guard let label = task.label(for: pathology) else { continue }
            samples.append(Sample(id: name.stem, location: .file(path: path), label: label,
                                  patientID: "P\(name.patient)"))
        }
        let missing = labels.keys.filter { $0.modality == modality && files[$0] == nil }.count
        if missing > 0 { notes.append("\(missing) labelled \(modality.rawValue) images have no file in \(imageFolder.path)") }
        let dataset = Dataset(name: "cdd-cesm-\(modality.rawValue.lowercased())", classNames: task.classNames,
                              samples: samples, root: directory, notes: notes)
        try dataset.validate()
        return dataset
    }

    /// The derived subtracted-only form: a CSV with a file column (relative to the CSV), a label
    /// column (normal/benign/malignant) and a patient column.
    public static func loadDerived(labels url: URL, task: ClassificationTask) throws -> Dataset {
        let table = try CSVTable(contentsOf: url)
        let fileColumn = try table.requireColumn("file", "path", "filename", "png_file", "image")
        let labelColumn = try table.requireColumn("label", "pathology", "classification")
        let patientColumn = table.column(named: "patient_id", "patient")
        var samples: [Sample] = []
        for (row, line) in zip(table.rows, table.lineNumbers) {
            let file = row[fileColumn]
            guard let pathology = Pathology(text: row[labelColumn]) else {
                throw DatasetError.malformed(path: url.path, line: line, "label '\(row[labelColumn])' is not normal, benign or malignant")
            }
            guard let label = task.label(for: pathology) else { continue }
            let stem = ((file as NSString).lastPathComponent as NSString).deletingPathExtension
            let name = ImageName(stem)
            let patient = patientColumn.map { row[$0] }.flatMap { $0.isEmpty ? nil : $0 }
                ?? name.map { "P\($0.patient)" }
            guard let patient else {
                throw DatasetError.malformed(path: url.path, line: line, "no patient id for '\(file)'")
            }
            let patientID = Int(patient).map { "P\($0)" } ?? patient
            samples.append(Sample(id: name?.stem ?? stem, location: .file(path: file), label: label,
                                  patientID: patientID))
        }
        let dataset = Dataset(name: "cdd-cesm-cm", classNames: task.classNames, samples: samples,
                              root: url.deletingLastPathComponent())
        try dataset.validate()
        return dataset
    }

    static func findAnnotationSheet(in directory: URL) throws -> URL {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.lowercased().hasSuffix(".csv") && $0.lowercased().contains("annotation") }
            .sorted()
        guard names.count == 1, let name = names.first else {
            throw DatasetError.missing(path: directory.path + "/*annotation*.csv"
                + (names.count > 1 ? " (several match: \(names.joined(separator: ", ")))" : ""))
        }
        return directory.appendingPathComponent(name)
    }

    static func imageFiles(in folder: URL) throws -> [String] {
        let fm = FileManager.default
        var result: [String] = []
        for entry in try fm.contentsOfDirectory(atPath: folder.path).sorted() {
            var isDirectory: ObjCBool = false
            _ = fm.fileExists(atPath: folder.appendingPathComponent(entry).path, isDirectory: &isDirectory)
            if isDirectory.boolValue {
                for inner in try fm.contentsOfDirectory(atPath: folder.appendingPathComponent(entry).path).sorted()
                where isImageFile(inner) { result.append("\(entry)/\(inner)") }
            } else if isImageFile(entry) {
                result.append(entry)
            }
        }
        return result
    }

    static func isImageFile(_ name: String) -> Bool {
        ["jpg", "jpeg", "png"].contains((name as NSString).pathExtension.lowercased())
    }
}

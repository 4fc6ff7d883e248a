import Foundation

extension MIAS {
    /// Reads the annotation table of a MIAS folder: `Info.txt` when present, else `README`.
    public static func readAnnotations(directory: URL) throws -> [MIASAnnotation] {
        for name in ["Info.txt", "README"] {
            let url = directory.appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: url.path) else { continue }
            guard let data = FileManager.default.contents(atPath: url.path),
                  let text = String(data: data, encoding: .utf8) ?? String(data: data, encoding: .isoLatin1) else {
                throw DatasetError.malformed(path: url.path, line: 0, "unreadable text")
            }
            return try parseAnnotations(text, path: url.path)
        }
        throw DatasetError.missing(path: directory.appendingPathComponent("Info.txt").path + " (or README)")
    }

    /// Loads MIAS from its folder layout: `Info.txt` or `README`, and `images/mdbNNN.png`
    /// (`.pgm` also accepted). Patients are film pairs; an image's label is the worst of its rows,
    /// mapped through `task` (images the task leaves out are dropped). Listed images whose file is
    /// missing are skipped and recorded in `notes`.
    public static func load(directory: URL, task: ClassificationTask = .threeClass) throws -> Dataset {
        let annotations = try readAnnotations(directory: directory)
        let imagesDirectory = directory.appendingPathComponent("images")
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: imagesDirectory.path, isDirectory: &isDirectory),
              isDirectory.boolValue else {
            throw DatasetError.missing(path: imagesDirectory.path)
        }
        let files = Set(try FileManager.default.contentsOfDirectory(atPath: imagesDirectory.path))
        var samples: [Sample] = []
        var notes: [String] = []
        for image in images(from: annotations) {
            guard let label = task.label(for: image.pathology) else { continue }
            guard let file = ["png", "pgm", "PNG", "PGM"].map({ "\(image.reference).\($0)" })
                    .first(where: files.contains) else {
                notes.append("\(image.reference): listed in the annotations but no image in \(imagesDirectory.path)")
                continue
            }
            samples.append(Sample(id: image.reference, location: .file(path: "images/\(file)"),
                                  label: label, patientID: String(image.patientNumber),
                                  lesions: image.lesions))
        }
        let dataset = Dataset(name: "mias", classNames: task.classNames, samples: samples,
                              root: directory, notes: notes)
        try dataset.validate()
        return dataset
    }
}

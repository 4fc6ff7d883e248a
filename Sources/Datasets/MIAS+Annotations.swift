import Foundation

/// The MIAS MiniMammographic Database (Suckling et al. 1994): 322 MLO films, 1024 x 1024.
///
/// Quirks handled here (see `shared/data/mias/SOURCE.md`): the annotation origin is the
/// bottom-left corner; some abnormal rows have no coordinates (`*NOTE 3*`, and `mdb059`);
/// an image can have several rows; NORM rows and the `Info.txt` header end in a space.
public enum MIAS {
    /// Side length of every MIAS image, in pixels.
    public static let imageSize = 1024

    /// Abnormality classes of the third column.
    public static let abnormalityClasses: Set<String> = ["CALC", "CIRC", "SPIC", "MISC", "ARCH", "ASYM", "NORM"]
}

/// One row of the MIAS annotation table, as written plus its image-coordinate reading.
public struct MIASAnnotation: Sendable, Hashable {
    /// Reference number as written, e.g. `mdb001`.
    public var reference: String
    /// The number in the reference (1...322).
    public var number: Int
    /// Background tissue: `F` fatty, `G` fatty-glandular, `D` dense-glandular.
    public var tissue: String
    /// Abnormality class (`CALC`, `CIRC`, `SPIC`, `MISC`, `ARCH`, `ASYM`, or `NORM`).
    public var abnormality: String
    /// `.normal` for NORM rows, else from the severity column (B or M).
    public var pathology: Pathology
    /// Centre column and row as written (origin at the BOTTOM-left), and radius; nil when omitted.
    public var x: Int?
    public var y: Int?
    public var radius: Int?
    /// A marker written in place of coordinates (`*NOTE 3*` in the README form), if any.
    public var note: String?

    /// 1-based patient number: films come in pairs, mdb001 + mdb002 are patient 1.
    public var patientNumber: Int { (number + 1) / 2 }
    /// Odd numbers are right breasts, even numbers left.
    public var side: String { number % 2 == 1 ? "R" : "L" }

    /// The lesion circle in image coordinates (row 0 at the top): row = (height - 1) - y.
    public func lesion(imageHeight: Int = MIAS.imageSize) -> LesionCircle? {
        guard let x, let y, let radius else { return nil }
        return LesionCircle(column: Double(x), row: Double(imageHeight - 1 - y), radius: Double(radius))
    }
}

/// One MIAS film with all of its annotation rows.
public struct MIASImage: Sendable, Hashable {
    public var reference: String
    public var number: Int
    public var tissue: String
    public var rows: [MIASAnnotation]

    public var patientNumber: Int { (number + 1) / 2 }
    public var side: String { number % 2 == 1 ? "R" : "L" }
    /// The worst pathology over the image's rows (malignant > benign > normal).
    public var pathology: Pathology { rows.map(\.pathology).max() ?? .normal }
    /// Lesion circles of the rows that have coordinates, in image coordinates.
    public var lesions: [LesionCircle] { rows.compactMap { $0.lesion() } }
}

extension MIAS {
    /// Parses either annotation form: `Info.txt` (a `REFNUM ...` header, then the table) or the
    /// original `README` (prose, then the table). Only lines starting with `mdb` are table rows.
    /// `path` is used in error messages.
    public static func parseAnnotations(_ text: String, path: String = "<MIAS annotations>") throws -> [MIASAnnotation] {
        var annotations: [MIASAnnotation] = []
        let lines = text.replacingOccurrences(of: "\r\n", with: "\n").split(
            separator: "\n", omittingEmptySubsequences: false)
        for (offset, rawLine) in lines.enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            guard line.hasPrefix("mdb") else { continue }
            annotations.append(try parseRow(line, path: path, line: offset + 1))
        }
        guard !annotations.isEmpty else {
            throw DatasetError.malformed(path: path, line: 0, "no annotation rows (lines starting with 'mdb')")
        }
        return annotations
    }

    private static func parseRow(_ line: String, path: String, line lineNumber: Int) throws -> MIASAnnotation {
        func fail(_ message: String) -> DatasetError {
            .malformed(path: path, line: lineNumber, "\(message) in '\(line)'")
        }
        var tokens = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        // A note marker such as `*NOTE 3*` stands where the coordinates would be.
        var note: String?
        if let start = tokens.firstIndex(where: { $0.hasPrefix("*") }) {
            note = tokens[start...].joined(separator: " ")
            tokens.removeSubrange(start...)
        }
        guard tokens.count >= 3 else { throw fail("expected at least 3 fields") }
        let reference = tokens[0]
        guard let number = Int(reference.dropFirst(3)), number > 0 else { throw fail("bad reference number") }
        let tissue = tokens[1]
        guard ["F", "G", "D"].contains(tissue) else { throw fail("unknown tissue '\(tissue)'") }
        let abnormality = tokens[2]
        guard MIAS.abnormalityClasses.contains(abnormality) else { throw fail("unknown class '\(abnormality)'") }

        var annotation = MIASAnnotation(reference: reference, number: number, tissue: tissue,
                                        abnormality: abnormality, pathology: .normal, note: note)
        if abnormality == "NORM" {
            guard tokens.count == 3 else { throw fail("a NORM row has no further fields") }
            return annotation
        }
        guard tokens.count >= 4 else { throw fail("missing severity") }
        switch tokens[3] {
        case "B": annotation.pathology = .benign
        case "M": annotation.pathology = .malignant
        default: throw fail("unknown severity '\(tokens[3])'")
        }
        switch tokens.count {
        case 4: break  // no coordinates (widely distributed calcifications, or an omission)
        case 7:
            guard let x = Int(tokens[4]), let y = Int(tokens[5]), let r = Int(tokens[6]),
                  (0..<MIAS.imageSize).contains(x), (0..<MIAS.imageSize).contains(y), r > 0 else {
                throw fail("coordinates must be integers inside the 1024 x 1024 image")
            }
            annotation.x = x
            annotation.y = y
            annotation.radius = r
        default: throw fail("expected x, y and radius, or none of them")
        }
        return annotation
    }

    /// Groups annotation rows by image, in reference-number order.
    public static func images(from annotations: [MIASAnnotation]) -> [MIASImage] {
        var byNumber: [Int: MIASImage] = [:]
        for row in annotations {
            byNumber[row.number, default: MIASImage(reference: row.reference, number: row.number,
                                                    tissue: row.tissue, rows: [])].rows.append(row)
        }
        return byNumber.keys.sorted().compactMap { byNumber[$0] }
    }
}

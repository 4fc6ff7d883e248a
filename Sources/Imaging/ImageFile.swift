import Foundation

/// Reading and writing image files by format, chosen from the file's leading bytes.
public enum ImageFile {
    /// The formats this module decodes.
    public enum Format: String, Sendable {
        case png, pgm, jpeg
    }

    /// The format the leading bytes announce, or nil.
    public static func sniffFormat(_ bytes: [UInt8]) -> Format? {
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]) { return .png }
        if bytes.starts(with: [0xFF, 0xD8]) { return .jpeg }
        if bytes.count >= 2, bytes[0] == UInt8(ascii: "P"), bytes[1] == UInt8(ascii: "5") || bytes[1] == UInt8(ascii: "2") {
            return .pgm
        }
        return nil
    }

    /// Decodes PNG, PGM (P2/P5) or JPEG data; `name` names the source in errors.
    public static func decode(_ bytes: [UInt8], name: String) throws -> Image {
        switch sniffFormat(bytes) {
        case .png: return try PNG.decode(bytes, name: name)
        case .pgm: return try PGM.decode(bytes, name: name)
        case .jpeg: return try JPEG.decode(bytes, name: name)
        case nil:
            throw ImagingError(file: name, reason: bytes.isEmpty ? "empty file" : "not a PNG, PGM or JPEG file")
        }
    }

    /// Reads and decodes the file at `path`.
    public static func read(path: String) throws -> Image {
        try decode(readBytes(path: path), name: displayName(ofPath: path))
    }

    /// The bytes of the file at `path`; errors name the file.
    public static func readBytes(path: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ImagingError(file: displayName(ofPath: path), reason: "cannot read file at \(path)")
        }
        return [UInt8](data)
    }

    /// Writes `bytes` to `path`, replacing any file there.
    public static func writeBytes(_ bytes: [UInt8], path: String) throws {
        do {
            try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw ImagingError(file: displayName(ofPath: path), reason: "cannot write file at \(path): \(error.localizedDescription)")
        }
    }
}

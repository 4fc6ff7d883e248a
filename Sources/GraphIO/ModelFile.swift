import Foundation
import GraphIR

/// The formats a model can be read from, chosen by file extension.
public enum ModelFormat: String, CaseIterable, Sendable {
    /// ONNX ModelProto (`.onnx`).
    case onnx
    /// GraphCAM's XML store with its sidecar weight file (`.xml`).
    case xml
    /// GraphCAM's text IR (`.gir`, `.txt`): structure and constants, no weights.
    case text

    /// The format for a path, from its extension.
    public init?(path: String) {
        switch URL(fileURLWithPath: path).pathExtension.lowercased() {
        case "onnx": self = .onnx
        case "xml": self = .xml
        case "gir", "txt": self = .text
        default: return nil
        }
    }
}

/// An error locating or recognizing a model file.
public struct ModelFileError: Error, CustomStringConvertible {
    public var path: String
    public var message: String
    public var description: String { "\(path): \(message)" }
}

/// Loads a model from any supported format.
public enum ModelFile {
    public static func load(_ path: String) throws -> Graph {
        guard FileManager.default.fileExists(atPath: path) else {
            throw ModelFileError(path: path, message: "no such file")
        }
        guard let format = ModelFormat(path: path) else {
            throw ModelFileError(path: path, message: "unknown model format; expected .onnx, .xml, .gir or .txt")
        }
        let url = URL(fileURLWithPath: path)
        switch format {
        case .onnx: return try ONNXImporter.load(url: url)
        case .xml: return try GraphStore.read(from: url)
        case .text:
            let text: String
            do { text = try String(contentsOf: url, encoding: .utf8) } catch {
                throw ModelFileError(path: path, message: "cannot read: \(error.localizedDescription)")
            }
            do { return try Graph.parse(text: text) } catch {
                throw ModelFileError(path: path, message: "\(error)")
            }
        }
    }
}

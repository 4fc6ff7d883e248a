import Foundation
import GraphIR

/// The XML graph store: a graph's structure in an XML file (read and written with
/// libxml2) and its parameter data in a sidecar binary weight file. The format is
/// described in `Graphs/README.md`.
///
/// ```swift
/// try GraphStore.write(graph, to: URL(filePath: "out/resnet50.xml"))   // + out/resnet50.weights
/// let back = try GraphStore.read(from: URL(filePath: "out/resnet50.xml"))
/// ```
///
/// Reading checks everything it can (names, references, roles, order, weight bounds and
/// checksums, and the stored types against shape inference) and either returns a
/// complete graph or throws a `GraphStoreError` that names the file and the place.
public enum GraphStore {
    /// The `format-version` this code reads and writes.
    public static let formatVersion = 1

    /// The sidecar weight file that `write(_:to:)` places next to `url`: `<stem>.weights`.
    public static func weightsURL(for url: URL) -> URL {
        url.deletingPathExtension().appendingPathExtension("weights")
    }

    /// Writes `graph` as XML to `url` and, when `weights` is true and the graph has
    /// parameter data (or large constants), the sidecar `<stem>.weights` next to it.
    /// With `weights: false` the document is structure-only: parameters keep their types
    /// but not their values. Each file is written to a temporary file and renamed into
    /// place, the weights first, so a reader never sees a half-written file.
    public static func write(_ graph: Graph, to url: URL, weights: Bool = true) throws {
        let file = url.lastPathComponent
        let sidecarURL = weightsURL(for: url)
        guard sidecarURL.lastPathComponent != file else {
            throw GraphStoreError(.io, file: file, "the XML file cannot be named like its weights file (*.weights)")
        }
        let encoder = XMLGraphEncoder(file: file, weightsFileName: weights ? sidecarURL.lastPathComponent : nil)
        let (root, sidecar) = try encoder.encode(graph)
        if let sidecar { try writeAtomically(sidecar, to: sidecarURL) }
        try writeAtomically(root.serializedDocument(), to: url)
    }

    /// Reads a graph written by `write(_:to:)` (or by hand, following the format), with
    /// its weights when the document refers to a weight file.
    public static func read(from url: URL) throws -> Graph {
        let file = url.lastPathComponent
        let bytes: Data
        do {
            bytes = try Data(contentsOf: url)
        } catch {
            throw GraphStoreError(.io, file: file, "cannot read graph file (\(url.path)): \(error.localizedDescription)")
        }
        let folder = url.deletingLastPathComponent()
        return try decode(bytes, file: file) { folder.appendingPathComponent($0) }
    }

    /// The structure-only XML document of `graph` (parameters without data; constants
    /// inline), as `write(_:to:weights: false)` would write it.
    public static func xmlString(_ graph: Graph) throws -> String {
        let (root, _) = try XMLGraphEncoder(file: "<memory>", weightsFileName: nil).encode(graph)
        return String(decoding: root.serializedDocument(), as: UTF8.self)
    }

    /// Parses an XML document held in memory. `weightsURL` is the weight file to use when
    /// the document refers to one; `sourceName` names the document in errors.
    public static func parse(xml: String, weightsURL: URL? = nil, sourceName: String = "<memory>") throws -> Graph {
        try decode(Data(xml.utf8), file: sourceName) { _ in weightsURL }
    }

    private static func decode(_ bytes: Data, file: String, resolveWeights: @escaping (String) -> URL?) throws -> Graph {
        let root = try bytes.withUnsafeBytes { try XMLTreeElement.parse($0, fileName: file) }
        var decoder = XMLGraphDecoder(file: file, resolveWeights: resolveWeights)
        return try decoder.decode(root)
    }

    /// Writes to a temporary file in the same folder, then renames it over `url`
    /// (rename is atomic within a file system).
    private static func writeAtomically(_ bytes: [UInt8], to url: URL) throws {
        let temp = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
        do {
            try Data(bytes).write(to: temp)
        } catch {
            throw GraphStoreError(.io, file: url.lastPathComponent, "cannot write \(temp.path): \(error.localizedDescription)")
        }
        guard rename(temp.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temp)
            throw GraphStoreError(.io, file: url.lastPathComponent, "cannot move the written file into place: \(reason)")
        }
    }
}

import Foundation
import GraphIR
import ProtobufWire

/// What an ONNX import produced: the graph and facts about the model file.
public struct ONNXImportResult: Sendable {
    public var graph: Graph
    public var irVersion: Int
    /// Version of the default ("" / "ai.onnx") operator set.
    public var opsetVersion: Int
    public var producerName: String
}

/// Imports ONNX models into GraphIR.
///
/// Graph inputs that have an initializer become parameters (IR v3 style); other float
/// initializers become parameters and integer ones constants. Older opset forms are
/// normalized into the IR's canonical (latest-opset) operands, ONNX names are kept,
/// and every value is typed by `OpKind.inferOutputTypes`, falling back to the model's
/// `value_info` where a shape depends on unknown data.
///
/// With `inputShapes` the graph is specialized: shape subgraphs
/// (Shape -> Gather -> Unsqueeze -> Concat -> Reshape) are evaluated at import time and
/// every type becomes static.
public enum ONNXImporter {
    /// Loads a `.onnx` file; external tensor data is resolved relative to its folder.
    ///
    /// - Parameters:
    ///   - inputShapes: concrete shapes for graph inputs, by name; binds symbolic dims.
    ///   - inputValues: contents of graph inputs that are used as operands (such as a
    ///     Reshape target shape fed as an input); they stay inputs, carry the value as
    ///     `data`, and shape inference reads it.
    public static func load(url: URL, inputShapes: [String: [Int]]? = nil,
                            inputValues: [String: Tensor] = [:]) throws -> Graph {
        try importModel(url: url, inputShapes: inputShapes, inputValues: inputValues).graph
    }

    /// Like `load(url:)`, returning the model's IR and opset versions as well.
    public static func importModel(url: URL, inputShapes: [String: [Int]]? = nil,
                                   inputValues: [String: Tensor] = [:]) throws -> ONNXImportResult {
        let bytes: [UInt8]
        do { bytes = Array(try Data(contentsOf: url)) } catch {
            throw ONNXImportError(file: url.path, location: "", message: "cannot read file: \(error.localizedDescription)")
        }
        return try importModel(bytes: bytes, fileName: url.path, baseDirectory: url.deletingLastPathComponent(),
                               inputShapes: inputShapes, inputValues: inputValues)
    }

    /// Imports a serialized ModelProto held in memory.
    public static func importModel(bytes: [UInt8], fileName: String = "", baseDirectory: URL? = nil,
                                   inputShapes: [String: [Int]]? = nil,
                                   inputValues: [String: Tensor] = [:]) throws -> ONNXImportResult {
        do {
            let model: ONNXModelProto
            do { model = try ONNXModelProto(decoding: bytes) } catch let e as WireError { throw ONNXImportError(e) }
            var converter = try ONNXGraphConverter(model: model, baseDirectory: baseDirectory,
                                                   inputShapes: inputShapes, inputValues: inputValues)
            let graph = try converter.convert()
            return ONNXImportResult(graph: graph, irVersion: Int(model.irVersion),
                                    opsetVersion: converter.opset, producerName: model.producerName)
        } catch var e as ONNXImportError {
            if e.file.isEmpty { e.file = fileName }
            throw e
        }
    }

    /// The ONNX operator types the importer accepts (default domain).
    public static var supportedOps: [String] { OpKind.allCases.filter { !$0.isInternal }.map(\.rawValue).sorted() }
}

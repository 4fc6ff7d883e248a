import ProtobufWire

/// Why an ONNX model (or a TensorProto file) could not be imported.
///
/// `location` says where: a protobuf path for malformed bytes
/// (`ModelProto.graph.node[17](conv1).attribute[pads]`) or a node for semantic
/// problems (`node[4](fc) (Gemm, opset 13)`); `file` is the file being read, when known.
public struct ONNXImportError: Error, Sendable, CustomStringConvertible {
    public var file: String
    public var location: String
    public var message: String
    /// The underlying wire error for malformed bytes.
    public var wireError: WireError?

    public init(file: String = "", location: String, message: String, wireError: WireError? = nil) {
        self.file = file
        self.location = location
        self.message = message
        self.wireError = wireError
    }

    init(file: String = "", _ wire: WireError) {
        self.init(file: file, location: wire.path, message: "\(wire.reason) at byte \(wire.offset)", wireError: wire)
    }

    public var description: String {
        [file, location, message].filter { !$0.isEmpty }.joined(separator: ": ")
    }
}

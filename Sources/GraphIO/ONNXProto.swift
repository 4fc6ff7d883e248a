import ProtobufWire

// Plain Swift mirrors of the onnx.proto messages the importer needs. Unknown and
// unused fields are skipped while decoding; large payloads (`raw_data`) stay slices
// of the model file's buffer until they are converted to a `Tensor`.

/// A decoded ModelProto.
struct ONNXModelProto {
    var irVersion: Int64 = 0
    var producerName = ""
    /// (domain, version) pairs; the default domain is "" (or "ai.onnx").
    var opsetImports: [(domain: String, version: Int64)] = []
    var graph = ONNXGraphProto()
}

/// A decoded GraphProto.
struct ONNXGraphProto {
    var name = ""
    var nodes: [ONNXNodeProto] = []
    var initializers: [ONNXTensorProto] = []
    var inputs: [ONNXValueInfoProto] = []
    var outputs: [ONNXValueInfoProto] = []
    var valueInfo: [ONNXValueInfoProto] = []
}

/// A decoded NodeProto.
struct ONNXNodeProto {
    var inputs: [String] = []
    var outputs: [String] = []
    var name = ""
    var opType = ""
    var domain = ""
    var attributes: [ONNXAttributeProto] = []
    /// Index in `GraphProto.node`, for error messages.
    var index = 0
}

/// A decoded AttributeProto.
struct ONNXAttributeProto {
    var name = ""
    /// AttributeProto.AttributeType; 0 when the writer left it out (IR < 3).
    var type: Int32 = 0
    var f: Float?
    var i: Int64?
    var s: ArraySlice<UInt8>?
    var t: ONNXTensorProto?
    var floats: [Float] = []
    var ints: [Int64] = []
    var strings: [String] = []
    var hasGraph = false
    var hasTensors = false
}

/// A decoded TensorProto; its data is converted by `TensorProtoCodec`.
struct ONNXTensorProto {
    var name = ""
    var dims: [Int64] = []
    var dataType: Int32 = 0
    var floatData: [Float] = []
    var int32Data: [Int32] = []
    var int64Data: [Int64] = []
    var doubleData: [Double] = []
    var uint64Data: [UInt64] = []
    var stringCount = 0
    /// A view of the file's buffer, not a copy.
    var rawData: ArraySlice<UInt8>?
    var externalData: [String: String] = [:]
    var isExternal = false
    var hasSegment = false
    /// Where this tensor was found, for error messages (`ModelProto.graph.initializer[3](fc.weight)`).
    var path = ""
}

/// One dimension of a TensorShapeProto.
enum ONNXDim: Equatable {
    case value(Int64)
    case param(String)
    case unknown
}

/// A decoded ValueInfoProto with a tensor type (other types leave `elemType` nil).
struct ONNXValueInfoProto {
    var name = ""
    var elemType: Int32?
    /// nil when the shape is absent (unknown rank).
    var dims: [ONNXDim]?
}

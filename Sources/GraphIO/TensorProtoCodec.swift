import Foundation
import GraphIR
import ProtobufWire

/// Reads and writes ONNX `TensorProto` messages (the `.pb` files of the ONNX test data,
/// and initializers inside models).
public enum TensorProtoCodec {
    /// The largest tensor accepted, in elements; guards against absurd dims in corrupt files.
    public static let maxElementCount = 1 << 34

    /// Serializes a tensor as a TensorProto with `raw_data` (float16 data is stored widened
    /// to float32, as the IR holds it).
    public static func encode(_ tensor: Tensor, name: String = "") -> [UInt8] {
        var w = ProtoWriter()
        w.writePackedInts(ONNXField.Tensor.dims, tensor.shape.map(Int64.init))
        w.writeInt(ONNXField.Tensor.dataType, Int64(onnxDataType(tensor.dtype)))
        if !name.isEmpty { w.writeString(ONNXField.Tensor.name, name) }
        w.writeBytes(ONNXField.Tensor.rawData, tensor.rawBytes)
        return w.bytes
    }

    /// Parses a serialized TensorProto. `baseDirectory` resolves external data.
    public static func decode(_ bytes: [UInt8], baseDirectory: URL? = nil) throws -> Tensor {
        try decodeNamed(bytes, baseDirectory: baseDirectory).tensor
    }

    /// Parses a serialized TensorProto and returns its name too.
    public static func decodeNamed(_ bytes: [UInt8], baseDirectory: URL? = nil) throws -> (name: String, tensor: Tensor) {
        var r = ProtoReader(bytes, root: "TensorProto")
        let proto: ONNXTensorProto
        do { proto = try ONNXTensorProto(&r) } catch let e as WireError { throw ONNXImportError(e) }
        return (proto.name, try tensor(from: proto, baseDirectory: baseDirectory))
    }

    /// Reads a `.pb` TensorProto file; external data is resolved next to it.
    public static func read(_ url: URL) throws -> Tensor {
        let bytes: [UInt8]
        do { bytes = Array(try Data(contentsOf: url)) } catch {
            throw ONNXImportError(file: url.path, location: "", message: "cannot read file: \(error.localizedDescription)")
        }
        do { return try decode(bytes, baseDirectory: url.deletingLastPathComponent()) } catch var e as ONNXImportError {
            e.file = url.path
            throw e
        }
    }

    /// The ONNX DataType enum value of a dtype.
    static func onnxDataType(_ d: DType) -> Int32 {
        switch d {
        case .float32, .float16: return Int32(ONNXField.DataType.float)
        case .float64: return Int32(ONNXField.DataType.double)
        case .int64: return Int32(ONNXField.DataType.int64)
        case .int32: return Int32(ONNXField.DataType.int32)
        case .uint8: return Int32(ONNXField.DataType.uint8)
        case .bool: return Int32(ONNXField.DataType.bool)
        }
    }

    /// The dtype of an ONNX DataType enum value, or nil when the IR cannot hold it.
    static func dtype(onnx code: Int32) -> DType? {
        switch Int(code) {
        case ONNXField.DataType.float: return .float32
        case ONNXField.DataType.double: return .float64
        case ONNXField.DataType.float16: return .float16
        case ONNXField.DataType.int64: return .int64
        case ONNXField.DataType.int32: return .int32
        case ONNXField.DataType.uint8: return .uint8
        case ONNXField.DataType.bool: return .bool
        default: return nil
        }
    }

    static func dataTypeName(_ code: Int32) -> String {
        let names = [1: "FLOAT", 2: "UINT8", 3: "INT8", 4: "UINT16", 5: "INT16", 6: "INT32", 7: "INT64",
                     8: "STRING", 9: "BOOL", 10: "FLOAT16", 11: "DOUBLE", 12: "UINT32", 13: "UINT64",
                     14: "COMPLEX64", 15: "COMPLEX128", 16: "BFLOAT16"]
        return names[Int(code)] ?? "data type \(code)"
    }
}

/// Field numbers of the onnx.proto messages the importer reads (onnx/onnx.proto, IR v10).
/// Every number the decoder uses is defined here, next to the proto declaration it mirrors.
enum ONNXField {
    enum Model {
        static let irVersion = 1        // optional int64 ir_version = 1
        static let producerName = 2     // optional string producer_name = 2
        static let graph = 7            // optional GraphProto graph = 7
        static let opsetImport = 8      // repeated OperatorSetIdProto opset_import = 8
    }

    enum OperatorSetId {
        static let domain = 1           // optional string domain = 1
        static let version = 2          // optional int64 version = 2
    }

    enum Graph {
        static let node = 1             // repeated NodeProto node = 1
        static let name = 2             // optional string name = 2
        static let initializer = 5      // repeated TensorProto initializer = 5
        static let sparseInitializer = 15  // repeated SparseTensorProto (unsupported)
        static let input = 11           // repeated ValueInfoProto input = 11
        static let output = 12          // repeated ValueInfoProto output = 12
        static let valueInfo = 13       // repeated ValueInfoProto value_info = 13
    }

    enum Node {
        static let input = 1            // repeated string input = 1
        static let output = 2           // repeated string output = 2
        static let name = 3             // optional string name = 3
        static let opType = 4           // optional string op_type = 4
        static let attribute = 5        // repeated AttributeProto attribute = 5
        static let domain = 7           // optional string domain = 7
    }

    enum Attribute {
        static let name = 1             // optional string name = 1
        static let f = 2                // optional float f = 2
        static let i = 3                // optional int64 i = 3
        static let s = 4                // optional bytes s = 4
        static let t = 5                // optional TensorProto t = 5
        static let g = 6                // optional GraphProto g = 6
        static let floats = 7           // repeated float floats = 7
        static let ints = 8             // repeated int64 ints = 8
        static let strings = 9          // repeated bytes strings = 9
        static let tensors = 10         // repeated TensorProto tensors = 10
        static let graphs = 11          // repeated GraphProto graphs = 11
        static let type = 20            // optional AttributeType type = 20
    }

    /// AttributeProto.AttributeType values.
    enum AttributeType {
        static let undefined = 0, float = 1, int = 2, string = 3, tensor = 4, graph = 5
        static let floats = 6, ints = 7, strings = 8, tensors = 9, graphs = 10
        static let sparseTensor = 11, sparseTensors = 12, typeProto = 13, typeProtos = 14
    }

    enum Tensor {
        static let dims = 1             // repeated int64 dims = 1
        static let dataType = 2         // optional int32 data_type = 2
        static let segment = 3          // optional Segment segment = 3 (unsupported)
        static let floatData = 4        // repeated float float_data = 4 [packed = true]
        static let int32Data = 5        // repeated int32 int32_data = 5 [packed = true]
        static let stringData = 6       // repeated bytes string_data = 6
        static let int64Data = 7        // repeated int64 int64_data = 7 [packed = true]
        static let name = 8             // optional string name = 8
        static let rawData = 9          // optional bytes raw_data = 9
        static let doubleData = 10      // repeated double double_data = 10 [packed = true]
        static let uint64Data = 11      // repeated uint64 uint64_data = 11 [packed = true]
        static let externalData = 13    // repeated StringStringEntryProto external_data = 13
        static let dataLocation = 14    // optional DataLocation data_location = 14 (1 = EXTERNAL)
    }

    /// TensorProto.DataType values.
    enum DataType {
        static let float = 1, uint8 = 2, int8 = 3, uint16 = 4, int16 = 5, int32 = 6, int64 = 7
        static let string = 8, bool = 9, float16 = 10, double = 11, uint32 = 12, uint64 = 13
        static let bfloat16 = 16
    }

    enum StringStringEntry {
        static let key = 1              // optional string key = 1
        static let value = 2            // optional string value = 2
    }

    enum ValueInfo {
        static let name = 1             // optional string name = 1
        static let type = 2             // optional TypeProto type = 2
    }

    enum TypeProto {
        static let tensorType = 1       // Tensor tensor_type = 1 (oneof value)
    }

    enum TypeProtoTensor {
        static let elemType = 1         // optional int32 elem_type = 1
        static let shape = 2            // optional TensorShapeProto shape = 2
    }

    enum TensorShape {
        static let dim = 1              // repeated Dimension dim = 1
    }

    enum Dimension {
        static let dimValue = 1         // int64 dim_value = 1 (oneof value)
        static let dimParam = 2         // string dim_param = 2 (oneof value)
    }
}

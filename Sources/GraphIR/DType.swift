/// Element type of a tensor value.
///
/// The runtime computes in `float32` and `int64`; the other types exist so that
/// imported graphs can be represented faithfully and converted where an op needs it.
public enum DType: String, Sendable, Hashable, CaseIterable {
    case float32 = "f32"
    case float64 = "f64"
    case float16 = "f16"
    case int64 = "i64"
    case int32 = "i32"
    case uint8 = "u8"
    case bool = "bool"

    /// Size of one element in bytes.
    public var byteSize: Int {
        switch self {
        case .float64, .int64: return 8
        case .float32, .int32: return 4
        case .float16: return 2
        case .uint8, .bool: return 1
        }
    }

    public var isFloatingPoint: Bool {
        switch self {
        case .float32, .float64, .float16: return true
        default: return false
        }
    }
}

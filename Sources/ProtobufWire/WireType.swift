/// The six wire types of the protobuf encoding (the low three bits of a field key).
public enum WireType: UInt8, Sendable, CustomStringConvertible {
    case varint = 0
    case fixed64 = 1
    case lengthDelimited = 2
    /// Deprecated proto2 groups; skipped (with their contents) but never decoded.
    case startGroup = 3
    case endGroup = 4
    case fixed32 = 5

    public var description: String {
        switch self {
        case .varint: return "varint"
        case .fixed64: return "fixed64"
        case .lengthDelimited: return "length-delimited"
        case .startGroup: return "start-group"
        case .endGroup: return "end-group"
        case .fixed32: return "fixed32"
        }
    }
}

/// A decoded field key: the field number and how its payload is encoded.
public struct FieldKey: Sendable, Equatable, CustomStringConvertible {
    public var number: Int
    public var wireType: WireType

    public init(number: Int, wireType: WireType) {
        self.number = number
        self.wireType = wireType
    }

    public var description: String { "field \(number) (\(wireType))" }
}

/// A malformed or unexpected protobuf encoding.
///
/// `path` names the message and field being decoded, as pushed by the caller
/// (`ModelProto.graph.node[17](conv1).attribute[pads]`), and `offset` is the absolute
/// byte offset in the buffer where the problem was found.
public struct WireError: Error, Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var offset: Int
    public var reason: String

    public init(path: String, offset: Int, reason: String) {
        self.path = path
        self.offset = offset
        self.reason = reason
    }

    public var description: String {
        path.isEmpty ? "\(reason) at byte \(offset)" : "\(path): \(reason) at byte \(offset)"
    }
}

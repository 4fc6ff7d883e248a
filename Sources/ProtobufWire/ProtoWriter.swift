/// A minimal protobuf wire-format writer: enough for TensorProto files and test fixtures.
///
/// Fields are written in the order the caller writes them; nested messages are built
/// with a closure and length-prefixed.
public struct ProtoWriter: Sendable {
    public private(set) var bytes: [UInt8] = []

    public init() {}

    /// Writes a raw base-128 varint.
    public mutating func writeVarint(_ v: UInt64) {
        var v = v
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    /// Writes a field key.
    public mutating func writeKey(_ field: Int, _ type: WireType) {
        writeVarint(UInt64(field) << 3 | UInt64(type.rawValue))
    }

    /// An `int64`/`int32`/`enum` field; negative values take 10 bytes, as protobuf does.
    public mutating func writeInt(_ field: Int, _ v: Int64) {
        writeKey(field, .varint)
        writeVarint(UInt64(bitPattern: v))
    }

    /// A `uint64` or `bool` field from raw bits.
    public mutating func writeUInt(_ field: Int, _ v: UInt64) {
        writeKey(field, .varint)
        writeVarint(v)
    }

    /// A `sint64` field (zigzag).
    public mutating func writeSInt(_ field: Int, _ v: Int64) {
        writeKey(field, .varint)
        writeVarint(Self.zigzagEncode(v))
    }

    /// A `fixed32` field.
    public mutating func writeFixed32(_ field: Int, _ v: UInt32) {
        writeKey(field, .fixed32)
        appendLittleEndian(v)
    }

    /// A `fixed64` field.
    public mutating func writeFixed64(_ field: Int, _ v: UInt64) {
        writeKey(field, .fixed64)
        appendLittleEndian(v)
    }

    public mutating func writeFloat(_ field: Int, _ v: Float) { writeFixed32(field, v.bitPattern) }
    public mutating func writeDouble(_ field: Int, _ v: Double) { writeFixed64(field, v.bitPattern) }

    /// A `bytes` field.
    public mutating func writeBytes<C: Collection>(_ field: Int, _ payload: C) where C.Element == UInt8 {
        writeKey(field, .lengthDelimited)
        writeVarint(UInt64(payload.count))
        bytes.append(contentsOf: payload)
    }

    /// A `string` field (UTF-8).
    public mutating func writeString(_ field: Int, _ s: String) { writeBytes(field, Array(s.utf8)) }

    /// A nested message built by `body`.
    public mutating func writeMessage(_ field: Int, _ body: (inout ProtoWriter) throws -> Void) rethrows {
        var sub = ProtoWriter()
        try body(&sub)
        writeBytes(field, sub.bytes)
    }

    /// A packed repeated varint field (`int64`, `int32`, `enum`); nothing when empty.
    public mutating func writePackedInts(_ field: Int, _ values: [Int64]) {
        guard !values.isEmpty else { return }
        var run = ProtoWriter()
        for v in values { run.writeVarint(UInt64(bitPattern: v)) }
        writeBytes(field, run.bytes)
    }

    /// A packed repeated `float` field; nothing when empty.
    public mutating func writePackedFloats(_ field: Int, _ values: [Float]) {
        guard !values.isEmpty else { return }
        var run = ProtoWriter()
        for v in values { run.appendLittleEndian(v.bitPattern) }
        writeBytes(field, run.bytes)
    }

    /// A packed repeated `double` field; nothing when empty.
    public mutating func writePackedDoubles(_ field: Int, _ values: [Double]) {
        guard !values.isEmpty else { return }
        var run = ProtoWriter()
        for v in values { run.appendLittleEndian(v.bitPattern) }
        writeBytes(field, run.bytes)
    }

    /// Appends bytes verbatim (for hand-built fixtures).
    public mutating func writeRaw<C: Collection>(_ raw: C) where C.Element == UInt8 {
        bytes.append(contentsOf: raw)
    }

    mutating func appendLittleEndian<T: FixedWidthInteger>(_ v: T) {
        var le = v.littleEndian
        withUnsafeBytes(of: &le) { bytes.append(contentsOf: $0) }
    }

    static func zigzagEncode(_ v: Int64) -> UInt64 {
        UInt64(bitPattern: (v << 1) ^ (v >> 63))
    }
}

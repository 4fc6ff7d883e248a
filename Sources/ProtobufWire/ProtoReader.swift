/// A bounds-checked reader of protobuf wire-format messages over one shared byte buffer.
///
/// Nested messages and `bytes` payloads are never copied while decoding: `message()`
/// returns a reader over a sub-range of the same buffer, and `bytesRange()` returns the
/// payload's range, so a caller can keep a large weight blob as a view of the file.
///
/// Every read checks its bounds and throws a `WireError` that carries the current
/// `path` and the absolute byte offset. Callers describe where they are by pushing path
/// components (`reader.path.append("node[3]")`), which costs one small array append per
/// message and is formatted only when an error is thrown.
///
/// ```swift
/// var r = ProtoReader(bytes, root: "ModelProto")
/// while let key = try r.nextField() {
///     switch key.number {
///     case 1: version = try r.int64(key)
///     case 7: var graph = try r.message(key, "graph"); try decodeGraph(&graph)
///     default: try r.skip(key)
///     }
/// }
/// ```
public struct ProtoReader: Sendable {
    /// The whole buffer; sub-readers share it.
    public let buffer: [UInt8]
    /// Absolute offset of the next byte to read.
    public private(set) var offset: Int
    /// Absolute offset one past the last byte of this message.
    public let end: Int
    /// Where the reader is, outermost first; joined with "." in error messages.
    public var path: [String]

    /// Maximum nesting of (skipped) groups before the input is rejected.
    public static let maxGroupDepth = 64

    /// A reader over the whole buffer.
    public init(_ buffer: [UInt8], root: String = "") {
        self.init(buffer: buffer, range: 0..<buffer.count, path: root.isEmpty ? [] : [root])
    }

    /// A reader over `range` of `buffer`; the range is clamped to the buffer.
    public init(buffer: [UInt8], range: Range<Int>, path: [String] = []) {
        self.buffer = buffer
        let lo = min(max(range.lowerBound, 0), buffer.count)
        self.offset = lo
        self.end = min(max(range.upperBound, lo), buffer.count)
        self.path = path
    }

    /// True when every byte of this message has been consumed.
    public var isAtEnd: Bool { offset >= end }

    /// The bytes still unread in this message.
    public var remaining: Int { end - offset }

    /// The current path joined for display.
    public var pathDescription: String { path.joined(separator: ".") }

    /// An error at `offset` (default: the current position) with the current path.
    public func error(_ reason: String, at offset: Int? = nil) -> WireError {
        WireError(path: pathDescription, offset: offset ?? self.offset, reason: reason)
    }

    /// Replaces the last path component (for instance to add a node's name once it is known).
    public mutating func relabel(_ component: String) {
        if path.isEmpty { path.append(component) } else { path[path.count - 1] = component }
    }

    // MARK: Keys and scalars

    /// Reads the next field key, or returns nil at the end of the message.
    public mutating func nextField() throws -> FieldKey? {
        guard offset < end else { return nil }
        let start = offset
        let raw = try varint()
        let number = raw >> 3
        guard let type = WireType(rawValue: UInt8(raw & 7)) else {
            throw error("invalid wire type \(raw & 7)", at: start)
        }
        guard number >= 1, number <= 0x1FFF_FFFF else {
            throw error("invalid field number \(number)", at: start)
        }
        return FieldKey(number: Int(number), wireType: type)
    }

    /// Reads a base-128 varint of at most 10 bytes.
    public mutating func varint() throws -> UInt64 {
        let start = offset
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard offset < end else { throw error("truncated varint", at: start) }
            let byte = buffer[offset]
            offset += 1
            if shift == 63 {
                if byte & 0x80 != 0 { throw error("varint longer than 10 bytes", at: start) }
                if byte > 1 { throw error("varint overflows 64 bits", at: start) }
            }
            result |= UInt64(byte & 0x7f) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
        }
    }

    /// Reads 4 little-endian bytes.
    public mutating func fixed32() throws -> UInt32 {
        guard remaining >= 4 else { throw error("truncated fixed32 (\(remaining) of 4 bytes left)") }
        var v: UInt32 = 0
        for i in 0..<4 { v |= UInt32(buffer[offset + i]) << (8 * UInt32(i)) }
        offset += 4
        return v
    }

    /// Reads 8 little-endian bytes.
    public mutating func fixed64() throws -> UInt64 {
        guard remaining >= 8 else { throw error("truncated fixed64 (\(remaining) of 8 bytes left)") }
        var v: UInt64 = 0
        for i in 0..<8 { v |= UInt64(buffer[offset + i]) << (8 * UInt64(i)) }
        offset += 8
        return v
    }

    /// Reads a length prefix and returns the payload's absolute range, advancing past it.
    public mutating func lengthDelimited() throws -> Range<Int> {
        let start = offset
        let length = try varint()
        guard length <= UInt64(remaining) else {
            throw error("length \(length) runs past the end of the message (\(remaining) bytes left)", at: start)
        }
        let lo = offset
        offset += Int(length)
        return lo..<offset
    }

    // MARK: Typed field values (checking the wire type)

    private func expect(_ key: FieldKey, _ type: WireType) throws {
        guard key.wireType == type else {
            throw error("field \(key.number) has wire type \(key.wireType), expected \(type)")
        }
    }

    /// An `int64`/`uint64`/`enum`/`bool` field: the raw varint bits.
    public mutating func uint64(_ key: FieldKey) throws -> UInt64 {
        try expect(key, .varint)
        return try varint()
    }

    /// An `int64` field (negative values are 10-byte varints).
    public mutating func int64(_ key: FieldKey) throws -> Int64 {
        Int64(bitPattern: try uint64(key))
    }

    /// An `int32` or enum field: the low 32 bits, as protobuf truncates.
    public mutating func int32(_ key: FieldKey) throws -> Int32 {
        Int32(truncatingIfNeeded: try uint64(key))
    }

    /// A `sint64` field (zigzag-encoded).
    public mutating func sint64(_ key: FieldKey) throws -> Int64 {
        ProtoReader.zigzagDecode(try uint64(key))
    }

    /// A `bool` field.
    public mutating func bool(_ key: FieldKey) throws -> Bool { try uint64(key) != 0 }

    /// A `float` field.
    public mutating func float(_ key: FieldKey) throws -> Float {
        try expect(key, .fixed32)
        return Float(bitPattern: try fixed32())
    }

    /// A `double` field.
    public mutating func double(_ key: FieldKey) throws -> Double {
        try expect(key, .fixed64)
        return Double(bitPattern: try fixed64())
    }

    /// A `bytes` field as an absolute range of `buffer` (no copy).
    public mutating func bytesRange(_ key: FieldKey) throws -> Range<Int> {
        try expect(key, .lengthDelimited)
        return try lengthDelimited()
    }

    /// A `bytes` field as a slice sharing `buffer`'s storage.
    public mutating func bytes(_ key: FieldKey) throws -> ArraySlice<UInt8> {
        buffer[try bytesRange(key)]
    }

    /// A `string` field; invalid UTF-8 is repaired with replacement characters.
    public mutating func string(_ key: FieldKey) throws -> String {
        String(decoding: buffer[try bytesRange(key)], as: UTF8.self)
    }

    /// A nested message: a reader over its payload with `component` pushed on the path.
    public mutating func message(_ key: FieldKey, _ component: String) throws -> ProtoReader {
        try expect(key, .lengthDelimited)
        var sub = self
        sub.path.append(component)
        let range = try lengthDelimited()
        return ProtoReader(buffer: buffer, range: range, path: sub.path)
    }

    // MARK: Skipping

    /// Skips the payload of a field of any wire type, groups included.
    public mutating func skip(_ key: FieldKey) throws {
        try skip(key, depth: 0)
    }

    private mutating func skip(_ key: FieldKey, depth: Int) throws {
        switch key.wireType {
        case .varint: _ = try varint()
        case .fixed64: _ = try fixed64()
        case .fixed32: _ = try fixed32()
        case .lengthDelimited: _ = try lengthDelimited()
        case .startGroup:
            guard depth < Self.maxGroupDepth else { throw error("groups nested deeper than \(Self.maxGroupDepth)") }
            while true {
                guard let inner = try nextField() else { throw error("group \(key.number) is not terminated") }
                if inner.wireType == .endGroup {
                    guard inner.number == key.number else {
                        throw error("group \(key.number) ended by end-group \(inner.number)")
                    }
                    return
                }
                try skip(inner, depth: depth + 1)
            }
        case .endGroup:
            throw error("unexpected end-group for field \(key.number)")
        }
    }

    static func zigzagDecode(_ v: UInt64) -> Int64 {
        Int64(bitPattern: (v >> 1) ^ (0 &- (v & 1)))
    }
}

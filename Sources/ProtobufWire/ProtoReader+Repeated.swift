/// Repeated scalar fields, accepted both packed (one length-delimited run) and unpacked
/// (one key per element), as protobuf parsers must.
extension ProtoReader {
    /// Appends the element(s) of a repeated varint field (`int64`, `int32`, `enum`, `bool`).
    public mutating func appendVarints(_ key: FieldKey, to out: inout [UInt64]) throws {
        switch key.wireType {
        case .varint:
            out.append(try varint())
        case .lengthDelimited:
            let range = try lengthDelimited()
            var run = ProtoReader(buffer: buffer, range: range, path: path)
            while !run.isAtEnd { out.append(try run.varint()) }
        default:
            throw error("repeated varint field \(key.number) has wire type \(key.wireType)")
        }
    }

    /// Appends the element(s) of a repeated `int64` field.
    public mutating func appendInt64s(_ key: FieldKey, to out: inout [Int64]) throws {
        var raw: [UInt64] = []
        try appendVarints(key, to: &raw)
        out.append(contentsOf: raw.lazy.map { Int64(bitPattern: $0) })
    }

    /// Appends the element(s) of a repeated `int32` field (each truncated to 32 bits).
    public mutating func appendInt32s(_ key: FieldKey, to out: inout [Int32]) throws {
        var raw: [UInt64] = []
        try appendVarints(key, to: &raw)
        out.append(contentsOf: raw.lazy.map { Int32(truncatingIfNeeded: $0) })
    }

    /// Appends the element(s) of a repeated `sint64` field.
    public mutating func appendSInt64s(_ key: FieldKey, to out: inout [Int64]) throws {
        var raw: [UInt64] = []
        try appendVarints(key, to: &raw)
        out.append(contentsOf: raw.lazy.map(ProtoReader.zigzagDecode))
    }

    /// Appends the element(s) of a repeated `float` field; a packed run is copied in bulk.
    public mutating func appendFloats(_ key: FieldKey, to out: inout [Float]) throws {
        var bits: [UInt32] = []
        try appendFixed(key, width: 4, to: &bits) { try $0.fixed32() }
        out.append(contentsOf: bits.lazy.map(Float.init(bitPattern:)))
    }

    /// Appends the element(s) of a repeated `double` field.
    public mutating func appendDoubles(_ key: FieldKey, to out: inout [Double]) throws {
        var bits: [UInt64] = []
        try appendFixed(key, width: 8, to: &bits) { try $0.fixed64() }
        out.append(contentsOf: bits.lazy.map(Double.init(bitPattern:)))
    }

    /// Appends the element(s) of a repeated `fixed32` field.
    public mutating func appendFixed32s(_ key: FieldKey, to out: inout [UInt32]) throws {
        try appendFixed(key, width: 4, to: &out) { try $0.fixed32() }
    }

    /// Appends the element(s) of a repeated `fixed64` field.
    public mutating func appendFixed64s(_ key: FieldKey, to out: inout [UInt64]) throws {
        try appendFixed(key, width: 8, to: &out) { try $0.fixed64() }
    }

    private mutating func appendFixed<T: FixedWidthInteger>(
        _ key: FieldKey, width: Int, to out: inout [T], one: (inout ProtoReader) throws -> T
    ) throws {
        let single: WireType = width == 4 ? .fixed32 : .fixed64
        switch key.wireType {
        case single:
            out.append(try one(&self))
        case .lengthDelimited:
            let start = offset
            let range = try lengthDelimited()
            guard range.count % width == 0 else {
                throw error("packed field \(key.number) has \(range.count) bytes, not a multiple of \(width)", at: start)
            }
            let n = range.count / width
            out.reserveCapacity(out.count + n)
            buffer.withUnsafeBytes { raw in
                for i in 0..<n {
                    let v = raw.loadUnaligned(fromByteOffset: range.lowerBound + i * width, as: T.self)
                    out.append(T(littleEndian: v))
                }
            }
        default:
            throw error("repeated \(single) field \(key.number) has wire type \(key.wireType)")
        }
    }
}

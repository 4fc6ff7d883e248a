import Foundation
import GraphIR

/// The checkpoint file format (little-endian):
///
/// ```
/// "GCAMCKPT"  u32 version (1)  u32 tensor count
/// per tensor: u32 name length, UTF-8 name, u8 dtype length, dtype name ("float32", ...),
///             u32 rank, i64 dims..., u64 byte count, raw bytes, u32 CRC-32C of the bytes
/// u32 CRC-32C of everything above
/// ```
/// The trailing checksum catches truncation and corruption anywhere; the per-tensor
/// checksum names the tensor that is damaged.
extension Checkpoint {
    static let magic = Array("GCAMCKPT".utf8)
    static let version: UInt32 = 1

    /// The encoded file contents.
    public func encoded() -> [UInt8] {
        var out = Checkpoint.magic
        let entries = allTensors
        out.appendLittleEndian(Checkpoint.version)
        out.appendLittleEndian(UInt32(entries.count))
        for (name, tensor) in entries {
            let nameBytes = Array(name.utf8), dtype = Array(tensor.dtype.rawValue.utf8)
            out.appendLittleEndian(UInt32(nameBytes.count))
            out += nameBytes
            out.append(UInt8(dtype.count))
            out += dtype
            out.appendLittleEndian(UInt32(tensor.shape.count))
            for d in tensor.shape { out.appendLittleEndian(Int64(d)) }
            let data = tensor.rawBytes
            out.appendLittleEndian(UInt64(data.count))
            out += data
            out.appendLittleEndian(CRC32C.checksum(data))
        }
        out.appendLittleEndian(CRC32C.checksum(out))
        return out
    }

    /// Decodes a checkpoint; `file` names the source in errors.
    ///
    /// - Throws: `TrainingError` naming the file and what is wrong (truncated, checksum
    ///   mismatch, unknown version or dtype, damaged tensor).
    public static func decode(_ bytes: [UInt8], file: String) throws -> Checkpoint {
        func fail(_ message: String) -> TrainingError { TrainingError("checkpoint '\(file)' is unusable: \(message)") }
        guard bytes.count >= magic.count + 12, Array(bytes.prefix(magic.count)) == magic else {
            throw fail(bytes.count < magic.count + 12 ? "truncated (\(bytes.count) bytes)" : "not a GraphCAM checkpoint (bad magic)")
        }
        let body = bytes.prefix(bytes.count - 4)
        var reader = ByteReader(bytes: bytes, offset: bytes.count - 4)
        let stored = try reader.u32(or: fail("truncated"))
        guard CRC32C.checksum(body) == stored else { throw fail("file checksum mismatch (truncated or corrupted)") }
        reader = ByteReader(bytes: Array(body), offset: magic.count)
        let version = try reader.u32(or: fail("truncated header"))
        guard version == Checkpoint.version else { throw fail("unsupported version \(version)") }
        let count = try reader.u32(or: fail("truncated header"))
        var tensors: [String: Tensor] = [:]
        for index in 0..<Int(count) {
            let truncated = fail("truncated in tensor \(index)")
            let name = String(decoding: try reader.bytes(Int(try reader.u32(or: truncated)), or: truncated), as: UTF8.self)
            let dtypeName = String(decoding: try reader.bytes(Int(try reader.u8(or: truncated)), or: truncated), as: UTF8.self)
            guard let dtype = DType(rawValue: dtypeName) else { throw fail("tensor '\(name)' has unknown dtype '\(dtypeName)'") }
            let rank = Int(try reader.u32(or: truncated))
            guard rank <= 16 else { throw fail("tensor '\(name)' has rank \(rank)") }
            var shape: [Int] = []
            for _ in 0..<rank { shape.append(Int(try reader.i64(or: truncated))) }
            let byteCount = try reader.u64(or: truncated)
            guard byteCount <= UInt64(bytes.count) else { throw truncated }
            let data = try reader.bytes(Int(byteCount), or: truncated)
            guard CRC32C.checksum(data) == (try reader.u32(or: truncated)) else { throw fail("tensor '\(name)' checksum mismatch") }
            guard shape.allSatisfy({ $0 >= 0 }),
                  let tensor = data.withUnsafeBytes({ Tensor(dtype: dtype, shape: shape, rawBytes: $0) }) else {
                throw fail("tensor '\(name)' data does not match \(dtypeName)\(shape)")
            }
            tensors[name] = tensor
        }
        guard reader.offset == body.count else { throw fail("\(body.count - reader.offset) unexpected trailing bytes") }
        return try Checkpoint(allTensors: tensors, file: file)
    }
}

/// Bounds-checked little-endian reads.
struct ByteReader {
    let bytes: [UInt8]
    var offset: Int

    mutating func bytes(_ n: Int, or error: Error) throws -> [UInt8] {
        guard n >= 0, n <= bytes.count - offset else { throw error }
        defer { offset += n }
        return Array(bytes[offset..<(offset + n)])
    }

    mutating func u8(or error: Error) throws -> UInt8 { try bytes(1, or: error)[0] }

    mutating func u32(or error: Error) throws -> UInt32 {
        try bytes(4, or: error).reversed().reduce(0) { $0 << 8 | UInt32($1) }
    }

    mutating func u64(or error: Error) throws -> UInt64 {
        try bytes(8, or: error).reversed().reduce(0) { $0 << 8 | UInt64($1) }
    }

    mutating func i64(or error: Error) throws -> Int64 { Int64(bitPattern: try u64(or: error)) }
}

extension Array where Element == UInt8 {
    mutating func appendLittleEndian<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }
}

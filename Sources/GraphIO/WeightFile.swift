import Foundation
import GraphIR

/// The sidecar weight file of an XML graph: a 64-byte header, then the raw little-endian
/// bytes of each tensor at a 64-byte aligned offset (zero padding between). The XML's
/// `<data offset= length= dtype= shape= checksum=>` entries say where each tensor lies.
///
/// Header: bytes 0..<8 the magic `GCWEIGHT`, 8..<12 the format version (UInt32 LE, 1),
/// 12..<16 the alignment (UInt32 LE, 64), the rest zero.
enum WeightFile {
    static let magic = Array("GCWEIGHT".utf8)
    static let version: UInt32 = 1
    static let alignment = 64
    static let headerSize = 64
}

/// Where one tensor was placed in a weight file.
struct WeightFileEntry: Equatable {
    var offset: Int
    var length: Int
    var checksum: String
}

/// Accumulates tensors into the bytes of a weight file.
struct WeightFileWriter {
    private(set) var bytes: [UInt8]

    init() {
        var header = WeightFile.magic
        withUnsafeBytes(of: WeightFile.version.littleEndian) { header += $0 }
        withUnsafeBytes(of: UInt32(WeightFile.alignment).littleEndian) { header += $0 }
        header += Array(repeating: 0, count: WeightFile.headerSize - header.count)
        bytes = header
    }

    /// Appends a tensor's raw bytes at the next aligned offset.
    mutating func append(_ tensor: Tensor) -> WeightFileEntry {
        let padding = (WeightFile.alignment - bytes.count % WeightFile.alignment) % WeightFile.alignment
        bytes += repeatElement(0, count: padding)
        let offset = bytes.count
        let raw = tensor.rawBytes
        bytes += raw
        return WeightFileEntry(offset: offset, length: raw.count, checksum: CRC32C.label(CRC32C.checksum(raw)))
    }
}

/// Reads tensors out of a weight file, checking bounds and checksums. Every error names
/// the file, the byte offset and the parameter.
struct WeightFileReader {
    let fileName: String
    private let data: Data

    /// Opens and checks the header. `xmlFile`/`line` say where the file was referenced.
    init(url: URL, referencedFrom xmlFile: String, line: Int?) throws {
        fileName = url.lastPathComponent
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw GraphStoreError(.missingWeightFile, file: xmlFile, line: line, element: "<graph>",
                                  "weights file '\(fileName)' does not exist (looked for \(url.path))")
        }
        do {
            data = try Data(contentsOf: url, options: .alwaysMapped)
        } catch {
            throw GraphStoreError(.io, file: fileName, "cannot read weights file: \(error.localizedDescription)")
        }
        try checkHeader()
    }

    /// A reader over bytes already in memory (tests).
    init(bytes: [UInt8], fileName: String) throws {
        self.fileName = fileName
        data = Data(bytes)
        try checkHeader()
    }

    private func checkHeader() throws {
        guard data.count >= WeightFile.headerSize else {
            throw GraphStoreError(.badWeightHeader, file: fileName, byteOffset: 0,
                                  "file has \(data.count) bytes, too short for the \(WeightFile.headerSize)-byte header")
        }
        let magic = Array(data.prefix(8))
        guard magic == WeightFile.magic else {
            let found = magic.map { (32..<127).contains($0) ? String(UnicodeScalar($0)) : "." }.joined()
            throw GraphStoreError(.badWeightHeader, file: fileName, byteOffset: 0,
                                  "bad magic '\(found)' at offset 0, expected 'GCWEIGHT' (not a GraphCAM weights file)")
        }
        let version = data.withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: 8, as: UInt32.self)) }
        guard version == WeightFile.version else {
            throw GraphStoreError(.badWeightHeader, file: fileName, byteOffset: 8,
                                  "unsupported weights file version \(version) at offset 8 (this reader knows version \(WeightFile.version))")
        }
    }

    /// The tensor of `valueName` stored at `entry`. `dtype` and `shape` come from the
    /// XML; the length must agree with them, and the checksum with the bytes.
    func tensor(for valueName: String, at entry: WeightFileEntry, dtype: DType, shape: [Int]) throws -> Tensor {
        let count = XMLTextCoding.elementCount(shape) ?? -1
        let (expected, overflow) = count.multipliedReportingOverflow(by: dtype.byteSize)
        guard count >= 0, !overflow, expected == entry.length else {
            throw GraphStoreError(.typeMismatch, file: fileName, byteOffset: entry.offset,
                                  "\(valueName): data length \(entry.length) at offset \(entry.offset) does not match \(TensorType(dtype, Shape(shape))) (\(overflow ? -1 : expected) bytes)")
        }
        guard entry.offset >= WeightFile.headerSize else {
            throw GraphStoreError(.truncatedWeightFile, file: fileName, byteOffset: entry.offset,
                                  "\(valueName): offset \(entry.offset) lies inside the \(WeightFile.headerSize)-byte header")
        }
        let (end, endOverflow) = entry.offset.addingReportingOverflow(entry.length)
        guard !endOverflow, end <= data.count else {
            throw GraphStoreError(.truncatedWeightFile, file: fileName, byteOffset: entry.offset,
                                  "expected \(entry.length) bytes at offset \(entry.offset) for \(valueName), file has \(data.count) bytes")
        }
        return try data.withUnsafeBytes { all in
            let slice = UnsafeRawBufferPointer(rebasing: all[entry.offset..<end])
            let actual = CRC32C.label(CRC32C.checksum(slice))
            guard actual == entry.checksum.lowercased() else {
                throw GraphStoreError(.checksumMismatch, file: fileName, byteOffset: entry.offset,
                                      "checksum mismatch for \(valueName) at offset \(entry.offset): the XML says \(entry.checksum), the data gives \(actual)")
            }
            guard let t = Tensor(dtype: dtype, shape: shape, rawBytes: slice) else {
                throw GraphStoreError(.typeMismatch, file: fileName, byteOffset: entry.offset,
                                      "\(valueName): \(entry.length) bytes do not form a \(TensorType(dtype, Shape(shape))) tensor")
            }
            return t
        }
    }
}

import Foundation
import GraphIR

extension TensorProtoCodec {
    /// Converts a decoded TensorProto to a `Tensor`, checking that the element count
    /// matches the dims in whichever field holds the data. float16 is widened to float32.
    static func tensor(from p: ONNXTensorProto, baseDirectory: URL?) throws -> Tensor {
        func fail(_ message: String) -> ONNXImportError {
            ONNXImportError(location: p.path, message: message)
        }
        guard let dtype = dtype(onnx: p.dataType) else {
            throw fail("unsupported tensor data type \(dataTypeName(p.dataType))")
        }
        guard !p.hasSegment else { throw fail("segmented tensors are not supported") }
        var count = 1
        for d in p.dims {
            guard d >= 0 else { throw fail("negative dimension in dims \(p.dims)") }
            let (m, overflow) = count.multipliedReportingOverflow(by: Int(d))
            guard !overflow, m <= maxElementCount else { throw fail("dims \(p.dims) hold too many elements") }
            count = m
        }
        let shape = p.dims.map { Int($0) }

        if p.isExternal {
            let bytes = try readExternal(p, byteCount: count * dtype.byteSize, baseDirectory: baseDirectory)
            return try fromRaw(bytes, dtype: dtype, shape: shape, fail)
        }
        if let raw = p.rawData {
            return try fromRaw(raw, dtype: dtype, shape: shape, fail)
        }
        func checked<T>(_ a: [T], _ field: String) throws -> [T] {
            guard a.count == count else {
                throw fail("\(field) has \(a.count) values but dims \(p.dims) need \(count)")
            }
            return a
        }
        switch dtype {
        case .float32: return Tensor(shape: shape, storage: .float32(try checked(p.floatData, "float_data")))
        case .float64: return Tensor(shape: shape, storage: .float64(try checked(p.doubleData, "double_data")))
        case .int64: return Tensor(shape: shape, storage: .int64(try checked(p.int64Data, "int64_data")))
        case .int32: return Tensor(shape: shape, storage: .int32(try checked(p.int32Data, "int32_data")))
        case .uint8:
            return Tensor(shape: shape, storage: .uint8(try checked(p.int32Data, "int32_data").map { UInt8(truncatingIfNeeded: $0) }))
        case .bool:
            return Tensor(shape: shape, storage: .bool(try checked(p.int32Data, "int32_data").map { $0 != 0 }))
        case .float16:
            let bits = try checked(p.int32Data, "int32_data")
            return Tensor(shape: shape, storage: .float32(bits.map { Float(float16Bits: UInt16(truncatingIfNeeded: $0)) }))
        }
    }

    private static func fromRaw<C: Collection>(_ raw: C, dtype: DType, shape: [Int],
                                               _ fail: (String) -> ONNXImportError) throws -> Tensor where C.Element == UInt8 {
        let n = shape.reduce(1, *)
        guard raw.count == n * dtype.byteSize else {
            throw fail("raw_data has \(raw.count) bytes but dims \(shape) of \(dtype.rawValue) need \(n * dtype.byteSize)")
        }
        let tensor: Tensor? = raw.withContiguousStorageIfAvailable {
            Tensor(dtype: dtype, shape: shape, rawBytes: UnsafeRawBufferPointer($0))
        } ?? Array(raw).withUnsafeBytes { Tensor(dtype: dtype, shape: shape, rawBytes: $0) }
        guard let tensor else { throw fail("raw_data does not match dims \(shape)") }
        return tensor
    }

    /// Reads `external_data` {location, offset, length} relative to the model's folder.
    private static func readExternal(_ p: ONNXTensorProto, byteCount: Int, baseDirectory: URL?) throws -> [UInt8] {
        func fail(_ message: String) -> ONNXImportError { ONNXImportError(location: p.path, message: message) }
        guard let location = p.externalData["location"], !location.isEmpty else {
            throw fail("external data has no 'location'")
        }
        guard let base = baseDirectory else { throw fail("external data '\(location)' needs the model's folder") }
        guard !location.hasPrefix("/"), !location.split(separator: "/").contains("..") else {
            throw fail("external data location '\(location)' must stay inside the model's folder")
        }
        let offset = Int(p.externalData["offset"] ?? "0")
        let length = p.externalData["length"].map { Int($0) } ?? byteCount
        guard let offset, offset >= 0, let length, length >= 0 else {
            throw fail("external data offset/length are not non-negative integers: \(p.externalData)")
        }
        guard length == byteCount else {
            throw fail("external data length \(length) does not match the \(byteCount) bytes the dims need")
        }
        let url = base.appendingPathComponent(location)
        do {
            let handle = try FileHandle(forReadingFrom: url)
            defer { try? handle.close() }
            try handle.seek(toOffset: UInt64(offset))
            let data = try handle.read(upToCount: length) ?? Data()
            guard data.count == length else {
                throw fail("external file '\(location)' has only \(data.count) bytes at offset \(offset), \(length) needed")
            }
            return Array(data)
        } catch let e as ONNXImportError {
            throw e
        } catch {
            throw fail("cannot read external file '\(url.path)': \(error.localizedDescription)")
        }
    }
}

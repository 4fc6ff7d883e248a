/// Typed element storage of a constant tensor.
public enum TensorStorage: Sendable {
    case float32([Float])
    case float64([Double])
    case int64([Int64])
    case int32([Int32])
    case uint8([UInt8])
    case bool([Bool])

    public var dtype: DType {
        switch self {
        case .float32: return .float32
        case .float64: return .float64
        case .int64: return .int64
        case .int32: return .int32
        case .uint8: return .uint8
        case .bool: return .bool
        }
    }

    public var count: Int {
        switch self {
        case .float32(let a): return a.count
        case .float64(let a): return a.count
        case .int64(let a): return a.count
        case .int32(let a): return a.count
        case .uint8(let a): return a.count
        case .bool(let a): return a.count
        }
    }
}

/// A constant tensor with a concrete shape: weights, BN statistics, shape operands.
///
/// Equality is bitwise on the element bytes, so NaN payloads and signed zeros count
/// and a round trip through a file can be checked to be bit-identical.
public struct Tensor: Sendable, Equatable, CustomStringConvertible {
    public var shape: [Int]
    public var storage: TensorStorage

    public init(shape: [Int], storage: TensorStorage) {
        precondition(shape.reduce(1, *) == storage.count,
                     "tensor shape \(shape) does not match \(storage.count) elements")
        self.shape = shape
        self.storage = storage
    }

    public init(shape: [Int], floats: [Float]) { self.init(shape: shape, storage: .float32(floats)) }
    public init(shape: [Int], int64s: [Int64]) { self.init(shape: shape, storage: .int64(int64s)) }

    /// A rank-0 float32 tensor.
    public static func scalar(_ v: Float) -> Tensor { Tensor(shape: [], floats: [v]) }
    /// A rank-1 int64 tensor, the usual form of shape and axes operands.
    public static func int64Vector(_ v: [Int]) -> Tensor { Tensor(shape: [v.count], int64s: v.map(Int64.init)) }

    public var dtype: DType { storage.dtype }
    public var elementCount: Int { storage.count }
    public var type: TensorType { TensorType(dtype, Shape(shape)) }

    /// The elements as float32, converting integer and other float types.
    public var floatValues: [Float] {
        switch storage {
        case .float32(let a): return a
        case .float64(let a): return a.map { Float($0) }
        case .int64(let a): return a.map { Float($0) }
        case .int32(let a): return a.map { Float($0) }
        case .uint8(let a): return a.map { Float($0) }
        case .bool(let a): return a.map { $0 ? 1 : 0 }
        }
    }

    /// The elements as integers (for shape, axes and index operands), or nil for floats.
    public var intValues: [Int]? {
        switch storage {
        case .int64(let a): return a.map { Int($0) }
        case .int32(let a): return a.map { Int($0) }
        case .uint8(let a): return a.map { Int($0) }
        case .bool(let a): return a.map { $0 ? 1 : 0 }
        case .float32, .float64: return nil
        }
    }

    /// Little-endian element bytes, the layout of ONNX `raw_data` and of weight files.
    public var rawBytes: [UInt8] {
        func bytes<T>(_ a: [T]) -> [UInt8] { a.withUnsafeBytes { Array($0) } }
        switch storage {
        case .float32(let a): return bytes(a)
        case .float64(let a): return bytes(a)
        case .int64(let a): return bytes(a)
        case .int32(let a): return bytes(a)
        case .uint8(let a): return a
        case .bool(let a): return a.map { $0 ? 1 : 0 }
        }
    }

    /// Builds a tensor from little-endian element bytes; nil when the byte count does not
    /// match the shape. float16 is widened to float32.
    public init?(dtype: DType, shape: [Int], rawBytes: UnsafeRawBufferPointer) {
        let n = shape.reduce(1, *)
        guard n >= 0, rawBytes.count == n * dtype.byteSize else { return nil }
        func load<T>(_: T.Type) -> [T] {
            [T](unsafeUninitializedCapacity: n) { buf, count in
                if n > 0 { UnsafeMutableRawBufferPointer(buf).copyMemory(from: rawBytes) }
                count = n
            }
        }
        switch dtype {
        case .float32: storage = .float32(load(Float.self))
        case .float64: storage = .float64(load(Double.self))
        case .int64: storage = .int64(load(Int64.self))
        case .int32: storage = .int32(load(Int32.self))
        case .uint8: storage = .uint8(load(UInt8.self))
        case .bool: storage = .bool(load(UInt8.self).map { $0 != 0 })
        case .float16: storage = .float32(load(UInt16.self).map { Float(float16Bits: $0) })
        }
        self.shape = shape
    }

    public static func == (a: Tensor, b: Tensor) -> Bool {
        a.shape == b.shape && a.dtype == b.dtype && a.rawBytes == b.rawBytes
    }

    public var description: String { "tensor<\(TensorType(dtype, Shape(shape)))>" }
}

extension Float {
    /// Converts IEEE 754 half-precision bits to float32 (portable: no Float16 on all hosts).
    public init(float16Bits h: UInt16) {
        let sign = UInt32(h >> 15) << 31
        let exp = Int((h >> 10) & 0x1f)
        let frac = UInt32(h & 0x3ff)
        if exp == 0 {
            // Zero or subnormal: value = frac * 2^-24.
            let mag = Float(frac) * Float(sign: .plus, exponent: -24, significand: 1)
            self = sign != 0 ? -mag : mag
        } else if exp == 31 {
            self = Float(bitPattern: sign | 0x7f80_0000 | (frac << 13))
        } else {
            self = Float(bitPattern: sign | UInt32(exp - 15 + 127) << 23 | (frac << 13))
        }
    }
}

import GraphIR
#if canImport(Glibc)
import Glibc
#endif

/// Where one value lives in the arena.
struct BufferRef: Equatable {
    /// Byte offset from the arena base.
    var offset: Int
    var dtype: DType
    /// Element count.
    var count: Int
    var byteCount: Int { count * dtype.byteSize }
}

/// Rounds a byte count up to the 64-byte alignment every buffer starts on (kernels may
/// use aligned vector loads).
func aligned64(_ bytes: Int) -> Int { (bytes + 63) / 64 * 64 }

/// Byte offsets of the values that need storage, and the bytes they take.
struct BufferPlan {
    var buffers: [BufferRef?]
    var totalBytes: Int
}

/// Every needed value in a slot of its own, one after another from `base`: the layout of
/// an unplanned program, of the weights region, and of compile-time evaluation.
func assignBuffers(types: [TensorType], needed: [Bool], base: Int = 0) throws -> BufferPlan {
    var buffers = [BufferRef?](repeating: nil, count: types.count)
    var offset = base
    for (i, type) in types.enumerated() where needed[i] {
        guard let count = type.shape.elementCount else {
            throw RuntimeError(.value, "#\(i)", "shape \(type.shape) is not static")
        }
        let ref = BufferRef(offset: offset, dtype: type.dtype, count: count)
        buffers[i] = ref
        offset += aligned64(ref.byteCount)
    }
    return BufferPlan(buffers: buffers, totalBytes: offset - base)
}

/// One zero-initialized allocation holding every buffer of a program: the planned region
/// (activations and kernel scratch) followed by the weights. Allocated once at compile
/// time and reused by every run.
final class Arena {
    let base: UnsafeMutableRawPointer
    let byteCount: Int

    /// Allocates `byteCount` bytes and zeroes the first `zeroedBytes` (the activations);
    /// the rest (the weights) is left untouched for the caller to fill, so its pages only
    /// become resident as they are written.
    init(byteCount: Int, zeroedBytes: Int? = nil) {
        self.byteCount = byteCount
        let total = max(aligned64(byteCount), 64)
        // Large arenas on 2 MB boundaries and marked for transparent huge pages (Linux
        // `madvise` mode): a run streams every weight once, and with 4 KB pages ResNet50's
        // 102 MB are 25,000 TLB entries.
        let huge = total >= Arena.hugePageBytes
        base = UnsafeMutableRawPointer.allocate(byteCount: total, alignment: huge ? Arena.hugePageBytes : 64)
        #if os(Linux)
        if huge { _ = madvise(base, total, MADV_HUGEPAGE) }
        #endif
        base.initializeMemory(as: UInt8.self, repeating: 0, count: min(zeroedBytes ?? total, total))
    }

    /// The x86-64 huge page size; arenas at least this large are aligned to it.
    static let hugePageBytes = 2 << 20

    deinit { base.deallocate() }

    func pointer(_ ref: BufferRef) -> UnsafeMutableRawPointer { base + ref.offset }

    func floats(_ ref: BufferRef) -> UnsafeMutablePointer<Float> {
        (base + ref.offset).assumingMemoryBound(to: Float.self)
    }

    /// Floats starting `offset` bytes into the arena (a step's scratch).
    func floats(atByteOffset offset: Int) -> UnsafeMutablePointer<Float> {
        (base + offset).assumingMemoryBound(to: Float.self)
    }

    func int64s(_ ref: BufferRef) -> UnsafeMutablePointer<Int64> {
        (base + ref.offset).assumingMemoryBound(to: Int64.self)
    }

    /// Copies a tensor's elements into a buffer of the same dtype and count.
    func write(_ tensor: Tensor, to ref: BufferRef) {
        let dst = base + ref.offset
        func copy<T>(_ a: [T]) { a.withUnsafeBytes { dst.copyMemory(from: $0.baseAddress!, byteCount: $0.count) } }
        guard ref.count > 0 else { return }
        switch tensor.storage {
        case .float32(let a): copy(a)
        case .float64(let a): copy(a)
        case .int64(let a): copy(a)
        case .int32(let a): copy(a)
        case .uint8(let a): copy(a)
        case .bool(let a): for (i, b) in a.enumerated() { dst.storeBytes(of: b ? 1 : 0, toByteOffset: i, as: UInt8.self) }
        }
    }

    /// The contents of a buffer as a tensor of the given shape.
    func read(_ ref: BufferRef, shape: [Int]) -> Tensor {
        let raw = UnsafeRawBufferPointer(start: base + ref.offset, count: ref.byteCount)
        // Cannot fail: the buffer was sized from this dtype and shape.
        return Tensor(dtype: ref.dtype, shape: shape, rawBytes: raw) ?? Tensor(shape: [0], floats: [])
    }
}

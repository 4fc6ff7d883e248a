import GraphIR

/// Where one value lives in the arena.
struct BufferRef: Equatable {
    /// Byte offset from the arena base.
    var offset: Int
    var dtype: DType
    /// Element count.
    var count: Int
    var byteCount: Int { count * dtype.byteSize }
}

/// Byte offsets of the values that need storage, and the arena size.
struct BufferPlan {
    var buffers: [BufferRef?]
    var totalBytes: Int
}

/// Buffer assignment, kept in one function so that a memory planner (live intervals,
/// reuse, aliasing) can replace it: for now every needed value gets its own slot,
/// 64-byte aligned so kernels may use aligned vector loads.
func assignBuffers(types: [TensorType], needed: [Bool]) throws -> BufferPlan {
    var buffers = [BufferRef?](repeating: nil, count: types.count)
    var offset = 0
    for (i, type) in types.enumerated() where needed[i] {
        guard let count = type.shape.elementCount else {
            throw RuntimeError(.value, "#\(i)", "shape \(type.shape) is not static")
        }
        let ref = BufferRef(offset: offset, dtype: type.dtype, count: count)
        buffers[i] = ref
        offset += (ref.byteCount + 63) / 64 * 64
    }
    return BufferPlan(buffers: buffers, totalBytes: offset)
}

/// One zero-initialized allocation holding every buffer of a program, followed by the
/// scratch region its kernels share (the im2col workspace of convolutions). Allocated once
/// at compile time and reused by every run.
final class Arena {
    let base: UnsafeMutableRawPointer
    /// Bytes of value buffers (the scratch region follows them).
    let byteCount: Int
    /// Floats of shared kernel scratch; `scratch` is nil when 0.
    let scratchCount: Int
    /// The shared kernel scratch: `scratchCount` floats, 64-byte aligned; its contents
    /// mean nothing between steps.
    let scratch: UnsafeMutablePointer<Float>?

    init(byteCount: Int, scratchCount: Int = 0) {
        self.byteCount = byteCount
        self.scratchCount = scratchCount
        let total = max(Arena.scratchOffset(byteCount) + scratchCount * MemoryLayout<Float>.stride, 64)
        base = UnsafeMutableRawPointer.allocate(byteCount: total, alignment: 64)
        base.initializeMemory(as: UInt8.self, repeating: 0, count: total)
        scratch = scratchCount > 0
            ? (base + Arena.scratchOffset(byteCount)).assumingMemoryBound(to: Float.self) : nil
    }

    deinit { base.deallocate() }

    private static func scratchOffset(_ byteCount: Int) -> Int { (byteCount + 63) / 64 * 64 }

    func pointer(_ ref: BufferRef) -> UnsafeMutableRawPointer { base + ref.offset }

    func floats(_ ref: BufferRef) -> UnsafeMutablePointer<Float> {
        (base + ref.offset).assumingMemoryBound(to: Float.self)
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

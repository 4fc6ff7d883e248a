import Foundation

// Data-movement kernels (Transpose, Slice, Concat, Pad, Gather). They only move
// elements, so they work on raw memory for any element size (1, 2, 4 or 8 bytes): one
// implementation serves float32, int64 and bool tensors bit-exactly.

/// Row-major strides of a shape.
public func contiguousStrides(_ shape: [Int]) -> [Int] {
    var s = Array(repeating: 1, count: shape.count)
    var acc = 1
    for i in stride(from: shape.count - 1, through: 0, by: -1) {
        s[i] = acc
        acc *= shape[i]
    }
    return s
}

/// A gather of elements from a strided view into a contiguous output:
/// `dst[i0,...,ik] = src[offset + sum(i_d * strides[d])]`. Strides may be negative.
public struct StridedView: Sendable, Equatable {
    public var dims: [Int]
    public var strides: [Int]
    public var offset: Int

    public init(dims: [Int], strides: [Int], offset: Int) {
        self.dims = dims
        self.strides = strides
        self.offset = offset
        merge()
    }

    /// Merges adjacent axes that are contiguous with each other, so a transpose that
    /// keeps inner axes together copies long runs.
    mutating func merge() {
        var d: [Int] = [], s: [Int] = []
        for (n, st) in zip(dims, strides) where n != 1 {
            if let last = d.indices.last, s[last] == st * n {
                d[last] *= n
                s[last] = st
            } else {
                d.append(n)
                s.append(st)
            }
        }
        if dims.contains(0) { d = [0]; s = [1] }
        dims = d
        strides = s
    }

    /// Transpose of a contiguous tensor: output axis i is input axis perm[i].
    public static func transpose(shape: [Int], perm: [Int]) -> StridedView {
        let s = contiguousStrides(shape)
        return StridedView(dims: perm.map { shape[$0] }, strides: perm.map { s[$0] }, offset: 0)
    }

    /// ONNX Slice of a contiguous tensor, from per-axis (start, step, count) already
    /// clamped (see GraphIR's `sliceBounds`).
    public static func slice(shape: [Int], starts: [Int], steps: [Int], counts: [Int]) -> StridedView {
        let s = contiguousStrides(shape)
        var offset = 0
        for i in shape.indices where counts[i] > 0 { offset += starts[i] * s[i] }
        return StridedView(dims: counts, strides: zip(s, steps).map { $0 * $1 }, offset: offset)
    }

    public var count: Int { dims.reduce(1, *) }
}

@inline(__always)
func withElementType(_ size: Int, _ body4: () -> Void, _ body8: () -> Void, _ body2: () -> Void, _ body1: () -> Void) {
    switch size {
    case 4: body4()
    case 8: body8()
    case 2: body2()
    default: body1()
    }
}

@inlinable
func stridedCopyTyped<T>(_ v: StridedView, _ src: UnsafePointer<T>, _ dst: UnsafeMutablePointer<T>) {
    let total = v.count
    guard total > 0 else { return }
    guard let inner = v.dims.last else { dst[0] = src[v.offset]; return }
    let rank = v.dims.count
    let innerStride = v.strides[rank - 1]
    var index = Array(repeating: 0, count: rank)
    var off = v.offset, p = 0
    while p < total {
        if innerStride == 1 {
            (dst + p).update(from: src + off, count: inner)
        } else {
            var o = off
            for i in 0..<inner { dst[p + i] = src[o]; o += innerStride }
        }
        p += inner
        var d = rank - 2
        while d >= 0 {
            index[d] += 1
            off += v.strides[d]
            if index[d] < v.dims[d] { break }
            off -= v.strides[d] * v.dims[d]
            index[d] = 0
            d -= 1
        }
    }
}

/// Copies the strided view `v` of `src` into contiguous `dst` (Transpose, Slice).
public func stridedCopy(_ v: StridedView, _ src: UnsafeRawPointer, _ dst: UnsafeMutableRawPointer, elementSize: Int) {
    withElementType(elementSize,
        { stridedCopyTyped(v, src.assumingMemoryBound(to: UInt32.self), dst.assumingMemoryBound(to: UInt32.self)) },
        { stridedCopyTyped(v, src.assumingMemoryBound(to: UInt64.self), dst.assumingMemoryBound(to: UInt64.self)) },
        { stridedCopyTyped(v, src.assumingMemoryBound(to: UInt16.self), dst.assumingMemoryBound(to: UInt16.self)) },
        { stridedCopyTyped(v, src.assumingMemoryBound(to: UInt8.self), dst.assumingMemoryBound(to: UInt8.self)) })
}

/// Concat along an axis: each input is `[outer, axisLen_i, inner]`; the output interleaves
/// their blocks. `inputs` pairs each pointer with its axis length.
public func concat(_ inputs: [(pointer: UnsafeRawPointer, axisLength: Int)], outer: Int, inner: Int,
                   _ dst: UnsafeMutableRawPointer, elementSize: Int) {
    let total = inputs.reduce(0) { $0 + $1.axisLength }
    var axisOffset = 0
    for (pointer, len) in inputs {
        let block = len * inner * elementSize
        for o in 0..<outer {
            memcpy(dst + (o * total + axisOffset) * inner * elementSize, pointer + o * block, block)
        }
        axisOffset += len
    }
}

/// ONNX Pad modes.
public enum PadMode: String, Sendable, Equatable {
    case constant, reflect, edge, wrap
}

/// A precomputed Pad: for every output axis, the source index of each output position
/// (-1 where the constant is written). Negative pads crop.
public struct PadPlan: Sendable, Equatable {
    public var inputShape: [Int]
    public var outputShape: [Int]
    public var sourceIndex: [[Int]]

    /// nil when the mode cannot fill the padding (reflect/edge/wrap of an empty axis, or a
    /// reflect pad wider than the axis allows).
    public init?(inputShape: [Int], padsBegin: [Int], padsEnd: [Int], mode: PadMode) {
        self.inputShape = inputShape
        outputShape = []
        sourceIndex = []
        for (axis, len) in inputShape.enumerated() {
            let out = len + padsBegin[axis] + padsEnd[axis]
            guard out >= 0 else { return nil }
            outputShape.append(out)
            var map: [Int] = []
            map.reserveCapacity(out)
            for o in 0..<out {
                var i = o - padsBegin[axis]
                if i < 0 || i >= len {
                    switch mode {
                    case .constant: i = -1
                    case .edge:
                        guard len > 0 else { return nil }
                        i = Swift.min(Swift.max(i, 0), len - 1)
                    case .wrap:
                        guard len > 0 else { return nil }
                        i = ((i % len) + len) % len
                    case .reflect:
                        guard len > 0 else { return nil }
                        if len == 1 { i = 0 } else {
                            // Reflection without repeating the edge has period 2 * (len - 1).
                            let period = 2 * (len - 1)
                            var r = ((i % period) + period) % period
                            if r >= len { r = period - r }
                            i = r
                        }
                    }
                }
                map.append(i)
            }
            sourceIndex.append(map)
        }
    }

    public var outputCount: Int { outputShape.reduce(1, *) }
}

@inlinable
func padTyped<T>(_ plan: PadPlan, _ src: UnsafePointer<T>, _ dst: UnsafeMutablePointer<T>, _ fill: T) {
    let total = plan.outputCount
    guard total > 0 else { return }
    let rank = plan.outputShape.count
    guard rank > 0 else { dst[0] = src[0]; return }
    let inStrides = contiguousStrides(plan.inputShape)
    let inner = plan.outputShape[rank - 1]
    let innerMap = plan.sourceIndex[rank - 1]
    var index = Array(repeating: 0, count: rank)
    var p = 0
    while p < total {
        // Base offset of this row, or nil when an outer index lands in constant padding.
        var base: Int? = 0
        for d in 0..<(rank - 1) {
            let s = plan.sourceIndex[d][index[d]]
            if s < 0 { base = nil; break }
            base! += s * inStrides[d]
        }
        if let b = base {
            for i in 0..<inner {
                let s = innerMap[i]
                dst[p + i] = s < 0 ? fill : src[b + s]
            }
        } else {
            for i in 0..<inner { dst[p + i] = fill }
        }
        p += inner
        var d = rank - 2
        while d >= 0 {
            index[d] += 1
            if index[d] < plan.outputShape[d] { break }
            index[d] = 0
            d -= 1
        }
    }
}

/// Pads `src` into `dst`. `fillBits` is the constant's bit pattern in the element type
/// (low `elementSize` bytes are used).
public func pad(_ plan: PadPlan, _ src: UnsafeRawPointer, _ dst: UnsafeMutableRawPointer, elementSize: Int, fillBits: UInt64) {
    withElementType(elementSize,
        { padTyped(plan, src.assumingMemoryBound(to: UInt32.self), dst.assumingMemoryBound(to: UInt32.self), UInt32(truncatingIfNeeded: fillBits)) },
        { padTyped(plan, src.assumingMemoryBound(to: UInt64.self), dst.assumingMemoryBound(to: UInt64.self), fillBits) },
        { padTyped(plan, src.assumingMemoryBound(to: UInt16.self), dst.assumingMemoryBound(to: UInt16.self), UInt16(truncatingIfNeeded: fillBits)) },
        { padTyped(plan, src.assumingMemoryBound(to: UInt8.self), dst.assumingMemoryBound(to: UInt8.self), UInt8(truncatingIfNeeded: fillBits)) })
}

/// Gather along an axis: data is `[outer, axisLength, inner]`, output is
/// `[outer, indexCount, inner]`. Negative indices count from the end. Returns the first
/// out-of-range index (writing nothing) or nil on success.
public func gather(_ data: UnsafeRawPointer, outer: Int, axisLength: Int, inner: Int,
                   indices: UnsafePointer<Int64>, indexCount: Int,
                   _ dst: UnsafeMutableRawPointer, elementSize: Int) -> Int64? {
    for k in 0..<indexCount {
        let i = indices[k]
        if i < -Int64(axisLength) || i >= Int64(axisLength) { return i }
    }
    let block = inner * elementSize
    for o in 0..<outer {
        for k in 0..<indexCount {
            var i = Int(indices[k])
            if i < 0 { i += axisLength }
            memcpy(dst + (o * indexCount + k) * block, data + (o * axisLength + i) * block, block)
        }
    }
    return nil
}

/// ReduceSum / ReduceMean over a set of axes of a contiguous float tensor. The output is
/// laid out as the input with the reduced axes removed (keepdims only changes the shape
/// the caller reports, not the layout).
public struct ReducePlan: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// The reduced axes are one contiguous block: `[outer, reduced, inner]`.
        case block(outer: Int, reduced: Int, inner: Int)
        /// Anything else: input dims and, per input axis, the output stride (0 when reduced).
        case general(dims: [Int], outStrides: [Int])
    }

    public var kind: Kind
    public var inputCount: Int
    public var outputCount: Int
    /// Elements folded into each output (for the mean).
    public var reducedCount: Int

    /// `axes` must be normalized (0..<rank); duplicates are ignored.
    public init(shape: [Int], axes: [Int]) {
        let reduced = Set(axes)
        inputCount = shape.reduce(1, *)
        reducedCount = shape.indices.filter { reduced.contains($0) }.map { shape[$0] }.reduce(1, *)
        outputCount = shape.indices.filter { !reduced.contains($0) }.map { shape[$0] }.reduce(1, *)
        // Axes of size 1 do not matter for the layout; ignore them when looking for a block.
        let significant = reduced.filter { shape[$0] != 1 }.sorted()
        if let lo = significant.first, let hi = significant.last,
           (lo...hi).allSatisfy({ reduced.contains($0) || shape[$0] == 1 }) {
            kind = .block(outer: shape[..<lo].reduce(1, *), reduced: shape[lo...hi].reduce(1, *),
                          inner: shape[(hi + 1)...].reduce(1, *))
        } else if significant.isEmpty {
            kind = .block(outer: outputCount, reduced: 1, inner: 1)
        } else {
            var strides = Array(repeating: 0, count: shape.count)
            var acc = 1
            for i in stride(from: shape.count - 1, through: 0, by: -1) where !reduced.contains(i) {
                strides[i] = acc
                acc *= shape[i]
            }
            kind = .general(dims: shape, outStrides: strides)
        }
    }
}

/// Sums (or averages when `mean`) `x` into `y` according to `plan`.
public func reduceFloat(_ plan: ReducePlan, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, mean: Bool) {
    let scale: Float = mean ? 1 / Float(plan.reducedCount) : 1
    switch plan.kind {
    case .block(let outer, let reduced, let inner):
        for o in 0..<outer {
            let out = y + o * inner
            for j in 0..<inner { out[j] = 0 }
            var src = x + o * reduced * inner
            for _ in 0..<reduced {
                for j in 0..<inner { out[j] += src[j] }
                src += inner
            }
            if mean { for j in 0..<inner { out[j] *= scale } }
        }
    case .general(let dims, let outStrides):
        for i in 0..<plan.outputCount { y[i] = 0 }
        guard plan.inputCount > 0 else { return }
        var index = Array(repeating: 0, count: dims.count)
        var o = 0
        for i in 0..<plan.inputCount {
            y[o] += x[i]
            var d = dims.count - 1
            while d >= 0 {
                index[d] += 1
                o += outStrides[d]
                if index[d] < dims[d] { break }
                o -= outStrides[d] * dims[d]
                index[d] = 0
                d -= 1
            }
        }
        if mean { for i in 0..<plan.outputCount { y[i] *= scale } }
    }
}

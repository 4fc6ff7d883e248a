import Foundation

/// Geometry of a softmax along one axis of a contiguous tensor viewed as
/// `[outer, axis, inner]`.
public struct SoftmaxShape: Sendable, Equatable {
    public var outer: Int
    public var axis: Int
    public var inner: Int

    public init(outer: Int, axis: Int, inner: Int) {
        self.outer = outer
        self.axis = axis
        self.inner = inner
    }

    /// The `[outer, axis, inner]` view of `shape` around axis `axis` (already normalized).
    public init(shape: [Int], axis: Int) {
        outer = shape[..<axis].reduce(1, *)
        self.axis = shape[axis]
        inner = shape[(axis + 1)...].reduce(1, *)
    }
}

/// Softmax (or log-softmax when `log` is true) along the middle axis of `[outer, axis, inner]`.
/// Numerically stable: the maximum is subtracted before exponentiating. `y` may equal `x`.
public func softmax(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ s: SoftmaxShape, log: Bool) {
    let n = s.axis, inner = s.inner
    guard n > 0 else { return }
    for o in 0..<s.outer {
        for j in 0..<inner {
            let base = o * n * inner + j
            var m = -Float.infinity
            for k in 0..<n { m = Swift.max(m, x[base + k * inner]) }
            if m == -.infinity { m = 0 }  // all -inf: keep exp(-inf - 0) = 0 rather than NaN
            var sum: Float = 0
            if log {
                for k in 0..<n { sum += Foundation.exp(x[base + k * inner] - m) }
                // (x - m) - log(sum) keeps the precision that x - (m + log(sum)) loses for large m.
                let logSum = Foundation.log(sum)
                for k in 0..<n { y[base + k * inner] = (x[base + k * inner] - m) - logSum }
            } else {
                for k in 0..<n {
                    let e = Foundation.exp(x[base + k * inner] - m)
                    y[base + k * inner] = e
                    sum += e
                }
                let inv = 1 / sum
                for k in 0..<n { y[base + k * inner] *= inv }
            }
        }
    }
}

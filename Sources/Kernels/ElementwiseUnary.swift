import Foundation

/// A unary elementwise op with its resolved parameters (ONNX defaults are applied by
/// the caller, so the kernel never guesses).
public enum UnaryOp: Sendable, Equatable {
    case relu
    case leakyRelu(alpha: Float)
    case clip(min: Float, max: Float)
    case sigmoid
    /// max(0, min(1, alpha * x + beta))
    case hardSigmoid(alpha: Float, beta: Float)
    /// x * max(0, min(1, x / 6 + 1/2))
    case hardSwish
    /// x * sigmoid(alpha * x)
    case swish(alpha: Float)
    case tanh
    case exp
    case log
    case neg
    case sqrt
    case reciprocal
}

@inline(__always) func sigmoidValue(_ x: Float) -> Float {
    // Split by sign so that exp never overflows.
    if x >= 0 { return 1 / (1 + Foundation.exp(-x)) }
    let e = Foundation.exp(x)
    return e / (1 + e)
}

/// Applies `op` to `count` floats; `y` may equal `x` (in place). Large tensors are split
/// across threads (see `Elementwise.parallelThreshold`).
public func unaryFloat(_ op: UnaryOp, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count n: Int) {
    guard n >= Elementwise.parallelThreshold else {
        unaryFloatSerial(op, x, y, count: n)
        return
    }
    Parallel.forEachChunk(count: n, minimumChunk: Elementwise.minimumChunk) { range in
        unaryFloatSerial(op, x + range.lowerBound, y + range.lowerBound, count: range.count)
    }
}

/// `unaryFloat` on the calling thread.
func unaryFloatSerial(_ op: UnaryOp, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count n: Int) {
    switch op {
    case .relu:
        for i in 0..<n { let v = x[i]; y[i] = v > 0 ? v : 0 }
    case .leakyRelu(let alpha):
        for i in 0..<n { let v = x[i]; y[i] = v >= 0 ? v : alpha * v }
    case .clip(let lo, let hi):
        for i in 0..<n { y[i] = Swift.min(Swift.max(x[i], lo), hi) }
    case .sigmoid:
        for i in 0..<n { y[i] = sigmoidValue(x[i]) }
    case .hardSigmoid(let alpha, let beta):
        for i in 0..<n { y[i] = Swift.max(0, Swift.min(1, alpha * x[i] + beta)) }
    case .hardSwish:
        for i in 0..<n { let v = x[i]; y[i] = v * Swift.max(0, Swift.min(1, v * (1 / 6) + 0.5)) }
    case .swish(let alpha):
        for i in 0..<n { let v = x[i]; y[i] = v * sigmoidValue(alpha * v) }
    case .tanh:
        for i in 0..<n { y[i] = Foundation.tanh(x[i]) }
    case .exp:
        for i in 0..<n { y[i] = Foundation.exp(x[i]) }
    case .log:
        for i in 0..<n { y[i] = Foundation.log(x[i]) }
    case .neg:
        for i in 0..<n { y[i] = -x[i] }
    case .sqrt:
        for i in 0..<n { y[i] = x[i].squareRoot() }
    case .reciprocal:
        for i in 0..<n { y[i] = 1 / x[i] }
    }
}

/// Int64 negation (the only unary op shape subgraphs use); wraps on Int64.min.
public func negInt64(_ x: UnsafePointer<Int64>, _ y: UnsafeMutablePointer<Int64>, count n: Int) {
    for i in 0..<n { y[i] = 0 &- x[i] }
}

/// Element conversions for Cast.
public func castFloatToInt64(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Int64>, count n: Int) {
    for i in 0..<n {
        let v = x[i]
        // Truncation toward zero like C; NaN and out-of-range saturate instead of trapping.
        if v.isNaN { y[i] = 0 }
        else if v >= 9.2233720368547758e18 { y[i] = .max }
        else if v <= -9.2233720368547758e18 { y[i] = .min }
        else { y[i] = Int64(v) }
    }
}

public func castInt64ToFloat(_ x: UnsafePointer<Int64>, _ y: UnsafeMutablePointer<Float>, count n: Int) {
    for i in 0..<n { y[i] = Float(x[i]) }
}

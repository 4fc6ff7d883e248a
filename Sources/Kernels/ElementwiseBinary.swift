/// Binary elementwise operations with numpy broadcasting.
///
/// A `BroadcastPlan` is computed once per node at compile time from the two operand
/// shapes; the kernels then only walk pointers. Adjacent axes that broadcast the same
/// way are merged first, so `[N,C,H,W] + [C,1,1]` becomes `[N, C, H*W]` with the bias
/// read per channel, and the common cases get a tight loop of their own.
public enum BinaryOp: Sendable, Equatable {
    case add, sub, mul, div
}

/// How the two operands of a broadcast binary op are walked.
public struct BroadcastPlan: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// Both operands have the output's shape.
        case sameShape
        /// The right operand is a single element.
        case scalarRight
        /// The left operand is a single element.
        case scalarLeft
        /// Output is `[outer, channels, inner]`; the right operand has one value per channel.
        case channelRight(outer: Int, channels: Int, inner: Int)
        /// Output is `[outer, channels, inner]`; the left operand has one value per channel.
        case channelLeft(outer: Int, channels: Int, inner: Int)
        /// Any other broadcast: merged output dims with per-operand strides (0 = broadcast).
        case strided(dims: [Int], leftStrides: [Int], rightStrides: [Int])
    }

    public var kind: Kind
    /// Number of output elements.
    public var count: Int
    /// Output shape (not merged).
    public var outputShape: [Int]

    /// Plans `left op right`; nil when the shapes do not broadcast.
    public init?(left: [Int], right: [Int]) {
        let rank = max(left.count, right.count)
        let l = Array(repeating: 1, count: rank - left.count) + left
        let r = Array(repeating: 1, count: rank - right.count) + right
        var out: [Int] = []
        for i in 0..<rank {
            if l[i] == r[i] || r[i] == 1 { out.append(l[i]) }
            else if l[i] == 1 { out.append(r[i]) }
            else { return nil }
        }
        outputShape = out
        count = out.reduce(1, *)
        let leftCount = left.reduce(1, *), rightCount = right.reduce(1, *)
        if l == r { kind = .sameShape; return }
        if rightCount == 1 && leftCount == count { kind = .scalarRight; return }
        if leftCount == 1 && rightCount == count { kind = .scalarLeft; return }

        // Merge adjacent axes whose (left full?, right full?) pattern is the same.
        var dims: [Int] = [], lFull: [Bool] = [], rFull: [Bool] = []
        for i in 0..<rank where out[i] != 1 {
            let lf = l[i] != 1, rf = r[i] != 1
            if let last = dims.indices.last, lFull[last] == lf, rFull[last] == rf {
                dims[last] *= out[i]
            } else {
                dims.append(out[i]); lFull.append(lf); rFull.append(rf)
            }
        }
        func strides(_ full: [Bool]) -> [Int] {
            var s = Array(repeating: 0, count: dims.count)
            var acc = 1
            for i in stride(from: dims.count - 1, through: 0, by: -1) where full[i] {
                s[i] = acc
                acc *= dims[i]
            }
            return s
        }
        // Per-channel: one axis where both are full, everything else only on one side.
        if let c = rFull.firstIndex(of: true), rFull.filter({ $0 }).count == 1, lFull.allSatisfy({ $0 }) {
            kind = .channelRight(outer: dims[..<c].reduce(1, *), channels: dims[c], inner: dims[(c + 1)...].reduce(1, *))
            return
        }
        if let c = lFull.firstIndex(of: true), lFull.filter({ $0 }).count == 1, rFull.allSatisfy({ $0 }) {
            kind = .channelLeft(outer: dims[..<c].reduce(1, *), channels: dims[c], inner: dims[(c + 1)...].reduce(1, *))
            return
        }
        kind = .strided(dims: dims, leftStrides: strides(lFull), rightStrides: strides(rFull))
    }
}

/// The arithmetic of one binary op on one element type.
public protocol BinaryFunctor {
    associatedtype Element
    static func apply(_ a: Element, _ b: Element) -> Element
}

public enum AddFunctor<T: Numeric>: BinaryFunctor {
    @inline(__always) public static func apply(_ a: T, _ b: T) -> T { a + b }
}
public enum SubFunctor<T: Numeric>: BinaryFunctor {
    @inline(__always) public static func apply(_ a: T, _ b: T) -> T { a - b }
}
public enum FloatMulFunctor: BinaryFunctor {
    @inline(__always) public static func apply(_ a: Float, _ b: Float) -> Float { a * b }
}
public enum FloatDivFunctor: BinaryFunctor {
    @inline(__always) public static func apply(_ a: Float, _ b: Float) -> Float { a / b }
}
/// Integer arithmetic wraps on overflow (shape arithmetic never gets near it; a crash
/// on hostile input would be worse than a wrong number).
public enum Int64AddFunctor: BinaryFunctor {
    @inline(__always) public static func apply(_ a: Int64, _ b: Int64) -> Int64 { a &+ b }
}
public enum Int64SubFunctor: BinaryFunctor {
    @inline(__always) public static func apply(_ a: Int64, _ b: Int64) -> Int64 { a &- b }
}
public enum Int64MulFunctor: BinaryFunctor {
    @inline(__always) public static func apply(_ a: Int64, _ b: Int64) -> Int64 { a &* b }
}
/// Truncating division; a zero divisor gives 0 (callers check divisors beforehand).
public enum Int64DivFunctor: BinaryFunctor {
    @inline(__always) public static func apply(_ a: Int64, _ b: Int64) -> Int64 {
        b == 0 ? 0 : a.dividedReportingOverflow(by: b).partialValue
    }
}

/// Runs one planned broadcast op. Generic over the functor so that each (op, type)
/// pair compiles to its own loop with the arithmetic inlined.
@inlinable
public func broadcastBinary<F: BinaryFunctor>(
    _: F.Type, _ plan: BroadcastPlan,
    _ a: UnsafePointer<F.Element>, _ b: UnsafePointer<F.Element>, _ y: UnsafeMutablePointer<F.Element>
) {
    switch plan.kind {
    case .sameShape:
        for i in 0..<plan.count { y[i] = F.apply(a[i], b[i]) }
    case .scalarRight:
        let s = b[0]
        for i in 0..<plan.count { y[i] = F.apply(a[i], s) }
    case .scalarLeft:
        let s = a[0]
        for i in 0..<plan.count { y[i] = F.apply(s, b[i]) }
    case .channelRight(let outer, let channels, let inner):
        var p = 0
        for _ in 0..<outer {
            for c in 0..<channels {
                let s = b[c]
                for i in p..<(p + inner) { y[i] = F.apply(a[i], s) }
                p += inner
            }
        }
    case .channelLeft(let outer, let channels, let inner):
        var p = 0
        for _ in 0..<outer {
            for c in 0..<channels {
                let s = a[c]
                for i in p..<(p + inner) { y[i] = F.apply(s, b[i]) }
                p += inner
            }
        }
    case .strided(let dims, let ls, let rs):
        stridedBinary(F.self, dims, ls, rs, a, b, y)
    }
}

/// General broadcast: an odometer over all but the last merged axis, a strided inner loop.
@inlinable
func stridedBinary<F: BinaryFunctor>(
    _: F.Type, _ dims: [Int], _ ls: [Int], _ rs: [Int],
    _ a: UnsafePointer<F.Element>, _ b: UnsafePointer<F.Element>, _ y: UnsafeMutablePointer<F.Element>
) {
    guard let inner = dims.last else { y[0] = F.apply(a[0], b[0]); return }
    let rank = dims.count
    let la = ls[rank - 1], lb = rs[rank - 1]
    let total = dims.reduce(1, *)
    guard total > 0 else { return }
    var index = Array(repeating: 0, count: rank)
    var offA = 0, offB = 0, p = 0
    while p < total {
        var ia = offA, ib = offB
        for i in 0..<inner {
            y[p + i] = F.apply(a[ia], b[ib])
            ia += la
            ib += lb
        }
        p += inner
        // Advance the odometer over axes rank-2 ... 0.
        var d = rank - 2
        while d >= 0 {
            index[d] += 1
            offA += ls[d]
            offB += rs[d]
            if index[d] < dims[d] { break }
            offA -= ls[d] * dims[d]
            offB -= rs[d] * dims[d]
            index[d] = 0
            d -= 1
        }
    }
}

/// `y = a op b` on float32 with a precomputed plan. Large outputs are split across threads
/// (see `Elementwise.parallelThreshold`); general strided broadcasts stay on one thread.
public func binaryFloat(_ op: BinaryOp, _ plan: BroadcastPlan,
                        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>) {
    guard plan.count >= Elementwise.parallelThreshold else {
        binaryFloatSerial(op, plan, a, b, y)
        return
    }
    Elementwise.forEachPart(of: plan, a, b, y) { part, a, b, y in binaryFloatSerial(op, part, a, b, y) }
}

/// `binaryFloat` on the calling thread.
func binaryFloatSerial(_ op: BinaryOp, _ plan: BroadcastPlan,
                       _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>) {
    switch op {
    case .add: broadcastBinary(AddFunctor<Float>.self, plan, a, b, y)
    case .sub: broadcastBinary(SubFunctor<Float>.self, plan, a, b, y)
    case .mul: broadcastBinary(FloatMulFunctor.self, plan, a, b, y)
    case .div: broadcastBinary(FloatDivFunctor.self, plan, a, b, y)
    }
}

/// `y = a op b` on int64 (shape arithmetic). Returns false, writing nothing, when a
/// division has a zero divisor.
public func binaryInt64(_ op: BinaryOp, _ plan: BroadcastPlan, rightCount: Int,
                        _ a: UnsafePointer<Int64>, _ b: UnsafePointer<Int64>, _ y: UnsafeMutablePointer<Int64>) -> Bool {
    switch op {
    case .add: broadcastBinary(Int64AddFunctor.self, plan, a, b, y)
    case .sub: broadcastBinary(Int64SubFunctor.self, plan, a, b, y)
    case .mul: broadcastBinary(Int64MulFunctor.self, plan, a, b, y)
    case .div:
        for i in 0..<rightCount where b[i] == 0 { return false }
        broadcastBinary(Int64DivFunctor.self, plan, a, b, y)
    }
    return true
}

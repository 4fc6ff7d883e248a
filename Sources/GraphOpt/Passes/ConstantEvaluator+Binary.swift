import GraphIR

extension ConstantEvaluator {
    /// Add/Sub/Mul/Div with numpy broadcasting on float32, float64, int64 or int32.
    /// Integer division truncates toward zero; a zero divisor throws.
    static func binary(_ op: OpKind, _ a: Tensor, _ b: Tensor, outDims: [Int]) throws -> Tensor? {
        guard a.dtype == b.dtype else { return nil }
        let (ia, ib) = broadcastIndices(a.shape, b.shape, outDims)
        func combine<T>(_ x: [T], _ y: [T], _ f: (T, T) throws -> T) rethrows -> [T] {
            try zip(ia, ib).map { try f(x[$0], y[$1]) }
        }
        func integer<T: FixedWidthInteger>(_ x: T, _ y: T) throws -> T {
            switch op {
            case .add: return x &+ y
            case .sub: return x &- y
            case .mul: return x &* y
            default:
                guard y != 0 else { throw ShapeError("integer division by zero") }
                return x.dividedReportingOverflow(by: y).partialValue
            }
        }
        func real<T: FloatingPoint>(_ x: T, _ y: T) -> T {
            switch op {
            case .add: return x + y
            case .sub: return x - y
            case .mul: return x * y
            default: return x / y
            }
        }
        let storage: TensorStorage
        switch (a.storage, b.storage) {
        case (.float32(let x), .float32(let y)): storage = .float32(combine(x, y, real))
        case (.float64(let x), .float64(let y)): storage = .float64(combine(x, y, real))
        case (.int64(let x), .int64(let y)): storage = .int64(try combine(x, y, integer))
        case (.int32(let x), .int32(let y)): storage = .int32(try combine(x, y, integer))
        default: return nil
        }
        return Tensor(shape: outDims, storage: storage)
    }

    /// For every element of the broadcast result, the row-major index into `a` and `b`.
    static func broadcastIndices(_ a: [Int], _ b: [Int], _ out: [Int]) -> ([Int], [Int]) {
        let r = out.count
        func strides(_ s: [Int]) -> [Int] {
            // Right-aligned strides, 0 along broadcast (size-1 or missing) axes.
            var st = Array(repeating: 0, count: r)
            var acc = 1
            for k in stride(from: s.count - 1, through: 0, by: -1) {
                let axis = r - s.count + k
                st[axis] = s[k] == 1 ? 0 : acc
                acc *= s[k]
            }
            return st
        }
        let sa = strides(a), sb = strides(b)
        let total = out.reduce(1, *)
        var ia = [Int](), ib = [Int]()
        ia.reserveCapacity(total)
        ib.reserveCapacity(total)
        var index = Array(repeating: 0, count: r)
        for _ in 0..<total {
            var pa = 0, pb = 0
            for k in 0..<r { pa += index[k] * sa[k]; pb += index[k] * sb[k] }
            ia.append(pa)
            ib.append(pb)
            var k = r - 1
            while k >= 0 {
                index[k] += 1
                if index[k] < out[k] { break }
                index[k] = 0
                k -= 1
            }
        }
        return (ia, ib)
    }
}

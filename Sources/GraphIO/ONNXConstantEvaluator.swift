import GraphIR

/// Evaluates small integer shape subgraphs at import time (Shape -> Gather -> Unsqueeze
/// -> Concat -> Reshape and friends), so that shape operands computed from input shapes
/// become known constants and the graph can be typed statically.
///
/// Only small tensors are evaluated; anything it cannot evaluate returns nil and stays
/// an ordinary node for the runtime (or a later constant-folding pass).
enum ONNXConstantEvaluator {
    /// Tensors larger than this (in elements) are never evaluated at import time.
    static let maxElements = 4096

    /// The node's outputs when they can be computed from known inputs, else nil.
    static func evaluate(_ op: OpKind, inputs: [Tensor?], inputTypes: [TensorType?],
                         attributes: Attributes, outputType: TensorType) -> [Tensor]? {
        // Shape needs only the input's static shape, not its data.
        if op == .shape {
            guard let t = inputTypes.first ?? nil, let dims = t.shape.staticDims else { return nil }
            let r = dims.count
            func clamp(_ i: Int) -> Int { min(max(i < 0 ? i + r : i, 0), r) }
            let start = clamp(attributes.int("start") ?? 0), end = clamp(attributes.int("end") ?? r)
            return [.int64Vector(start < end ? Array(dims[start..<end]) : [])]
        }
        if op == .constant {
            guard let t = attributes.tensor("value"), isSmall(t.shape) else { return nil }
            return [t]
        }
        // Everything else needs every present input known and small.
        var present: [Tensor] = []
        for (t, type) in zip(inputs, inputTypes) where type != nil {
            guard let t, isSmall(t.shape) else { return nil }
            present.append(t)
        }
        guard !present.isEmpty, let outDims = outputType.shape.staticDims, isSmall(outDims) else { return nil }

        switch op {
        case .identity, .reshape, .squeeze, .unsqueeze, .flatten:
            // Data unchanged; only the (already inferred) shape differs.
            guard present[0].elementCount == outDims.reduce(1, *) else { return nil }
            return [Tensor(shape: outDims, storage: present[0].storage)]
        case .cast:
            guard let to = attributes.string("to").flatMap(DType.init(rawValue:)) else { return nil }
            return cast(present[0], to: to).map { [$0] }
        case .gather:
            guard inputs.count == 2, let idx = present[1].intValues else { return nil }
            return gather(present[0], indices: idx, indexShape: present[1].shape,
                          axis: attributes.int("axis") ?? 0, outDims: outDims).map { [$0] }
        case .concat:
            return concat(present, axis: attributes.int("axis") ?? 0, outDims: outDims).map { [$0] }
        case .slice:
            return slice1D(inputs, outDims: outDims).map { [$0] }
        case .add, .sub, .mul, .div:
            return binary(op, present[0], present[1], outDims: outDims).map { [$0] }
        default:
            return nil
        }
    }

    /// True when the product of the nonzero dims is at most `maxElements`. Checking the
    /// element count alone is not enough: a zero-size tensor may declare other dims whose
    /// product overflows, and the evaluators multiply prefixes and suffixes of the dims.
    static func isSmall(_ dims: [Int]) -> Bool {
        var product = 1
        for d in dims where d != 0 {
            guard d > 0 else { return false }
            let (p, overflow) = product.multipliedReportingOverflow(by: d)
            guard !overflow, p <= maxElements else { return false }
            product = p
        }
        return true
    }

    static func integerTensor(_ values: [Int], shape: [Int], dtype: DType) -> Tensor? {
        guard values.count == shape.reduce(1, *) else { return nil }
        switch dtype {
        case .int64: return Tensor(shape: shape, storage: .int64(values.map { Int64($0) }))
        case .int32: return Tensor(shape: shape, storage: .int32(values.map { Int32(truncatingIfNeeded: $0) }))
        default: return nil
        }
    }

    static func cast(_ x: Tensor, to: DType) -> Tensor? {
        switch to {
        case .int64, .int32:
            let ints: [Int]
            if let v = x.intValues { ints = v } else {
                let f = x.floatValues
                guard f.allSatisfy({ $0.isFinite && abs($0) < 9.0e15 }) else { return nil }
                ints = f.map { Int($0) }
            }
            return integerTensor(ints, shape: x.shape, dtype: to)
        case .float32:
            return Tensor(shape: x.shape, floats: x.floatValues)
        default:
            return nil
        }
    }

    static func gather(_ x: Tensor, indices: [Int], indexShape: [Int], axis: Int, outDims: [Int]) -> Tensor? {
        guard let data = x.intValues, x.dtype == .int64 || x.dtype == .int32 else { return nil }
        let r = x.shape.count
        let a = axis < 0 ? axis + r : axis
        guard a >= 0, a < r else { return nil }
        let outer = x.shape[..<a].reduce(1, *), n = x.shape[a], inner = x.shape[(a + 1)...].reduce(1, *)
        var out: [Int] = []
        for o in 0..<outer {
            for i in indices {
                let j = i < 0 ? i + n : i
                guard j >= 0, j < n else { return nil }
                out.append(contentsOf: data[(o * n + j) * inner ..< (o * n + j + 1) * inner])
            }
        }
        return integerTensor(out, shape: outDims, dtype: x.dtype)
    }

    static func concat(_ parts: [Tensor], axis: Int, outDims: [Int]) -> Tensor? {
        guard let first = parts.first else { return nil }
        let r = first.shape.count
        let a = axis < 0 ? axis + r : axis
        guard a >= 0, a < r, parts.allSatisfy({ $0.dtype == first.dtype && $0.shape.count == r }) else { return nil }
        let outer = first.shape[..<a].reduce(1, *)
        var out: [Int] = []
        for o in 0..<outer {
            for p in parts {
                guard let v = p.intValues else { return nil }
                let chunk = p.shape[a...].reduce(1, *)
                out.append(contentsOf: v[o * chunk ..< (o + 1) * chunk])
            }
        }
        return integerTensor(out, shape: outDims, dtype: first.dtype)
    }

    /// Slice of a rank-1 integer tensor (the form shape subgraphs use).
    static func slice1D(_ inputs: [Tensor?], outDims: [Int]) -> Tensor? {
        guard inputs.count >= 3, let x = inputs[0], x.shape.count == 1, let data = x.intValues,
              let starts = inputs[1]?.intValues, let ends = inputs[2]?.intValues,
              starts.count == 1, ends.count == 1 else { return nil }
        if inputs.count > 3, let axes = inputs[3]?.intValues, axes != [0], axes != [-1] { return nil }
        let step = inputs.count > 4 ? (inputs[4]?.intValues?.first ?? 1) : 1
        guard step != 0 else { return nil }
        let (s, e) = sliceBounds(len: data.count, start: starts[0], end: ends[0], step: step)
        var out: [Int] = []
        var i = s
        while step > 0 ? i < e : i > e {
            out.append(data[i])
            // A huge step ends the slice instead of overflowing.
            let (next, overflow) = i.addingReportingOverflow(step)
            if overflow { break }
            i = next
        }
        return integerTensor(out, shape: outDims, dtype: x.dtype)
    }

    /// Integer elementwise arithmetic with numpy broadcasting; Div truncates toward zero.
    static func binary(_ op: OpKind, _ a: Tensor, _ b: Tensor, outDims: [Int]) -> Tensor? {
        guard a.dtype == b.dtype, let av = a.intValues, let bv = b.intValues,
              a.dtype == .int64 || a.dtype == .int32 else { return nil }
        let r = outDims.count
        guard a.shape.count <= r, b.shape.count <= r else { return nil }
        func strides(_ shape: [Int]) -> [Int] {
            let padded = Array(repeating: 1, count: r - shape.count) + shape
            var s = Array(repeating: 0, count: r)
            var acc = 1
            for i in stride(from: r - 1, through: 0, by: -1) {
                s[i] = padded[i] == 1 ? 0 : acc
                acc *= padded[i]
            }
            return s
        }
        let sa = strides(a.shape), sb = strides(b.shape)
        let n = outDims.reduce(1, *)
        var out = [Int](repeating: 0, count: n)
        var index = [Int](repeating: 0, count: r)
        for k in 0..<n {
            var ia = 0, ib = 0
            for d in 0..<r { ia += index[d] * sa[d]; ib += index[d] * sb[d] }
            guard ia < av.count, ib < bv.count else { return nil }
            let x = av[ia], y = bv[ib]
            switch op {
            case .add: out[k] = x &+ y
            case .sub: out[k] = x &- y
            case .mul: out[k] = x &* y
            default:
                guard y != 0, !(x == Int.min && y == -1) else { return nil }
                out[k] = x / y
            }
            var d = r - 1
            while d >= 0 {
                index[d] += 1
                if index[d] < outDims[d] { break }
                index[d] = 0
                d -= 1
            }
        }
        return integerTensor(out, shape: outDims, dtype: a.dtype)
    }
}

import GraphIR

/// Small evaluators for the ops that make up shape arithmetic and constant float
/// expressions, so `fold-constants` can run without the runtime. Each returns nil for an
/// op (or dtype) it does not cover, and throws for operands that are invalid.
///
/// The output type comes from shape inference (with the constant operands known), so
/// the shape-only ops need no shape logic of their own here.
enum ConstantEvaluator {
    static let supportedOps: Set<OpKind> = [
        .constant, .identity, .shape, .gather, .concat, .unsqueeze, .squeeze, .reshape, .flatten, .cast,
        .add, .sub, .mul, .div, .neg, .sqrt, .reciprocal,
    ]

    /// Evaluates a single-output node whose operands are `inputs` (nil for an omitted
    /// operand), producing `outputType`. `inputTypes` matters only for `Shape`, whose
    /// operand's contents may be unknown.
    static func evaluate(_ op: OpKind, inputs: [Tensor?], inputTypes: [TensorType?], attributes: Attributes,
                         outputType: TensorType) throws -> Tensor? {
        guard let outDims = outputType.shape.staticDims else { return nil }
        switch op {
        case .constant:
            return attributes.tensor("value")
        case .shape:
            guard let t = inputTypes.first ?? nil, let dims = t.shape.staticDims else { return nil }
            let r = dims.count
            func clamp(_ i: Int) -> Int { min(max(i < 0 ? i + r : i, 0), r) }
            let start = clamp(attributes.int("start") ?? 0), end = clamp(attributes.int("end") ?? r)
            return .int64Vector(start < end ? Array(dims[start..<end]) : [])
        case .identity, .unsqueeze, .squeeze, .reshape, .flatten:
            // Row-major order is unchanged: only the shape differs.
            guard let x = inputs.first ?? nil, x.elementCount == outputType.shape.elementCount else { return nil }
            return Tensor(shape: outDims, storage: x.storage)
        case .cast:
            guard let x = inputs.first ?? nil else { return nil }
            return cast(x, to: outputType.dtype).map { Tensor(shape: outDims, storage: $0) }
        case .gather:
            guard inputs.count == 2, let x = inputs[0], let idx = inputs[1]?.intValues else { return nil }
            return try gather(x, indices: idx, axis: attributes.int("axis") ?? 0, outDims: outDims)
        case .concat:
            let parts = inputs.compactMap { $0 }
            guard parts.count == inputs.count, let axis = attributes.int("axis") else { return nil }
            return concat(parts, axis: axis, outDims: outDims)
        case .add, .sub, .mul, .div:
            guard inputs.count == 2, let a = inputs[0], let b = inputs[1] else { return nil }
            return try binary(op, a, b, outDims: outDims)
        case .neg, .sqrt, .reciprocal:
            guard let x = inputs.first ?? nil else { return nil }
            return unary(op, x).map { Tensor(shape: outDims, storage: $0) }
        default:
            return nil
        }
    }

    static func cast(_ x: Tensor, to dtype: DType) -> TensorStorage? {
        let ints = x.intValues.map { $0.map(Int64.init) }
        switch dtype {
        case .float32: return .float32(x.floatValues)
        case .float64:
            if case .float64(let a) = x.storage { return .float64(a) }
            return .float64(ints.map { $0.map(Double.init) } ?? x.floatValues.map(Double.init))
        case .int64, .int32, .uint8, .bool:
            // Float to integer truncates toward zero, as ONNX Cast does.
            let values: [Int64]
            if let ints { values = ints } else {
                let reals: [Double]
                if case .float64(let a) = x.storage { reals = a } else { reals = x.floatValues.map(Double.init) }
                guard reals.allSatisfy({ $0.isFinite && abs($0) < 9.2e18 }) else { return nil }
                values = reals.map { Int64($0) }
            }
            switch dtype {
            case .int64: return .int64(values)
            case .int32: return .int32(values.map { Int32(truncatingIfNeeded: $0) })
            case .uint8: return .uint8(values.map { UInt8(truncatingIfNeeded: $0) })
            default: return .bool(values.map { $0 != 0 })
            }
        case .float16:
            return nil
        }
    }

    static func gather(_ x: Tensor, indices: [Int], axis: Int, outDims: [Int]) throws -> Tensor? {
        guard !x.shape.isEmpty else { return nil }
        let a = try normalizeAxis(axis, rank: x.shape.count)
        let outer = x.shape[..<a].reduce(1, *), extent = x.shape[a], inner = x.shape[(a + 1)...].reduce(1, *)
        var picks: [Int] = []
        picks.reserveCapacity(outer * indices.count * inner)
        for o in 0..<outer {
            for raw in indices {
                let i = raw < 0 ? raw + extent : raw
                guard i >= 0, i < extent else {
                    throw ShapeError("index \(raw) is out of range for axis \(a) of size \(extent)")
                }
                let base = (o * extent + i) * inner
                picks.append(contentsOf: base..<(base + inner))
            }
        }
        return Tensor(shape: outDims, storage: select(x.storage, picks))
    }

    static func concat(_ parts: [Tensor], axis: Int, outDims: [Int]) -> Tensor? {
        guard let first = parts.first, !first.shape.isEmpty,
              parts.allSatisfy({ $0.dtype == first.dtype && $0.shape.count == first.shape.count }),
              let a = try? normalizeAxis(axis, rank: first.shape.count),
              let joined = join(parts.map(\.storage)) else { return nil }
        let outer = first.shape[..<a].reduce(1, *)
        var starts: [Int] = []
        var offset = 0
        for p in parts { starts.append(offset); offset += p.elementCount }
        var picks: [Int] = []
        for o in 0..<outer {
            for (k, p) in parts.enumerated() {
                let chunk = p.shape[a...].reduce(1, *)
                picks.append(contentsOf: (starts[k] + o * chunk)..<(starts[k] + (o + 1) * chunk))
            }
        }
        return Tensor(shape: outDims, storage: select(joined, picks))
    }

    static func unary(_ op: OpKind, _ x: Tensor) -> TensorStorage? {
        switch (op, x.storage) {
        case (.neg, .int64(let a)): return .int64(a.map { 0 &- $0 })
        case (.neg, .float32(let a)): return .float32(a.map { -$0 })
        case (.sqrt, .float32(let a)): return .float32(a.map { $0.squareRoot() })
        case (.reciprocal, .float32(let a)): return .float32(a.map { 1 / $0 })
        default: return nil
        }
    }

    /// The elements at `picks` (row-major indices) of `s`.
    static func select(_ s: TensorStorage, _ picks: [Int]) -> TensorStorage {
        switch s {
        case .float32(let a): return .float32(picks.map { a[$0] })
        case .float64(let a): return .float64(picks.map { a[$0] })
        case .int64(let a): return .int64(picks.map { a[$0] })
        case .int32(let a): return .int32(picks.map { a[$0] })
        case .uint8(let a): return .uint8(picks.map { a[$0] })
        case .bool(let a): return .bool(picks.map { a[$0] })
        }
    }

    /// All elements of `parts` (one dtype) one after another.
    static func join(_ parts: [TensorStorage]) -> TensorStorage? {
        guard let first = parts.first else { return nil }
        switch first {
        case .float32: return .float32(parts.flatMap { if case .float32(let a) = $0 { return a } else { return [] } })
        case .float64: return .float64(parts.flatMap { if case .float64(let a) = $0 { return a } else { return [] } })
        case .int64: return .int64(parts.flatMap { if case .int64(let a) = $0 { return a } else { return [] } })
        case .int32: return .int32(parts.flatMap { if case .int32(let a) = $0 { return a } else { return [] } })
        case .uint8: return .uint8(parts.flatMap { if case .uint8(let a) = $0 { return a } else { return [] } })
        case .bool: return .bool(parts.flatMap { if case .bool(let a) = $0 { return a } else { return [] } })
        }
    }
}

/// Shape rules of the reshaping, linear-algebra and reduction ops.
extension OpKind {
    func inferReshape(_ ctx: InferenceContext) throws -> TensorType {
        let x = try ctx.input(0)
        guard let target = try ctx.intOperand(1, "shape") else { throw ShapeError("missing required input 1 (shape)") }
        let allowZero = (ctx.attributes.int("allowzero") ?? 0) != 0
        var out: [Dim] = []
        var inferAt: Int? = nil
        for (i, t) in target.enumerated() {
            switch t {
            case -1:
                guard inferAt == nil else { throw ShapeError("shape \(target) has more than one -1") }
                inferAt = i
                out.append(1)
            case 0 where !allowZero:
                guard i < x.shape.rank else { throw ShapeError("shape \(target) copies dim \(i) but the input has rank \(x.shape.rank)") }
                out.append(x.shape[i])
            default:
                guard t >= 0 else { throw ShapeError("shape \(target) has invalid dim \(t)") }
                out.append(.known(t))
            }
        }
        if allowZero, inferAt != nil, target.contains(0) {
            throw ShapeError("shape \(target) has both -1 and 0 with allowzero=1")
        }
        if let i = inferAt {
            // The symbolic batch usually cancels: compare the remaining known factors.
            let known = Shape(out.enumerated().filter { $0.offset != i }.map(\.element))
            if let total = x.shape.elementCount, let rest = known.elementCount {
                guard rest > 0, total % rest == 0 else { throw ShapeError("cannot reshape \(x.shape) to \(target)") }
                out[i] = .known(total / rest)
            } else {
                var inSyms = x.shape.dims.filter { $0.value == nil }
                var rest = 1, total = 1
                for d in known.dims {
                    if let v = d.value { rest = try checkedProduct(rest, v) } else if let j = inSyms.firstIndex(of: d) { inSyms.remove(at: j) } else { rest = -1 }
                }
                for d in x.shape.dims { if let v = d.value { total = try checkedProduct(total, v) } }
                if rest > 0, inSyms.isEmpty, total % rest == 0 { out[i] = .known(total / rest) }
                else if rest > 0, inSyms.count == 1, total == rest { out[i] = inSyms[0] }
                else { out[i] = .symbolic("?") }
            }
        } else if let total = x.shape.elementCount, let n = Shape(out).elementCount, total != n {
            throw ShapeError("cannot reshape \(x.shape) (\(total) elements) to \(target) (\(n) elements)")
        }
        return TensorType(x.dtype, Shape(out))
    }

    func inferConcat(_ ctx: InferenceContext) throws -> TensorType {
        let first = try ctx.input(0)
        guard let axisAttr = ctx.attributes.int("axis") else { throw ShapeError("missing attribute 'axis'") }
        let axis = try normalizeAxis(axisAttr, rank: first.shape.rank)
        var out = first.shape.dims
        var total: Int? = first.shape[axis].value
        for i in 1..<ctx.inputs.count {
            let t = try ctx.input(i)
            guard t.dtype == first.dtype, t.shape.rank == first.shape.rank else {
                throw ShapeError("input \(i) is \(t) but input 0 is \(first)")
            }
            for d in 0..<out.count where d != axis && t.shape[d] != out[d] && t.shape[d].value != nil && out[d].value != nil {
                throw ShapeError("input \(i) has shape \(t.shape), which differs from \(first.shape) outside axis \(axis)")
            }
            if let a = total, let b = t.shape[axis].value { total = a + b } else { total = nil }
        }
        out[axis] = total.map { .known($0) } ?? .symbolic("?")
        return TensorType(first.dtype, Shape(out))
    }

    func inferSqueeze(_ ctx: InferenceContext) throws -> TensorType {
        let x = try ctx.input(0)
        let axes = try ctx.intOperand(1, "axes")
        if self == .unsqueeze {
            guard let axes else { throw ShapeError("missing required input 1 (axes)") }
            let r = x.shape.rank + axes.count
            let norm = try Set(axes.map { try normalizeAxis($0, rank: r) })
            guard norm.count == axes.count else { throw ShapeError("axes \(axes) has duplicates") }
            var out: [Dim] = []
            var src = x.shape.dims.makeIterator()
            for i in 0..<r { out.append(norm.contains(i) ? 1 : src.next()!) }
            return TensorType(x.dtype, Shape(out))
        }
        let drop: Set<Int>
        if let axes {
            drop = try Set(axes.map { try normalizeAxis($0, rank: x.shape.rank) })
            for a in drop where x.shape[a] != 1 && x.shape[a].value != nil {
                throw ShapeError("cannot squeeze axis \(a) of size \(x.shape[a])")
            }
        } else {
            drop = Set(x.shape.dims.indices.filter { x.shape[$0] == 1 })
        }
        return TensorType(x.dtype, Shape(x.shape.dims.indices.filter { !drop.contains($0) }.map { x.shape[$0] }))
    }

    func inferPad(_ ctx: InferenceContext) throws -> TensorType {
        let x = try ctx.input(0)
        let r = x.shape.rank
        guard let pads = try ctx.intOperand(1, "pads") else { throw ShapeError("missing required input 1 (pads)") }
        let axes = try ctx.intOperand(3, "axes").map { try $0.map { try normalizeAxis($0, rank: r) } } ?? Array(0..<r)
        try requireSane(pads, "pads")
        guard pads.count == 2 * axes.count else {
            throw ShapeError("pads has \(pads.count) values, expected \(2 * axes.count)")
        }
        let mode = ctx.attributes.string("mode") ?? "constant"
        guard ["constant", "reflect", "edge", "wrap"].contains(mode) else { throw ShapeError("unknown pad mode '\(mode)'") }
        var out = x.shape.dims
        for (i, axis) in axes.enumerated() {
            out[axis] = mapDim(out[axis]) { $0 + pads[i] + pads[i + axes.count] }
            if let v = out[axis].value, v < 0 { throw ShapeError("pads \(pads) make axis \(axis) negative") }
        }
        return TensorType(x.dtype, Shape(out))
    }

    func inferSlice(_ ctx: InferenceContext) throws -> TensorType {
        let x = try ctx.input(0)
        let r = x.shape.rank
        guard let starts = try ctx.intOperand(1, "starts"), let ends = try ctx.intOperand(2, "ends") else {
            throw ShapeError("missing starts or ends")
        }
        let axes = try ctx.intOperand(3, "axes").map { try $0.map { try normalizeAxis($0, rank: r) } } ?? Array(0..<starts.count)
        let steps = try ctx.intOperand(4, "steps") ?? Array(repeating: 1, count: starts.count)
        try requireSane(steps, "steps")
        guard ends.count == starts.count, axes.count == starts.count, steps.count == starts.count else {
            throw ShapeError("starts, ends, axes and steps must have the same length")
        }
        guard !steps.contains(0) else { throw ShapeError("steps \(steps) must be non-zero") }
        var out = x.shape.dims
        for i in 0..<axes.count {
            guard let len = x.shape[axes[i]].value else { out[axes[i]] = .symbolic("?"); continue }
            out[axes[i]] = .known(sliceCount(len: len, start: starts[i], end: ends[i], step: steps[i]))
        }
        return TensorType(x.dtype, Shape(out))
    }

    func inferGemm(_ ctx: InferenceContext) throws -> TensorType {
        let a = try ctx.input(0), b = try ctx.input(1)
        guard a.shape.rank == 2, b.shape.rank == 2 else { throw ShapeError("Gemm needs 2-D inputs, found \(a.shape) and \(b.shape)") }
        let ta = (ctx.attributes.int("transA") ?? 0) != 0, tb = (ctx.attributes.int("transB") ?? 0) != 0
        let m = ta ? a.shape[1] : a.shape[0], k = ta ? a.shape[0] : a.shape[1]
        let k2 = tb ? b.shape[1] : b.shape[0], n = tb ? b.shape[0] : b.shape[1]
        if k != k2, k.value != nil, k2.value != nil {
            throw ShapeError("inner dimensions differ: A gives \(k) but B gives \(k2)")
        }
        let y = Shape([m, n])
        if ctx.inputs.count > 2, let c = ctx.inputs[2] {
            let bc = try broadcastShapes(c.shape, y)
            guard bc == y || bc.dims.contains(where: { $0.value == nil }) else {
                throw ShapeError("C with shape \(c.shape) does not broadcast to \(y)")
            }
        }
        return TensorType(a.dtype, y)
    }

    func inferMatMul(_ ctx: InferenceContext) throws -> TensorType {
        let a = try ctx.input(0), b = try ctx.input(1)
        guard a.shape.rank >= 1, b.shape.rank >= 1 else { throw ShapeError("MatMul needs inputs of rank >= 1") }
        var ad = a.shape.dims, bd = b.shape.dims
        let aVec = ad.count == 1, bVec = bd.count == 1
        if aVec { ad.insert(1, at: 0) }
        if bVec { bd.append(1) }
        let k = ad[ad.count - 1], k2 = bd[bd.count - 2]
        if k != k2, k.value != nil, k2.value != nil {
            throw ShapeError("inner dimensions differ: \(a.shape) x \(b.shape)")
        }
        var out = try broadcastShapes(Shape(Array(ad.dropLast(2))), Shape(Array(bd.dropLast(2)))).dims
        if !aVec { out.append(ad[ad.count - 2]) }
        if !bVec { out.append(bd[bd.count - 1]) }
        return TensorType(a.dtype, Shape(out))
    }

    func inferReduce(_ ctx: InferenceContext) throws -> TensorType {
        let x = try ctx.input(0)
        let keep = (ctx.attributes.int("keepdims") ?? 1) != 0
        let noop = (ctx.attributes.int("noop_with_empty_axes") ?? 0) != 0
        let axes = try ctx.intOperand(1, "axes") ?? []
        if axes.isEmpty && noop { return x }
        let set = axes.isEmpty ? Set(0..<x.shape.rank) : try Set(axes.map { try normalizeAxis($0, rank: x.shape.rank) })
        var out: [Dim] = []
        for (i, d) in x.shape.dims.enumerated() {
            if set.contains(i) { if keep { out.append(1) } } else { out.append(d) }
        }
        return TensorType(x.dtype, Shape(out))
    }
}

/// a * b, or a ShapeError when a declared shape is too large to count.
func checkedProduct(_ a: Int, _ b: Int) throws -> Int {
    let (p, overflow) = a.multipliedReportingOverflow(by: b)
    guard !overflow else { throw ShapeError("element count overflows (\(a) x \(b))") }
    return p
}

/// Number of elements ONNX Slice selects along one axis of length `len`.
/// Zero for a zero step, which inference rejects.
public func sliceCount(len: Int, start: Int, end: Int, step: Int) -> Int {
    guard step != 0 else { return 0 }
    let (s, e) = sliceBounds(len: len, start: start, end: end, step: step)
    if step > 0 { return max(0, (e - s + step - 1) / step) }
    return max(0, (s - e + (-step) - 1) / (-step))
}

/// Clamped start and end of an ONNX Slice along one axis.
public func sliceBounds(len: Int, start: Int, end: Int, step: Int) -> (start: Int, end: Int) {
    var s = start < 0 ? start + len : start
    var e = end < 0 ? end + len : end
    if step > 0 {
        s = min(max(s, 0), len)
        e = min(max(e, 0), len)
    } else {
        // ONNX clamps a backward start into [0, len-1] (so a start before the first
        // element still selects it) and a backward end into [-1, len-1].
        s = min(max(s, 0), len - 1)
        e = min(max(e, -1), len - 1)
    }
    return (s, e)
}

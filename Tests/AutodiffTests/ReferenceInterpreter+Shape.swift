import GraphIR

// TEST-ONLY REFERENCE INTERPRETER: data-movement ops (N-d, by multi-index).

extension ReferenceInterpreter {
    func transpose(_ x: RefTensor, _ permAttribute: [Int]?) -> RefTensor {
        let perm = permAttribute ?? Array((0..<x.shape.count).reversed())
        let outShape = perm.map { x.shape[$0] }
        let strides = rowMajorStrides(x.shape)
        var y = RefTensor(shape: outShape)
        for flat in 0..<y.count {
            let idx = unravel(flat, outShape)
            var src = 0
            for (k, p) in perm.enumerated() { src += idx[k] * strides[p] }
            y.data[flat] = x.data[src]
        }
        return y
    }

    func concat(_ xs: [RefTensor], _ a: Attributes, _ out: [Int]) throws -> RefTensor {
        let rank = out.count
        guard let axisAttribute = a.int("axis") else { throw ReferenceError("no axis") }
        let axis = axisAttribute < 0 ? axisAttribute + rank : axisAttribute
        var y = RefTensor(shape: out)
        let outStrides = rowMajorStrides(out)
        var offset = 0
        for x in xs {
            for flat in 0..<x.count {
                var idx = unravel(flat, x.shape)
                idx[axis] += offset
                y.data[zip(idx, outStrides).reduce(0) { $0 + $1.0 * $1.1 }] = x.data[flat]
            }
            offset += x.shape[axis]
        }
        return y
    }

    /// Constant-mode Pad (the only mode Autodiff differentiates).
    func pad(_ x: RefTensor, _ padsTensor: RefTensor, _ value: RefTensor?, _ axesTensor: RefTensor?, _ a: Attributes) throws -> RefTensor {
        guard (a.string("mode") ?? "constant") == "constant" else { throw ReferenceError("reference Pad is constant mode only") }
        let rank = x.shape.count
        let axes = axesTensor?.ints.map { $0 < 0 ? $0 + rank : $0 } ?? Array(0..<rank)
        let pads = padsTensor.ints
        var before = Array(repeating: 0, count: rank), after = before
        for (k, axis) in axes.enumerated() {
            before[axis] = pads[k]
            after[axis] = pads[k + axes.count]
        }
        let outShape = (0..<rank).map { x.shape[$0] + before[$0] + after[$0] }
        var y = RefTensor(shape: outShape, repeating: value?.data.first ?? 0)
        let outStrides = rowMajorStrides(outShape)
        for flat in 0..<x.count {
            let idx = unravel(flat, x.shape)
            var dst = 0, inside = true
            for i in 0..<rank {
                let j = idx[i] + before[i]
                if j < 0 || j >= outShape[i] { inside = false; break }
                dst += j * outStrides[i]
            }
            if inside { y.data[dst] = x.data[flat] }
        }
        return y
    }

    func slice(_ x: [RefTensor?], _ out: [Int]) throws -> RefTensor {
        guard let data = x[0], let starts = x[1]?.ints, let ends = x[2]?.ints else { throw ReferenceError("Slice inputs") }
        let rank = data.shape.count
        let axes = (x.count > 3 ? x[3]?.ints : nil)?.map { $0 < 0 ? $0 + rank : $0 } ?? Array(0..<starts.count)
        let steps = (x.count > 4 ? x[4]?.ints : nil) ?? Array(repeating: 1, count: starts.count)
        var first = Array(repeating: 0, count: rank), step = Array(repeating: 1, count: rank)
        for (k, axis) in axes.enumerated() {
            first[axis] = sliceBounds(len: data.shape[axis], start: starts[k], end: ends[k], step: steps[k]).start
            step[axis] = steps[k]
        }
        let strides = rowMajorStrides(data.shape)
        var y = RefTensor(shape: out)
        for flat in 0..<y.count {
            let idx = unravel(flat, out)
            var src = 0
            for i in 0..<rank { src += (first[i] + idx[i] * step[i]) * strides[i] }
            y.data[flat] = data.data[src]
        }
        return y
    }

    func gather(_ x: RefTensor, _ indices: RefTensor, _ a: Attributes, _ out: [Int]) throws -> RefTensor {
        let rank = x.shape.count
        let axisAttribute = a.int("axis") ?? 0
        let axis = axisAttribute < 0 ? axisAttribute + rank : axisAttribute
        let strides = rowMajorStrides(x.shape)
        var y = RefTensor(shape: out)
        let ir = indices.shape.count
        for flat in 0..<y.count {
            let idx = unravel(flat, out)
            let which = unravel(0, indices.shape).isEmpty ? 0
                : zip(idx[axis..<(axis + ir)], rowMajorStrides(indices.shape)).reduce(0) { $0 + $1.0 * $1.1 }
            var k = Int(indices.data[which])
            if k < 0 { k += x.shape[axis] }
            var src = k * strides[axis]
            for i in 0..<axis { src += idx[i] * strides[i] }
            for i in (axis + 1)..<max(rank, axis + 1) { src += idx[i - 1 + ir] * strides[i] }
            y.data[flat] = x.data[src]
        }
        return y
    }

    func shapeOf(_ x: RefTensor, _ a: Attributes, _ out: [Int]) -> RefTensor {
        let r = x.shape.count
        func clamp(_ i: Int) -> Int { min(max(i < 0 ? i + r : i, 0), r) }
        let start = clamp(a.int("start") ?? 0), end = clamp(a.int("end") ?? r)
        return RefTensor(shape: out, data: x.shape[start..<max(start, end)].map(Double.init))
    }
}

import GraphIR

extension VJP {
    /// Flatten, Reshape, Squeeze, Unsqueeze move no data: dX is dY reshaped to X's shape.
    static func reshapeLike(_ c: inout VJPContext) throws -> [ValueID?] {
        let dy = try c.outputGradient()
        let x = try c.requiredInput(0)
        let dx = try c.reshape(dy, to: c.shape(of: x), "dX")
        return [dx] + Array(repeating: nil, count: c.node.inputs.count - 1)
    }

    /// Transpose: dX is dY transposed by the inverse permutation.
    static func transpose(_ c: inout VJPContext) throws -> [ValueID?] {
        let dy = try c.outputGradient()
        let rank = c.shape(of: dy).rank
        let perm = c.node.attributes.ints("perm") ?? Array((0..<rank).reversed())
        var inverse = Array(repeating: 0, count: rank)
        for (i, p) in perm.enumerated() where p >= 0 && p < rank { inverse[p] = i }
        return [try c.emit1(.transpose, "dX", [dy], ["perm": .ints(inverse)])]
    }

    /// Concat: each input's gradient is its slice of dY along the axis.
    static func concat(_ c: inout VJPContext) throws -> [ValueID?] {
        let dy = try c.outputGradient()
        let rank = c.shape(of: dy).rank
        guard let axisAttribute = c.node.attributes.int("axis") else { throw c.failure("missing attribute 'axis'") }
        let axis = axisAttribute < 0 ? axisAttribute + rank : axisAttribute
        let axes = c.int64s("axis", [axis])
        var offset = 0
        var grads: [ValueID?] = []
        for (i, input) in c.node.inputs.enumerated() {
            guard let v = input, let len = c.shape(of: v)[axis].value else {
                throw c.failure("input \(i) needs a static size along the concat axis")
            }
            if c.needs(i) {
                let starts = c.int64s("d\(i)_starts", [offset]), ends = c.int64s("d\(i)_ends", [offset + len])
                grads.append(try c.emit1(.slice, "d\(i)", [dy, starts, ends, axes]))
            } else {
                grads.append(nil)
            }
            offset += len
        }
        return grads
    }

    /// Pad (constant mode): dX is the slice of dY that the input occupies.
    static func pad(_ c: inout VJPContext) throws -> [ValueID?] {
        let dy = try c.outputGradient()
        let x = try c.requiredInput(0)
        let mode = c.node.attributes.string("mode") ?? "constant"
        guard mode == "constant" else { throw c.failure("only constant-mode Pad is differentiable, found '\(mode)'") }
        guard let pads = try c.constantInts(1, "pads") else { throw c.failure("missing pads") }
        let xs = c.shape(of: x)
        let axes = try c.constantInts(3, "axes").map { $0.map { $0 < 0 ? $0 + xs.rank : $0 } } ?? Array(0..<xs.rank)
        guard pads.count == 2 * axes.count, pads.allSatisfy({ $0 >= 0 }) else {
            throw c.failure("pads \(pads) must be non-negative, two per axis")
        }
        var starts: [Int] = [], ends: [Int] = []
        for (k, axis) in axes.enumerated() {
            guard let len = xs[axis].value else { throw c.failure("padded axis \(axis) needs a static size") }
            starts.append(pads[k])
            ends.append(pads[k] + len)
        }
        let s = c.int64s("dX_starts", starts), e = c.int64s("dX_ends", ends), a = c.int64s("dX_axes", axes)
        return [try c.emit1(.slice, "dX", [dy, s, e, a])] + Array(repeating: nil, count: c.node.inputs.count - 1)
    }

    /// Slice with unit steps: dX is dY zero-padded back to X's extent.
    static func slice(_ c: inout VJPContext) throws -> [ValueID?] {
        let dy = try c.outputGradient()
        let x = try c.requiredInput(0)
        let xDims = try c.staticDims(x, "Slice's gradient")
        guard let starts = try c.constantInts(1, "starts"), let ends = try c.constantInts(2, "ends") else {
            throw c.failure("missing starts or ends")
        }
        let axes = try c.constantInts(3, "axes").map { $0.map { $0 < 0 ? $0 + xDims.count : $0 } }
            ?? Array(0..<starts.count)
        let steps = try c.constantInts(4, "steps") ?? Array(repeating: 1, count: starts.count)
        guard steps.allSatisfy({ $0 == 1 }) else { throw c.failure("only unit-step Slice is differentiable, found steps \(steps)") }
        guard axes.count == starts.count, ends.count == starts.count, axes.allSatisfy({ $0 >= 0 && $0 < xDims.count }) else {
            throw c.failure("starts, ends and axes disagree")
        }
        var before = Array(repeating: 0, count: xDims.count), after = before
        for (k, axis) in axes.enumerated() {
            let (s, e) = sliceBounds(len: xDims[axis], start: starts[k], end: ends[k], step: 1)
            before[axis] = s
            after[axis] = xDims[axis] - max(s, e)
        }
        let pads = c.int64s("dX_pads", before + after)
        return [try c.emit1(.pad, "dX", [dy, pads], ["mode": .string("constant")])]
            + Array(repeating: nil, count: c.node.inputs.count - 1)
    }
}

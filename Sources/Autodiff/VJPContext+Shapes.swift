import GraphIR

/// Shape plumbing shared by the rules: undoing broadcasts and reshaping gradients back.
extension VJPContext {
    /// Sums `g` over the axes along which a value of `target` shape was broadcast to
    /// g's shape (numpy rules): ReduceSum without keepdims over the extra leading axes,
    /// then ReduceSum with keepdims over the axes where the target has size 1.
    public mutating func unbroadcast(_ g: ValueID, to target: Shape, _ suffix: String) throws -> ValueID {
        let gs = shape(of: g)
        if gs == target { return g }
        guard gs.rank >= target.rank else {
            throw failure("gradient \(gs) has lower rank than its operand \(target)")
        }
        var out = g
        let extra = gs.rank - target.rank
        if extra > 0 {
            let axes = int64s("\(suffix)_lead_axes", Array(0..<extra))
            out = try emit1(.reduceSum, "\(suffix)_lead", [out, axes], ["keepdims": .int(0)])
        }
        var ones: [Int] = []
        for i in 0..<target.rank where target[i] == 1 && shape(of: out)[i] != 1 { ones.append(i) }
        if !ones.isEmpty {
            let axes = int64s("\(suffix)_axes", ones)
            out = try emit1(.reduceSum, suffix, [out, axes], ["keepdims": .int(1)])
        }
        guard shape(of: out) == target else {
            throw failure("cannot reduce gradient \(gs) to operand shape \(target)")
        }
        return out
    }

    /// `g` reshaped to `target` (same element count). Known sizes are written out; a
    /// symbolic size is copied (Reshape's 0) when g has the same symbol at that axis,
    /// else inferred (-1, at most once).
    public mutating func reshape(_ g: ValueID, to target: Shape, _ suffix: String) throws -> ValueID {
        let gs = shape(of: g)
        if gs == target { return g }
        var dims: [Int] = []
        var inferred = false
        for (i, d) in target.dims.enumerated() {
            if let v = d.value {
                // A literal 0 would mean "copy" to Reshape; empty tensors are not differentiated.
                guard v > 0 else { throw failure("cannot reshape a gradient to the empty shape \(target)") }
                dims.append(v)
            } else if i < gs.rank, gs[i] == d {
                dims.append(0)
            } else if !inferred {
                inferred = true
                dims.append(-1)
            } else {
                throw failure("cannot express the reshape of \(gs) to \(target) (two unknown sizes)")
            }
        }
        let s = int64s("\(suffix)_shape", dims)
        let out = try emit1(.reshape, suffix, [g, s])
        guard shape(of: out) == target else {
            throw failure("reshaping gradient \(gs) gave \(shape(of: out)), expected \(target)")
        }
        return out
    }

    /// The sum of several gradient contributions (nil when there are none).
    public mutating func sum(_ parts: [ValueID], _ suffix: String) throws -> ValueID? {
        guard var acc = parts.first else { return nil }
        for (k, p) in parts.dropFirst().enumerated() {
            acc = try emit1(.add, "\(suffix)_sum\(k + 1)", [acc, p])
        }
        return acc
    }

    /// Sorted, non-negative axes from a constant axes operand or attribute.
    public func constantInts(_ slot: Int, _ what: String) throws -> [Int]? {
        guard let v = input(slot) else { return nil }
        guard let data = graph[v].data, let ints = data.intValues else {
            throw failure("\(what) (input \(slot)) must be a constant to differentiate this node")
        }
        return ints
    }

    /// The float contents of a constant scalar operand (Clip bounds), or nil when absent.
    public func constantScalar(_ slot: Int, _ what: String) throws -> Float? {
        guard let v = input(slot) else { return nil }
        guard let data = graph[v].data, data.elementCount == 1 else {
            throw failure("\(what) (input \(slot)) must be a constant scalar to differentiate this node")
        }
        return data.floatValues[0]
    }
}

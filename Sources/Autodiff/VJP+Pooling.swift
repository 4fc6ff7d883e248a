import GraphIR

extension VJP {
    /// MaxPool: MaxPoolGrad(dY, X) with the forward attributes (the indices output is
    /// integer, so it has no gradient). GlobalMaxPool is a MaxPool whose window is the
    /// whole (static) spatial extent.
    static func maxPool(_ c: inout VJPContext) throws -> [ValueID?] {
        let dy = try c.outputGradient()
        let x = try c.requiredInput(0)
        var attributes = c.node.attributes
        if c.node.op == .globalMaxPool {
            let dims = try c.staticDims(x, "GlobalMaxPool's gradient")
            attributes = ["kernel_shape": .ints(Array(dims[2...]))]
        }
        return [try c.emit1(.maxPoolGrad, "dX", [dy, x], attributes)]
    }

    /// AveragePool: AveragePoolGrad(dY) spreads each dY over its window, divided by the
    /// same count the forward pass used (count_include_pad decides whether padded cells
    /// count). The input's spatial size is recorded as `input_spatial_shape`.
    static func averagePool(_ c: inout VJPContext) throws -> [ValueID?] {
        let dy = try c.outputGradient()
        let x = try c.requiredInput(0)
        let dims = try c.staticDims(x, "AveragePool's gradient")
        var attributes = c.node.attributes
        attributes["input_spatial_shape"] = .ints(Array(dims[2...]))
        return [try c.emit1(.averagePoolGrad, "dX", [dy], attributes)]
    }

    /// GlobalAveragePool: dX = BroadcastLike(dY, X) / (spatial size).
    static func globalAveragePool(_ c: inout VJPContext) throws -> [ValueID?] {
        let dy = try c.outputGradient()
        let x = try c.requiredInput(0)
        let dims = try c.staticDims(x, "GlobalAveragePool's gradient")
        let count = dims[2...].reduce(1, *)
        let spread = try c.emit1(.broadcastLike, "dY_spread", [dy, x])
        let scale = c.scalar("inv_count", 1 / Double(count), like: dy)
        return [try c.emit1(.mul, "dX", [spread, scale])]
    }
}

import GraphIR

extension VJP {
    /// Conv(X, W, B?): dX = ConvGradInput(dY, W), dW = ConvGradWeight(dY, X),
    /// dB = ReduceSum(dY) over batch and spatial axes. Both backward ops carry the forward
    /// attributes (with kernel_shape made explicit), so pads, strides, dilations, groups
    /// and auto_pad are resolved exactly as in the forward pass.
    static func conv(_ c: inout VJPContext) throws -> [ValueID?] {
        let dy = try c.outputGradient()
        let x = try c.requiredInput(0), w = try c.requiredInput(1)
        let wDims = try c.staticDims(w, "the weight")
        var attributes = c.node.attributes
        attributes["kernel_shape"] = .ints(Array(wDims[2...]))
        var grads: [ValueID?] = Array(repeating: nil, count: c.node.inputs.count)
        if c.needs(0) {
            let xDims = try c.staticDims(x, "ConvGradInput (its input spatial size)")
            var a = attributes
            a["input_spatial_shape"] = .ints(Array(xDims[2...]))
            grads[0] = try c.emit1(.convGradInput, "dX", [dy, w], a)
        }
        if c.needs(1) {
            grads[1] = try c.emit1(.convGradWeight, "dW", [dy, x], attributes)
        }
        if c.needs(2) {
            let rank = c.shape(of: dy).rank
            let axes = c.int64s("dB_axes", [0] + Array(2..<rank))
            grads[2] = try c.emit1(.reduceSum, "dB", [dy, axes], ["keepdims": .int(0)])
        }
        return grads
    }
}

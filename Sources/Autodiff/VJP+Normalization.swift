import GraphIR

extension VJP {
    /// BatchNormalization: one BatchNormalizationGrad node giving (dX, dScale, dBias).
    ///
    /// In inference mode (the default) the moving statistics are constants of the
    /// function: dX = dY * scale / sqrt(var + eps). In training mode (`training_mode = 1`)
    /// the mean and variance are the batch's, so dX also flows through them:
    /// dX = scale / sqrt(var_B + eps) * (dY - mean(dY) - xhat * mean(dY * xhat)), the
    /// means taken per channel over batch and spatial axes. The running-statistics
    /// outputs are state updates and carry no gradient.
    static func batchNormalization(_ c: inout VJPContext) throws -> [ValueID?] {
        let dy = try c.outputGradient()
        let x = try c.requiredInput(0), scale = try c.requiredInput(1)
        let training = (c.node.attributes.int("training_mode") ?? 0) != 0
        var attributes: Attributes = ["epsilon": .float(c.node.attributes.float("epsilon") ?? 1e-5)]
        if training { attributes["training_mode"] = .int(1) }
        let stats: [ValueID?] = training ? [] : [try c.requiredInput(3), try c.requiredInput(4)]
        let outs = try c.emit(.batchNormalizationGrad, "dX", [dy, x, scale] + stats, attributes, outputs: 3)
        return [c.needs(0) ? outs[0] : nil, c.needs(1) ? outs[1] : nil, c.needs(2) ? outs[2] : nil, nil, nil]
    }
}

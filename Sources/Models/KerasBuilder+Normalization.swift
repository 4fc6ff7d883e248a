import GraphIR

/// Keras's BatchNormalization, Rescaling and Normalization layers.
extension KerasBuilder {
    /// Keras `BatchNormalization` over the channel axis (inference form). Parameters
    /// `<name>/gamma` (ones), `/beta` (zeros), `/moving_mean` (zeros) and
    /// `/moving_variance` (ones); the moving statistics are not trainable, as in Keras.
    /// Keras's default epsilon is 1e-3; ResNet uses 1.001e-5.
    @discardableResult
    public mutating func batchNormalization(_ x: ValueID, epsilon: Float = 1e-3, momentum: Float = 0.99,
                                            name: String) throws -> ValueID {
        let c = try channels(of: x, layer: name)
        let gamma = builder.parameter("\(name)/gamma", shape: [c], initializer: .ones)
        let beta = builder.parameter("\(name)/beta", shape: [c], initializer: .zeros)
        let mean = builder.parameter("\(name)/moving_mean", shape: [c], initializer: .zeros, trainable: false)
        let variance = builder.parameter("\(name)/moving_variance", shape: [c], initializer: .ones, trainable: false)
        return try node(.batchNormalization, name, [x, gamma, beta, mean, variance],
                        ["epsilon": .float(epsilon), "momentum": .float(momentum)])
    }

    /// Keras `Rescaling(scale, offset)`: x * scale + offset, with scalar constants
    /// `<name>/scale` and `<name>/offset`. A zero offset adds no node.
    @discardableResult
    public mutating func rescaling(_ x: ValueID, scale: Float, offset: Float = 0,
                                   name: String = "rescaling") throws -> ValueID {
        let s = builder.constant("\(name)/scale", .scalar(scale))
        if offset == 0 { return try node(.mul, name, [x, s]) }
        let scaled = try node(.mul, "\(name)/scaled", [x, s])
        let o = builder.constant("\(name)/offset", .scalar(offset))
        return try node(.add, name, [scaled, o])
    }

    /// Keras `Normalization(axis=channels)`: (x - mean) / max(sqrt(variance), 1e-7).
    ///
    /// Its weights are Keras's: non-trainable `<name>/mean` `[C]` (zeros),
    /// `<name>/variance` `[C]` (ones) and `<name>/count` `[]` (zeros; int64 in Keras,
    /// stored as f32 here because nothing reads it at inference), so Keras's count of
    /// 2C + 1 parameters holds. The per-channel statistics are reshaped to
    /// `[1, C, 1, 1]` to broadcast over NCHW; nodes: `<name>/mean_nchw`,
    /// `<name>/variance_nchw`, `<name>/std`, `<name>/std_clipped`, `<name>/centered`,
    /// and the final Div `<name>`.
    @discardableResult
    public mutating func normalization(_ x: ValueID, name: String = "normalization") throws -> ValueID {
        let c = try channels(of: x, layer: name)
        let mean = builder.parameter("\(name)/mean", shape: [c], initializer: .zeros, trainable: false)
        let variance = builder.parameter("\(name)/variance", shape: [c], initializer: .ones, trainable: false)
        _ = builder.parameter("\(name)/count", shape: [], initializer: .zeros, trainable: false)
        let nchw = builder.constant("\(name)/shape", .int64Vector([1, c, 1, 1]))
        let epsilon = builder.constant("\(name)/epsilon", .scalar(1e-7))
        let meanNCHW = try node(.reshape, "\(name)/mean_nchw", [mean, nchw])
        let varianceNCHW = try node(.reshape, "\(name)/variance_nchw", [variance, nchw])
        let std = try node(.sqrt, "\(name)/std", [varianceNCHW])
        let clipped = try node(.clip, "\(name)/std_clipped", [std, epsilon])
        let centered = try node(.sub, "\(name)/centered", [x, meanNCHW])
        return try node(.div, name, [centered, clipped])
    }
}

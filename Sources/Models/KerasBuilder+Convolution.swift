import GraphIR

/// Keras's Conv2D, DepthwiseConv2D and Dense layers.
extension KerasBuilder {
    /// Keras `Conv2D`. Parameters `<name>/kernel` `[filters, C, k, k]` and, with
    /// `useBias`, `<name>/bias` `[filters]` (zeros). With an activation, the Conv node
    /// is `<name>/conv` and the activation node carries the layer name.
    @discardableResult
    public mutating func conv2D(_ x: ValueID, filters: Int, kernel: Int, strides: Int = 1,
                                padding: KerasPadding = .valid, useBias: Bool = true,
                                activation: KerasActivation = .linear,
                                kernelInitializer: Initializer = .glorotUniform,
                                name: String) throws -> ValueID {
        guard filters > 0, kernel > 0, strides > 0 else {
            throw ModelError(layer: name, message: "filters \(filters), kernel \(kernel) and strides \(strides) must be positive")
        }
        let c = try channels(of: x, layer: name)
        let pads = try onnxPads(padding, input: x, kernel: kernel, stride: strides, layer: name)
        let w = builder.parameter("\(name)/kernel", shape: [filters, c, kernel, kernel],
                                  initializer: kernelInitializer)
        let b = useBias ? builder.parameter("\(name)/bias", shape: [filters], initializer: .zeros) : nil
        let convName = activation == .linear ? name : "\(name)/conv"
        let y = try node(.conv, convName, [x, w] + (b.map { [$0] } ?? []), [
            "kernel_shape": .ints([kernel, kernel]), "strides": .ints([strides, strides]),
            "pads": .ints(pads), "dilations": .ints([1, 1]), "group": .int(1)])
        return try applyActivation(activation, y, name: name)
    }

    /// Keras `DepthwiseConv2D` with depth multiplier 1: ONNX Conv with `group = C` and
    /// kernel `<name>/depthwise_kernel` `[C, 1, k, k]` (Keras's tf.keras weight name).
    /// Keras stores the kernel as `(k, k, C, 1)`, so its fans are `k*k*C` in and `k*k`
    /// out, the reverse of what our OIHW layout would suggest; they are passed explicitly.
    @discardableResult
    public mutating func depthwiseConv2D(_ x: ValueID, kernel: Int, strides: Int = 1,
                                         padding: KerasPadding = .valid, useBias: Bool = true,
                                         activation: KerasActivation = .linear,
                                         depthwiseInitializer: Initializer = .glorotUniform,
                                         name: String) throws -> ValueID {
        guard kernel > 0, strides > 0 else {
            throw ModelError(layer: name, message: "kernel \(kernel) and strides \(strides) must be positive")
        }
        let c = try channels(of: x, layer: name)
        let pads = try onnxPads(padding, input: x, kernel: kernel, stride: strides, layer: name)
        let rf = kernel * kernel
        let w = builder.parameter("\(name)/depthwise_kernel", shape: [c, 1, kernel, kernel],
                                  initializer: depthwiseInitializer, fans: (fanIn: rf * c, fanOut: rf))
        let b = useBias ? builder.parameter("\(name)/bias", shape: [c], initializer: .zeros) : nil
        let convName = activation == .linear ? name : "\(name)/conv"
        let y = try node(.conv, convName, [x, w] + (b.map { [$0] } ?? []), [
            "kernel_shape": .ints([kernel, kernel]), "strides": .ints([strides, strides]),
            "pads": .ints(pads), "dilations": .ints([1, 1]), "group": .int(c)])
        return try applyActivation(activation, y, name: name)
    }

    /// Keras `Dense` on an `[N, features]` input: Gemm (transB = 0) with kernel
    /// `<name>/kernel` `[in, units]` and bias `<name>/bias` `[units]`. With an activation
    /// the Gemm node is `<name>/logits` (softmax, sigmoid) or `<name>/linear` (others),
    /// so the pre-activation value stays addressable.
    @discardableResult
    public mutating func dense(_ x: ValueID, units: Int, activation: KerasActivation = .linear,
                               useBias: Bool = true, kernelInitializer: Initializer = .glorotUniform,
                               name: String) throws -> ValueID {
        let s = shape(of: x)
        guard s.rank == 2, let features = s[1].value else {
            throw ModelError(layer: name, message: "Dense expects an [N, features] input with static features, found \(s)")
        }
        guard units > 0 else { throw ModelError(layer: name, message: "units \(units) must be positive") }
        let w = builder.parameter("\(name)/kernel", shape: [features, units], initializer: kernelInitializer)
        let b = useBias ? builder.parameter("\(name)/bias", shape: [units], initializer: .zeros) : nil
        let inner: String
        switch activation {
        case .linear: inner = name
        case .softmax, .sigmoid: inner = "\(name)/logits"
        default: inner = "\(name)/linear"
        }
        let y = try node(.gemm, inner, [x, w] + (b.map { [$0] } ?? []),
                         ["alpha": .float(1), "beta": .float(1), "transA": .int(0), "transB": .int(0)])
        return try applyActivation(activation, y, name: name)
    }
}

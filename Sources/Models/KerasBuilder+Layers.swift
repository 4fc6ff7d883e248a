import GraphIR

/// Keras's activation, padding, pooling, merge and reshaping layers.
extension KerasBuilder {
    /// Keras `Activation(...)` (and `ReLU(6.)` for `.relu6`) as one node named `name`.
    @discardableResult
    public mutating func activation(_ x: ValueID, _ act: KerasActivation, name: String) throws -> ValueID {
        guard act != .linear else {
            throw ModelError(layer: name, message: "a linear Activation layer would add no node; omit it")
        }
        return try applyActivation(act, x, name: name)
    }

    /// Keras `ZeroPadding2D(((top, bottom), (left, right)))`: ONNX Pad (constant zero)
    /// with an i64 `pads` operand `<name>/pads` over all four NCHW axes.
    @discardableResult
    public mutating func zeroPadding2D(_ x: ValueID, padding: (height: (Int, Int), width: (Int, Int)),
                                       name: String) throws -> ValueID {
        let (top, bottom) = padding.height, (left, right) = padding.width
        guard [top, bottom, left, right].allSatisfy({ $0 >= 0 }) else {
            throw ModelError(layer: name, message: "padding must be non-negative, found \(padding)")
        }
        let pads = builder.constant("\(name)/pads", .int64Vector([0, 0, top, left, 0, 0, bottom, right]))
        return try node(.pad, name, [x, pads], ["mode": .string("constant")])
    }

    /// Keras `ZeroPadding2D(p)`: the same padding on every side.
    @discardableResult
    public mutating func zeroPadding2D(_ x: ValueID, padding p: Int, name: String) throws -> ValueID {
        try zeroPadding2D(x, padding: ((p, p), (p, p)), name: name)
    }

    /// Keras `MaxPooling2D(pool_size, strides)`; strides default to the pool size.
    @discardableResult
    public mutating func maxPooling2D(_ x: ValueID, poolSize: Int, strides: Int? = nil,
                                      padding: KerasPadding = .valid, name: String) throws -> ValueID {
        try pool(.maxPool, x, poolSize: poolSize, strides: strides, padding: padding, name: name)
    }

    /// Keras `AveragePooling2D`; with "same" padding the padded cells are excluded from
    /// the average (ONNX `count_include_pad = 0`), as in TensorFlow.
    @discardableResult
    public mutating func averagePooling2D(_ x: ValueID, poolSize: Int, strides: Int? = nil,
                                          padding: KerasPadding = .valid, name: String) throws -> ValueID {
        try pool(.averagePool, x, poolSize: poolSize, strides: strides, padding: padding, name: name)
    }

    private mutating func pool(_ op: OpKind, _ x: ValueID, poolSize: Int, strides: Int?,
                               padding: KerasPadding, name: String) throws -> ValueID {
        let s = strides ?? poolSize
        guard poolSize > 0, s > 0 else {
            throw ModelError(layer: name, message: "pool size \(poolSize) and strides \(s) must be positive")
        }
        let pads = try onnxPads(padding, input: x, kernel: poolSize, stride: s, layer: name)
        var attributes: Attributes = ["kernel_shape": .ints([poolSize, poolSize]),
                                      "strides": .ints([s, s]), "pads": .ints(pads)]
        if op == .averagePool { attributes["count_include_pad"] = .int(0) }
        return try node(op, name, [x], attributes)
    }

    /// Keras `GlobalAveragePooling2D`, whose output is `[N, C]`: ONNX GlobalAveragePool
    /// (`<name>/pool`, `[N, C, 1, 1]`) then Flatten (axis 1), which carries the layer
    /// name, so the value named like the Keras layer has Keras's shape.
    @discardableResult
    public mutating func globalAveragePooling2D(_ x: ValueID, name: String) throws -> ValueID {
        let pooled = try node(.globalAveragePool, "\(name)/pool", [x])
        return try node(.flatten, name, [pooled], ["axis": .int(1)])
    }

    /// Keras `Add` of exactly two tensors (ONNX Add is binary), in Keras's operand order.
    @discardableResult
    public mutating func add(_ a: ValueID, _ b: ValueID, name: String) throws -> ValueID {
        try node(.add, name, [a, b])
    }

    /// Keras `Multiply` of two tensors with numpy broadcasting.
    @discardableResult
    public mutating func multiply(_ a: ValueID, _ b: ValueID, name: String) throws -> ValueID {
        try node(.mul, name, [a, b])
    }

    /// Keras `Reshape(target)`. `target` excludes the batch axis and is given in NCHW
    /// order (Keras's `(1, 1, C)` in NHWC is `[C, 1, 1]` here); the batch axis is copied
    /// (ONNX shape entry 0). The operand is `<name>/shape`.
    @discardableResult
    public mutating func reshape(_ x: ValueID, to target: [Int], name: String) throws -> ValueID {
        guard target.allSatisfy({ $0 > 0 || $0 == -1 }) else {
            throw ModelError(layer: name, message: "target \(target) may hold positive sizes and one -1 only")
        }
        let shape = builder.constant("\(name)/shape", .int64Vector([0] + target))
        return try node(.reshape, name, [x, shape])
    }

    /// Keras `Dropout(rate)`: identity at inference. Kept as an ONNX Dropout node (ratio
    /// operand `<name>/ratio`, no training_mode) so the layer keeps its name and place.
    /// Keras's per-sample `noise_shape` (EfficientNet's drop-connect) is not recorded.
    @discardableResult
    public mutating func dropout(_ x: ValueID, rate: Float, name: String) throws -> ValueID {
        guard rate >= 0, rate < 1 else { throw ModelError(layer: name, message: "rate \(rate) must be in [0, 1)") }
        let ratio = builder.constant("\(name)/ratio", .scalar(rate))
        return try node(.dropout, name, [x, ratio])
    }
}

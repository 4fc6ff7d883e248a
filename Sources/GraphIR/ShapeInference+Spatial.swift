/// Shape rules of the convolution and pooling family (N-d, ONNX semantics).
extension OpKind {
    /// Resolved window geometry of a conv or pool node along its spatial axes.
    struct Window {
        var kernel: [Int]
        var strides: [Int]
        var dilations: [Int]
        var padsBegin: [Int]
        var padsEnd: [Int]
        var autoPad: String
    }

    func window(_ a: Attributes, spatial: [Dim], kernel: [Int]) throws -> Window {
        let n = spatial.count
        guard kernel.count == n else {
            throw ShapeError("kernel_shape has \(kernel.count) dims but the input has \(n) spatial dims")
        }
        let strides = a.ints("strides") ?? Array(repeating: 1, count: n)
        let dilations = a.ints("dilations") ?? Array(repeating: 1, count: n)
        let pads = a.ints("pads") ?? Array(repeating: 0, count: 2 * n)
        guard strides.count == n else { throw ShapeError("strides has \(strides.count) values, expected \(n)") }
        guard dilations.count == n else { throw ShapeError("dilations has \(dilations.count) values, expected \(n)") }
        guard pads.count == 2 * n else { throw ShapeError("pads has \(pads.count) values, expected \(2 * n)") }
        guard strides.allSatisfy({ $0 > 0 }), dilations.allSatisfy({ $0 > 0 }), kernel.allSatisfy({ $0 > 0 }) else {
            throw ShapeError("kernel_shape, strides and dilations must be positive")
        }
        guard pads.allSatisfy({ $0 >= 0 }) else { throw ShapeError("pads must be non-negative, found \(pads)") }
        try requireSane(kernel + strides + dilations + pads, "window attributes")
        let autoPad = a.string("auto_pad") ?? "NOTSET"
        guard ["NOTSET", "SAME_UPPER", "SAME_LOWER", "VALID"].contains(autoPad) else {
            throw ShapeError("unknown auto_pad '\(autoPad)'")
        }
        var w = Window(kernel: kernel, strides: strides, dilations: dilations,
                       padsBegin: Array(pads[0..<n]), padsEnd: Array(pads[n...]), autoPad: autoPad)
        if autoPad == "VALID" {
            w.padsBegin = Array(repeating: 0, count: n)
            w.padsEnd = w.padsBegin
        } else if autoPad.hasPrefix("SAME") {
            // Total padding so that out = ceil(in / stride); the odd pixel goes to the end
            // for SAME_UPPER (TensorFlow/Keras "same") and to the beginning for SAME_LOWER.
            for i in 0..<n {
                guard let len = spatial[i].value else { continue }
                let out = (len + strides[i] - 1) / strides[i]
                let total = max(0, (out - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1 - len)
                let small = total / 2
                w.padsBegin[i] = autoPad == "SAME_UPPER" ? small : total - small
                w.padsEnd[i] = total - w.padsBegin[i]
            }
        }
        return w
    }

    /// Output length along one axis; `ceil` drops a last window that would start in the
    /// end padding (ONNX pooling rule).
    static func windowOutput(_ len: Int, _ k: Int, _ s: Int, _ d: Int, _ pb: Int, _ pe: Int, ceil: Bool) throws -> Int {
        let span = len + pb + pe - d * (k - 1) - 1
        guard span >= 0 else {
            throw ShapeError("window \(k) (dilation \(d)) is larger than the padded input \(len + pb + pe)")
        }
        var out = (ceil ? (span + s - 1) / s : span / s) + 1
        if ceil, (out - 1) * s >= len + pb { out -= 1 }
        return out
    }

    func inferConv(_ ctx: InferenceContext) throws -> TensorType {
        let x = try ctx.input(0), w = try ctx.input(1)
        guard x.shape.rank >= 3 else { throw ShapeError("input must have rank >= 3 (N, C, spatial...), found \(x.shape)") }
        guard w.shape.rank == x.shape.rank else {
            throw ShapeError("weight has rank \(w.shape.rank) but the input has rank \(x.shape.rank)")
        }
        guard x.dtype == w.dtype else { throw ShapeError("input is \(x.dtype.rawValue) but the weight is \(w.dtype.rawValue)") }
        let group = ctx.attributes.int("group") ?? 1
        guard group >= 1 else { throw ShapeError("group must be >= 1, found \(group)") }
        guard let wDims = w.shape.staticDims else { throw ShapeError("weight shape \(w.shape) must be static") }
        if let c = x.shape[1].value, c != wDims[1] * group {
            throw ShapeError("input has \(c) channels but the weight expects \(wDims[1] * group)"
                             + (group > 1 ? " (\(wDims[1]) per group x \(group) groups)" : ""))
        }
        guard wDims[0] % group == 0 else {
            throw ShapeError("weight has \(wDims[0]) output channels, not divisible by group \(group)")
        }
        let kernel = ctx.attributes.ints("kernel_shape") ?? Array(wDims[2...])
        guard kernel == Array(wDims[2...]) else {
            throw ShapeError("kernel_shape \(kernel) does not match the weight's spatial dims \(Array(wDims[2...]))")
        }
        if ctx.inputs.count > 2, let b = ctx.inputs[2] {
            guard b.shape == Shape([wDims[0]]) else {
                throw ShapeError("bias has shape \(b.shape) but the weight has \(wDims[0]) output channels")
            }
        }
        let spatial = Array(x.shape.dims[2...])
        let win = try window(ctx.attributes, spatial: spatial, kernel: kernel)
        var out: [Dim] = [x.shape[0], .known(wDims[0])]
        for i in 0..<spatial.count {
            guard let len = spatial[i].value else { out.append(.symbolic("?")); continue }
            out.append(.known(try Self.windowOutput(len, kernel[i], win.strides[i], win.dilations[i],
                                                    win.padsBegin[i], win.padsEnd[i], ceil: false)))
        }
        return TensorType(x.dtype, Shape(out))
    }

    func inferPool(_ ctx: InferenceContext) throws -> TensorType {
        let x = try ctx.input(0)
        guard x.shape.rank >= 3 else { throw ShapeError("input must have rank >= 3 (N, C, spatial...), found \(x.shape)") }
        guard let kernel = ctx.attributes.ints("kernel_shape") else { throw ShapeError("missing attribute 'kernel_shape'") }
        let spatial = Array(x.shape.dims[2...])
        let win = try window(ctx.attributes, spatial: spatial, kernel: kernel)
        let ceil = (ctx.attributes.int("ceil_mode") ?? 0) != 0
        var out: [Dim] = [x.shape[0], x.shape[1]]
        for i in 0..<spatial.count {
            guard let len = spatial[i].value else { out.append(.symbolic("?")); continue }
            if win.autoPad.hasPrefix("SAME") {
                out.append(.known((len + win.strides[i] - 1) / win.strides[i]))
            } else {
                out.append(.known(try Self.windowOutput(len, kernel[i], win.strides[i], win.dilations[i],
                                                        win.padsBegin[i], win.padsEnd[i], ceil: ceil)))
            }
        }
        return TensorType(x.dtype, Shape(out))
    }

    /// Resolved pads of a conv or pool node whose input shape is static: (begin, end) per
    /// spatial axis, with auto_pad applied. Kernels use this, so they never re-derive it.
    public func resolvedPads(attributes: Attributes, inputShape: [Int], kernel: [Int]) throws -> (begin: [Int], end: [Int]) {
        let w = try window(attributes, spatial: inputShape.dropFirst(2).map { .known($0) }, kernel: kernel)
        return (w.padsBegin, w.padsEnd)
    }
}

/// Shape rules of the backward ops that Autodiff emits (not ONNX ops).
///
/// Each op mirrors a forward op and reuses its attributes, so the window geometry a
/// backward kernel needs is resolved exactly as the forward kernel resolved it:
/// - `ConvGradInput(dY, W)` -> dX `[N, C, input_spatial_shape...]`, `C = W[1] * group`;
/// - `ConvGradWeight(dY, X)` -> dW `[M, C / group, kernel_shape...]`, `M = dY[1]`;
/// - `MaxPoolGrad(dY, X)` -> dX like X (ties: the first maximum in row-major window order);
/// - `AveragePoolGrad(dY)` -> dX `[N, C, input_spatial_shape...]`;
/// - `BatchNormalizationGrad(dY, X, scale, mean?, var?)` -> (dX like X, dScale, dBias like
///   scale); with `training_mode = 1` the batch statistics of X are used (the population
///   variance, as in BatchNormalization's training mode) and mean/var may be omitted;
/// - `ActivationGrad(dY, X)` -> dX like X; `activation` is "Relu", "LeakyRelu" (params
///   [alpha]), "Clip" (params [min, max]), "Sigmoid", "HardSigmoid" (params [alpha, beta]),
///   "Swish" (params [alpha]) or "HardSwish". At a kink the derivative of the right piece
///   is taken (Relu: 0 at x = 0; Clip: 1 inside the closed interval);
/// - `SoftmaxCrossEntropyLossGrad(dLoss, scores, labels, weights?)` and
///   `NegativeLogLikelihoodLossGrad(dLoss, logProb, labels, weights?)` -> like input 1,
///   with the forward op's `reduction` and `ignore_index`; dLoss has the loss's shape;
/// - `BroadcastLike(X, like)` -> X broadcast to like's shape (like's dtype must match).
extension OpKind {
    func inferGradientOutputTypes(_ ctx: InferenceContext) throws -> [TensorType] {
        let a = ctx.attributes
        switch self {
        case .convGradInput:
            let dy = try ctx.input(0), w = try ctx.input(1)
            guard let wDims = w.shape.staticDims, wDims.count == dy.shape.rank, wDims.count >= 3 else {
                throw ShapeError("weight \(w.shape) must be static with the rank of dY \(dy.shape)")
            }
            let group = a.int("group") ?? 1
            guard group >= 1 else { throw ShapeError("group must be >= 1, found \(group)") }
            let spatial = try spatialAttribute(a, count: wDims.count - 2)
            let x = TensorType(dy.dtype, Shape([dy.shape[0], .known(wDims[1] * group)] + spatial.map { Dim.known($0) }))
            try checkForward(.conv, x: x, extra: [w], attributes: a, produces: dy)
            return [x]
        case .convGradWeight:
            let dy = try ctx.input(0), x = try ctx.input(1)
            guard let kernel = a.ints("kernel_shape") else { throw ShapeError("missing attribute 'kernel_shape'") }
            guard let m = dy.shape.rank >= 3 ? dy.shape[1].value : nil, let c = x.shape.rank >= 3 ? x.shape[1].value : nil else {
                throw ShapeError("dY \(dy.shape) and X \(x.shape) need static channel axes")
            }
            let group = a.int("group") ?? 1
            guard group >= 1, c % group == 0 else { throw ShapeError("group \(group) does not divide \(c) input channels") }
            let w = TensorType(dy.dtype, Shape([m, c / group] + kernel))
            try checkForward(.conv, x: x, extra: [w], attributes: a, produces: dy)
            return [w]
        case .maxPoolGrad:
            let dy = try ctx.input(0), x = try ctx.input(1)
            try checkForward(.maxPool, x: x, extra: [], attributes: a, produces: dy)
            return [x]
        case .averagePoolGrad:
            let dy = try ctx.input(0)
            guard dy.shape.rank >= 3 else { throw ShapeError("dY must have rank >= 3, found \(dy.shape)") }
            let spatial = try spatialAttribute(a, count: dy.shape.rank - 2)
            let x = TensorType(dy.dtype, Shape(Array(dy.shape.dims[0..<2]) + spatial.map { Dim.known($0) }))
            try checkForward(.averagePool, x: x, extra: [], attributes: a, produces: dy)
            return [x]
        case .batchNormalizationGrad:
            let dy = try ctx.input(0), x = try ctx.input(1), scale = try ctx.input(2)
            guard dy == x else { throw ShapeError("dY is \(dy) but X is \(x)") }
            let training = (a.int("training_mode") ?? 0) != 0
            let stats = training ? [] : [try ctx.input(3), try ctx.input(4)]
            _ = try OpKind.batchNormalization.inferOutputTypes(
                InferenceContext(inputs: [x, scale, scale] + (stats.isEmpty ? [scale, scale] : stats)))
            return [x, scale, scale]
        case .activationGrad:
            let dy = try ctx.input(0), x = try ctx.input(1)
            guard dy == x else { throw ShapeError("dY is \(dy) but X is \(x)") }
            let act = a.string("activation") ?? ""
            let arity = ["Relu": 0, "LeakyRelu": 1, "Clip": 2, "Sigmoid": 0, "HardSigmoid": 2, "Swish": 1, "HardSwish": 0]
            guard let n = arity[act] else { throw ShapeError("unknown activation '\(act)'") }
            let params = a.floats("activation_params") ?? []
            guard params.count == n || (params.isEmpty && act != "Clip") else {
                throw ShapeError("\(act) takes \(n) activation_params, found \(params.count)")
            }
            return [x]
        case .softmaxCrossEntropyLossGrad, .negativeLogLikelihoodLossGrad:
            let dLoss = try ctx.input(0), scores = try ctx.input(1)
            let forward: OpKind = self == .softmaxCrossEntropyLossGrad ? .softmaxCrossEntropyLoss : .negativeLogLikelihoodLoss
            let loss = try forward.inferOutputTypes(InferenceContext(
                inputs: Array(ctx.inputs.dropFirst()), attributes: a))[0]
            guard dLoss == loss else { throw ShapeError("dLoss is \(dLoss) but the loss is \(loss)") }
            return [scores]
        case .broadcastLike:
            let x = try ctx.input(0), like = try ctx.input(1)
            guard x.dtype == like.dtype else { throw ShapeError("X is \(x.dtype.rawValue) but like is \(like.dtype.rawValue)") }
            guard try broadcastShapes(x.shape, like.shape) == like.shape else {
                throw ShapeError("X \(x.shape) does not broadcast to \(like.shape)")
            }
            return [like]
        default:
            throw ShapeError("\(rawValue) is not a backward op")
        }
    }

    private func spatialAttribute(_ a: Attributes, count: Int) throws -> [Int] {
        guard let s = a.ints("input_spatial_shape") else { throw ShapeError("missing attribute 'input_spatial_shape'") }
        guard s.count == count, s.allSatisfy({ $0 > 0 }) else {
            throw ShapeError("input_spatial_shape \(s) must hold \(count) positive sizes")
        }
        try requireSane(s, "input_spatial_shape")
        return s
    }

    /// Checks that the forward op applied to `x` yields the shape of `dy`, so a
    /// backward node cannot silently disagree with the node it differentiates.
    private func checkForward(_ forward: OpKind, x: TensorType, extra: [TensorType], attributes: Attributes,
                              produces dy: TensorType) throws {
        var forwardAttributes = attributes
        forwardAttributes["input_spatial_shape"] = nil
        let y = try forward.inferOutputTypes(InferenceContext(inputs: [x] + extra, attributes: forwardAttributes))[0]
        let matches = y.shape.rank == dy.shape.rank && zip(y.shape.dims, dy.shape.dims).allSatisfy {
            $0 == $1 || $0.value == nil || $1.value == nil
        }
        guard matches, y.dtype == dy.dtype else {
            throw ShapeError("\(forward.rawValue) of \(x) gives \(y), but dY is \(dy)")
        }
    }
}

/// A shape or type rule was violated. The message says what is wrong; callers that know
/// the node (the verifier, the builder) prefix it with the node's name.
public struct ShapeError: Error, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Everything shape inference may look at for one node.
public struct InferenceContext {
    public var inputs: [TensorType?]
    /// Contents of inputs that are known constants (parameters with data, constants, or
    /// values computed at specialization time), by position; nil when unknown.
    public var constants: [Tensor?]
    public var attributes: Attributes

    public init(inputs: [TensorType?], constants: [Tensor?] = [], attributes: Attributes = [:]) {
        self.inputs = inputs
        self.constants = constants + Array(repeating: nil, count: max(0, inputs.count - constants.count))
        self.attributes = attributes
    }

    /// The type of a required input.
    public func input(_ i: Int) throws -> TensorType {
        guard i < inputs.count, let t = inputs[i] else { throw ShapeError("missing required input \(i)") }
        return t
    }

    /// The integer contents of a constant operand input, or nil when the input is absent.
    /// Throws when it is present but not a known constant.
    public func intOperand(_ i: Int, _ what: String) throws -> [Int]? {
        guard i < inputs.count, inputs[i] != nil else { return nil }
        guard let t = constants[i] else {
            throw ShapeError("\(what) (input \(i)) must be a constant or a bound input to infer the output shape")
        }
        guard let v = t.intValues else { throw ShapeError("\(what) (input \(i)) must be an integer tensor, found \(t.dtype.rawValue)") }
        return v
    }
}

/// Normalizes a possibly negative axis against a rank, ONNX-style.
public func normalizeAxis(_ axis: Int, rank: Int, _ what: String = "axis") throws -> Int {
    let a = axis < 0 ? axis + rank : axis
    guard a >= 0, a < rank else { throw ShapeError("\(what) \(axis) is out of range for rank \(rank)") }
    return a
}

/// Largest magnitude accepted for a size-like attribute or operand (pads, strides,
/// kernel sizes, reshape targets). Far above any real tensor, and small enough that
/// shape arithmetic on it cannot overflow: corrupt files get an error, not a trap.
public let maxSaneExtent = 1 << 40

func requireSane(_ values: [Int], _ what: String) throws {
    if let bad = values.first(where: { $0 > maxSaneExtent || $0 < -maxSaneExtent }) {
        throw ShapeError("\(what) value \(bad) is out of range (magnitude above 2^40)")
    }
}

/// Numpy-style broadcast of two shapes.
public func broadcastShapes(_ a: Shape, _ b: Shape) throws -> Shape {
    let r = max(a.rank, b.rank)
    var out: [Dim] = []
    for i in 0..<r {
        let da: Dim = i < r - a.rank ? 1 : a.dims[i - (r - a.rank)]
        let db: Dim = i < r - b.rank ? 1 : b.dims[i - (r - b.rank)]
        if da == db { out.append(da) }
        else if da == 1 { out.append(db) }
        else if db == 1 { out.append(da) }
        else if da.value == nil || db.value == nil { out.append(da.value == nil ? db : da) }
        else { throw ShapeError("shapes \(a) and \(b) cannot be broadcast (axis \(i): \(da) vs \(db))") }
    }
    return Shape(out)
}

/// Arithmetic on dims that stays symbolic when any operand is symbolic.
func mapDim(_ d: Dim, _ f: (Int) -> Int) -> Dim {
    if let v = d.value { return .known(f(v)) }
    return d
}

func product(_ dims: ArraySlice<Dim>) -> Dim {
    var p = 1
    for d in dims {
        guard let v = d.value else { return dims.count == 1 ? d : .symbolic("?") }
        let (q, overflow) = p.multipliedReportingOverflow(by: v)
        if overflow { return .symbolic("?") }
        p = q
    }
    return .known(p)
}

extension OpKind {
    /// Infers the output types of a node of this op. Errors say what is wrong without
    /// naming the node; callers add the node name.
    public func inferOutputTypes(_ ctx: InferenceContext) throws -> [TensorType] {
        let a = ctx.attributes
        switch self {
        case .conv:
            return [try inferConv(ctx)]
        case .fusedConv:
            let y = try inferConv(ctx)
            if ctx.inputs.count > 3, let z = ctx.inputs[3], z != y {
                throw ShapeError("residual input Z is \(z) but the convolution produces \(y)")
            }
            let act = a.string("activation") ?? ""
            guard ["", "Relu", "Clip", "Sigmoid", "Swish", "LeakyRelu", "HardSigmoid"].contains(act) else {
                throw ShapeError("unknown fused activation '\(act)'")
            }
            return [y]
        case .batchNormalization:
            let x = try ctx.input(0)
            guard x.shape.rank >= 2 else { throw ShapeError("input must have rank >= 2, found \(x.shape)") }
            let c = x.shape[1]
            for (i, what) in [(1, "scale"), (2, "bias"), (3, "mean"), (4, "var")] {
                let t = try ctx.input(i)
                guard t.shape.rank == 1, t.shape[0] == c || t.shape[0].value == nil || c.value == nil else {
                    throw ShapeError("input has \(c) channels but \(what) has shape \(t.shape)")
                }
            }
            let stat = TensorType(x.dtype, Shape([c]))
            return [x, stat, stat]
        case .relu, .leakyRelu, .sigmoid, .hardSigmoid, .hardSwish, .swish, .tanh, .exp, .log, .neg,
             .sqrt, .reciprocal, .identity, .softmax, .logSoftmax:
            let x = try ctx.input(0)
            if self == .softmax || self == .logSoftmax {
                _ = try normalizeAxis(a.int("axis") ?? -1, rank: x.shape.rank)
            }
            return [x]
        case .clip:
            return [try ctx.input(0)]
        case .dropout:
            let x = try ctx.input(0)
            return [x, TensorType(.bool, x.shape)]
        case .add, .sub, .mul, .div:
            let x = try ctx.input(0), y = try ctx.input(1)
            guard x.dtype == y.dtype else {
                throw ShapeError("operand types differ: \(x.dtype.rawValue) and \(y.dtype.rawValue)")
            }
            return [TensorType(x.dtype, try broadcastShapes(x.shape, y.shape))]
        case .maxPool, .averagePool:
            let y = try inferPool(ctx)
            return [y, TensorType(.int64, y.shape)]
        case .globalAveragePool, .globalMaxPool:
            let x = try ctx.input(0)
            guard x.shape.rank >= 3 else { throw ShapeError("input must have rank >= 3, found \(x.shape)") }
            return [TensorType(x.dtype, Shape(Array(x.shape.dims[0..<2]) + Array(repeating: 1, count: x.shape.rank - 2)))]
        case .flatten:
            let x = try ctx.input(0)
            let r = x.shape.rank
            var axis = a.int("axis") ?? 1
            if axis < 0 { axis += r }
            guard axis >= 0, axis <= r else { throw ShapeError("axis \(a.int("axis") ?? 1) is out of range for rank \(r)") }
            return [TensorType(x.dtype, Shape([product(x.shape.dims[0..<axis]), product(x.shape.dims[axis...])]))]
        case .reshape:
            return [try inferReshape(ctx)]
        case .transpose:
            let x = try ctx.input(0)
            let perm = a.ints("perm") ?? Array((0..<x.shape.rank).reversed())
            guard perm.count == x.shape.rank, Set(perm) == Set(0..<x.shape.rank) else {
                throw ShapeError("perm \(perm) is not a permutation of 0..<\(x.shape.rank)")
            }
            return [TensorType(x.dtype, Shape(perm.map { x.shape[$0] }))]
        case .concat:
            return [try inferConcat(ctx)]
        case .squeeze, .unsqueeze:
            return [try inferSqueeze(ctx)]
        case .pad:
            return [try inferPad(ctx)]
        case .slice:
            return [try inferSlice(ctx)]
        case .gather:
            let x = try ctx.input(0), idx = try ctx.input(1)
            let axis = try normalizeAxis(a.int("axis") ?? 0, rank: x.shape.rank)
            guard idx.dtype == .int64 || idx.dtype == .int32 else {
                throw ShapeError("indices must be int64 or int32, found \(idx.dtype.rawValue)")
            }
            let dims = Array(x.shape.dims[..<axis]) + idx.shape.dims + Array(x.shape.dims[(axis + 1)...])
            return [TensorType(x.dtype, Shape(dims))]
        case .shape:
            let x = try ctx.input(0)
            let r = x.shape.rank
            func clampIndex(_ i: Int) -> Int { min(max(i < 0 ? i + r : i, 0), r) }
            let start = clampIndex(a.int("start") ?? 0), end = clampIndex(a.int("end") ?? r)
            return [TensorType(.int64, Shape([max(0, end - start)]))]
        case .cast:
            let x = try ctx.input(0)
            guard let to = a.string("to"), let dt = DType(rawValue: to) else {
                throw ShapeError("attribute 'to' must name a dtype (f32, i64, ...)")
            }
            return [TensorType(dt, x.shape)]
        case .constant:
            guard let t = a.tensor("value") else { throw ShapeError("missing attribute 'value'") }
            return [t.type]
        case .gemm:
            return [try inferGemm(ctx)]
        case .matMul:
            return [try inferMatMul(ctx)]
        case .reduceMean, .reduceSum:
            return [try inferReduce(ctx)]
        case .softmaxCrossEntropyLoss, .negativeLogLikelihoodLoss:
            let scores = try ctx.input(0), labels = try ctx.input(1)
            guard scores.shape.rank >= 2 else { throw ShapeError("scores must have rank >= 2, found \(scores.shape)") }
            guard labels.dtype == .int64 || labels.dtype == .int32 else {
                throw ShapeError("labels must be int64 or int32, found \(labels.dtype.rawValue)")
            }
            var expected = scores.shape.dims
            expected.remove(at: 1)
            guard labels.shape.rank == expected.count else {
                throw ShapeError("labels have shape \(labels.shape) but scores \(scores.shape) need rank \(expected.count)")
            }
            let reduction = a.string("reduction") ?? "mean"
            guard ["none", "sum", "mean"].contains(reduction) else { throw ShapeError("unknown reduction '\(reduction)'") }
            let loss = TensorType(scores.dtype, reduction == "none" ? Shape(expected) : Shape([Dim]()))
            return self == .softmaxCrossEntropyLoss ? [loss, scores] : [loss]
        case .convGradInput, .convGradWeight, .maxPoolGrad, .averagePoolGrad, .batchNormalizationGrad,
             .activationGrad, .softmaxCrossEntropyLossGrad, .negativeLogLikelihoodLossGrad, .broadcastLike:
            return try inferGradientOutputTypes(ctx)
        }
    }
}

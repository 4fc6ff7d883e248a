import GraphIR
import Kernels

/// What `makeKernel` knows about a node: its static operand types and the contents of
/// the operands that are constants.
struct NodeSignature {
    var node: Node
    var inputs: [TensorType?]
    var outputs: [TensorType]
    var constants: [Tensor?]

    func fail(_ message: String) -> RuntimeError { RuntimeError(.node, node.name, message) }

    func inputType(_ i: Int) throws -> TensorType {
        guard i < inputs.count, let t = inputs[i] else { throw fail("missing input \(i)") }
        return t
    }

    func dims(_ t: TensorType) throws -> [Int] {
        guard let d = t.shape.staticDims else { throw fail("shape \(t.shape) is not static") }
        return d
    }

    func inputDims(_ i: Int) throws -> [Int] { try dims(inputType(i)) }
    func outputDims(_ i: Int) throws -> [Int] { try dims(outputs[i]) }

    /// Integer contents of a constant operand, nil when the operand is omitted.
    func intOperand(_ i: Int, _ what: String) throws -> [Int]? {
        guard i < inputs.count, inputs[i] != nil else { return nil }
        guard i < constants.count, let t = constants[i] else {
            throw fail("\(what) (input \(i)) must be a constant; pass it in constantInputs")
        }
        guard let v = t.intValues else { throw fail("\(what) (input \(i)) must be an integer tensor, found \(t.dtype.rawValue)") }
        return v
    }

    /// A scalar float operand (Clip bounds, Pad value), nil when omitted.
    func floatOperand(_ i: Int, _ what: String) throws -> Float? {
        guard i < inputs.count, inputs[i] != nil else { return nil }
        guard i < constants.count, let t = constants[i] else {
            throw fail("\(what) (input \(i)) must be a constant; pass it in constantInputs")
        }
        guard t.elementCount == 1 else { throw fail("\(what) (input \(i)) must hold one element, found \(t.shape)") }
        return t.floatValues[0]
    }

    func axis(_ a: Int, rank: Int, _ what: String = "axis") throws -> Int {
        let n = a < 0 ? a + rank : a
        guard n >= 0, n < rank else { throw fail("\(what) \(a) is out of range for rank \(rank)") }
        return n
    }

    var attributes: Attributes { node.attributes }
}

/// Resolves a node into a kernel call: the per-op dispatch point of compilation.
func makeKernel(_ s: NodeSignature) throws -> StepKernel {
    let a = s.attributes
    switch s.node.op {
    case .add, .sub, .mul, .div:
        let op: BinaryOp = [.add: .add, .sub: .sub, .mul: .mul, .div: .div][s.node.op]!
        let l = try s.inputDims(0), r = try s.inputDims(1)
        guard let plan = BroadcastPlan(left: l, right: r) else { throw s.fail("shapes \(l) and \(r) do not broadcast") }
        switch try s.inputType(0).dtype {
        case .float32: return .binaryFloat(op, plan)
        case .int64: return .binaryInt64(op, plan, rightCount: r.reduce(1, *))
        case let t: throw s.fail("\(s.node.op.rawValue) supports f32 and i64, found \(t.rawValue)")
        }
    case .relu, .leakyRelu, .sigmoid, .hardSigmoid, .hardSwish, .swish, .tanh, .exp, .log, .neg, .sqrt, .reciprocal, .clip:
        let dtype = try s.inputType(0).dtype
        if s.node.op == .neg && dtype == .int64 { return .negInt64 }
        guard dtype == .float32 else { throw s.fail("\(s.node.op.rawValue) supports f32, found \(dtype.rawValue)") }
        return .unaryFloat(try unaryOp(s))
    case .identity, .reshape, .flatten, .squeeze, .unsqueeze:
        return .copy
    case .dropout:
        if let training = s.constants.count > 2 ? s.constants[2] : nil, training.floatValues.first ?? 0 != 0 {
            throw s.fail("Dropout in training mode is not supported by the runtime")
        }
        if s.inputs.count > 2, s.inputs[2] != nil, s.constants.count <= 2 || s.constants[2] == nil {
            throw s.fail("Dropout training_mode (input 2) must be a constant")
        }
        return .dropout
    case .cast:
        let from = try s.inputType(0).dtype, to = s.outputs[0].dtype
        switch (from, to) {
        case _ where from == to: return .copy
        case (.float32, .int64): return .castFloatToInt64
        case (.int64, .float32): return .castInt64ToFloat
        default: throw s.fail("Cast from \(from.rawValue) to \(to.rawValue) is not supported (f32 <-> i64 only)")
        }
    case .softmax, .logSoftmax:
        let d = try s.inputDims(0)
        let axis = try s.axis(a.int("axis") ?? -1, rank: d.count)
        return .softmax(SoftmaxShape(shape: d, axis: axis), log: s.node.op == .logSoftmax)
    case .transpose, .concat, .pad, .slice, .gather, .shape:
        return try makeShapeKernel(s)
    case .reduceMean, .reduceSum:
        let d = try s.inputDims(0)
        guard try s.inputType(0).dtype == .float32 else { throw s.fail("\(s.node.op.rawValue) supports f32 only") }
        let axes = try s.intOperand(1, "axes") ?? a.ints("axes") ?? []
        if axes.isEmpty && (a.int("noop_with_empty_axes") ?? 0) != 0 { return .copy }
        let normalized = axes.isEmpty ? Array(d.indices) : try axes.map { try s.axis($0, rank: d.count, "axes value") }
        return .reduce(ReducePlan(shape: d, axes: normalized), mean: s.node.op == .reduceMean)
    case .softmaxCrossEntropyLoss, .negativeLogLikelihoodLoss:
        let d = try s.inputDims(0)
        guard try s.inputType(0).dtype == .float32, try s.inputType(1).dtype == .int64 else {
            throw s.fail("\(s.node.op.rawValue) needs f32 scores and i64 labels")
        }
        let reduction = LossReduction(rawValue: a.string("reduction") ?? "mean")
        guard let reduction else { throw s.fail("unknown reduction '\(a.string("reduction") ?? "")'") }
        let p = LossParams(batch: d[0], classes: d[1], spatial: d[2...].reduce(1, *), reduction: reduction,
                           ignoreIndex: a.int("ignore_index").map(Int64.init))
        if s.inputs.count > 2, let w = s.inputs[2], w.shape.staticDims != [d[1]] {
            throw s.fail("weights have shape \(w.shape), expected [\(d[1])]")
        }
        return s.node.op == .softmaxCrossEntropyLoss ? .softmaxCrossEntropyLoss(p) : .negativeLogLikelihoodLoss(p)
    case .conv, .fusedConv, .maxPool, .averagePool, .globalAveragePool, .globalMaxPool, .batchNormalization, .gemm,
         .matMul:
        return try makeHeavyKernel(s)
    case .constant:
        throw s.fail("Constant nodes are folded at compile time")
    case .convGradInput, .convGradWeight, .maxPoolGrad, .averagePoolGrad, .batchNormalizationGrad,
         .activationGrad, .softmaxCrossEntropyLossGrad, .negativeLogLikelihoodLossGrad, .broadcastLike:
        return try makeGradientKernel(s)
    }
}

private func unaryOp(_ s: NodeSignature) throws -> UnaryOp {
    let a = s.attributes
    switch s.node.op {
    case .relu: return .relu
    case .leakyRelu: return .leakyRelu(alpha: a.float("alpha") ?? 0.01)
    case .sigmoid: return .sigmoid
    case .hardSigmoid: return .hardSigmoid(alpha: a.float("alpha") ?? 0.2, beta: a.float("beta") ?? 0.5)
    case .hardSwish: return .hardSwish
    case .swish: return .swish(alpha: a.float("alpha") ?? 1)
    case .tanh: return .tanh
    case .exp: return .exp
    case .log: return .log
    case .neg: return .neg
    case .sqrt: return .sqrt
    case .reciprocal: return .reciprocal
    case .clip:
        // Older opsets carry the bounds as attributes; the importer may keep them there.
        let lo = try s.floatOperand(1, "min") ?? a.float("min") ?? -.infinity
        let hi = try s.floatOperand(2, "max") ?? a.float("max") ?? .infinity
        return .clip(min: lo, max: hi)
    default: throw s.fail("\(s.node.op.rawValue) is not a unary op")
    }
}

/// Transpose, Concat, Pad, Slice, Gather (and Shape, which is normally folded).
private func makeShapeKernel(_ s: NodeSignature) throws -> StepKernel {
    let a = s.attributes
    let x = try s.inputType(0)
    let d = try s.dims(x)
    let size = x.dtype.byteSize
    switch s.node.op {
    case .transpose:
        let perm = a.ints("perm") ?? Array(d.indices.reversed())
        guard perm.sorted() == Array(d.indices) else { throw s.fail("perm \(perm) is not a permutation of 0..<\(d.count)") }
        return .stridedCopy(.transpose(shape: d, perm: perm), elementSize: size)
    case .concat:
        guard let rawAxis = a.int("axis") else { throw s.fail("missing attribute 'axis'") }
        let axis = try s.axis(rawAxis, rank: d.count)
        var lengths: [Int] = []
        for i in s.inputs.indices { lengths.append(try s.inputDims(i)[axis]) }
        return .concat(axisLengths: lengths, outer: d[..<axis].reduce(1, *), inner: d[(axis + 1)...].reduce(1, *),
                       elementSize: size)
    case .pad:
        guard let pads = try s.intOperand(1, "pads") else { throw s.fail("missing pads (input 1)") }
        let axes = try s.intOperand(3, "axes")?.map { try s.axis($0, rank: d.count, "axes value") } ?? Array(d.indices)
        guard pads.count == 2 * axes.count else { throw s.fail("pads has \(pads.count) values, expected \(2 * axes.count)") }
        var begin = Array(repeating: 0, count: d.count), end = begin
        for (i, axis) in axes.enumerated() {
            begin[axis] = pads[i]
            end[axis] = pads[i + axes.count]
        }
        let modeName = a.string("mode") ?? "constant"
        guard let mode = PadMode(rawValue: modeName) else { throw s.fail("unknown pad mode '\(modeName)'") }
        guard let plan = PadPlan(inputShape: d, padsBegin: begin, padsEnd: end, mode: mode) else {
            throw s.fail("pads \(pads) cannot be applied to shape \(d) in \(modeName) mode")
        }
        var fill: UInt64 = 0
        if s.inputs.count > 2, s.inputs[2] != nil {
            guard let t = s.constants.count > 2 ? s.constants[2] : nil, t.elementCount == 1 else {
                throw s.fail("constant_value (input 2) must be a one-element constant")
            }
            switch t.storage {
            case .float32(let v): fill = UInt64(v[0].bitPattern)
            case .int64(let v): fill = UInt64(bitPattern: v[0])
            default: throw s.fail("constant_value of type \(t.dtype.rawValue) is not supported")
            }
        }
        return .pad(plan, elementSize: size, fillBits: fill)
    case .slice:
        guard let starts = try s.intOperand(1, "starts"), let ends = try s.intOperand(2, "ends") else {
            throw s.fail("missing starts or ends")
        }
        let axes = try s.intOperand(3, "axes")?.map { try s.axis($0, rank: d.count, "axes value") } ?? Array(0..<starts.count)
        let steps = try s.intOperand(4, "steps") ?? Array(repeating: 1, count: starts.count)
        guard ends.count == starts.count, axes.count == starts.count, steps.count == starts.count else {
            throw s.fail("starts, ends, axes and steps must have the same length")
        }
        var st = Array(repeating: 0, count: d.count), step = Array(repeating: 1, count: d.count), count = d
        for i in axes.indices {
            guard steps[i] != 0 else { throw s.fail("slice step must not be 0") }
            let (b, _) = sliceBounds(len: d[axes[i]], start: starts[i], end: ends[i], step: steps[i])
            st[axes[i]] = b
            step[axes[i]] = steps[i]
            count[axes[i]] = sliceCount(len: d[axes[i]], start: starts[i], end: ends[i], step: steps[i])
        }
        return .stridedCopy(.slice(shape: d, starts: st, steps: step, counts: count), elementSize: size)
    case .gather:
        let axis = try s.axis(a.int("axis") ?? 0, rank: d.count)
        guard try s.inputType(1).dtype == .int64 else { throw s.fail("Gather indices must be i64") }
        return .gather(outer: d[..<axis].reduce(1, *), axisLength: d[axis], inner: d[(axis + 1)...].reduce(1, *),
                       indexCount: try s.inputDims(1).reduce(1, *), elementSize: size)
    default:
        throw s.fail("\(s.node.op.rawValue) is evaluated at compile time (its input shape is static)")
    }
}

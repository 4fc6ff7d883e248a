import GraphIR
import Kernels

/// The backward ops that Autodiff emits, resolved to Kernels calls. Each mirrors its
/// forward op: window geometry is resolved with the forward op's rules, so a backward
/// step always agrees with the forward step it differentiates.
enum GradientKernel {
    /// ConvGradInput(dY, W) -> dX; uses the step's scratch for the columns.
    case convGradInput(Conv.Plan)
    /// ConvGradInput of a 3x3 stride-1 conv as the forward Winograd conv of dY with the
    /// transposed, rotated filters (`Conv.winogradDataGradientPlan`); `prepacked` when the
    /// weights are compile-time values packed once (`Step.packedWeights`).
    case convGradInputWinograd(Conv.Plan, prepacked: Bool)
    /// ConvGradWeight(dY, X) -> dW; uses the step's scratch for im2col.
    case convGradWeight(Conv.Plan)
    case maxPoolGrad(Pool.Plan)
    case averagePoolGrad(Pool.Plan)
    /// BatchNormalizationGrad(dY, X, scale, mean?, var?) -> (dX, dScale, dBias).
    case batchNormGrad(BatchNormParams)
    case activationGrad(ActivationGradient)
    case softmaxCrossEntropyLossGrad(LossParams)
    case negativeLogLikelihoodLossGrad(LossParams)
    case broadcastLike(BroadcastCopyPlan)

    /// Floats of scratch the kernel needs (the step's region, planned like a conv's).
    var scratchCount: Int {
        switch self {
        case .convGradInput(let plan), .convGradWeight(let plan): return Conv.backwardWorkspaceCount(plan.params)
        case .convGradInputWinograd(let plan, let prepacked):
            return Conv.winogradDataGradientWorkspaceCount(plan, packed: prepacked)
        // dScale / dBias nobody reads still need somewhere to go.
        case .batchNormGrad(let p): return 2 * p.channels
        default: return 0
        }
    }
}

/// Resolves a backward node: the `makeKernel` hook for the ops of ShapeInference+Gradients.
func makeGradientKernel(_ s: NodeSignature) throws -> StepKernel {
    let a = s.attributes
    for i in s.inputs.indices where s.inputs[i] != nil {
        let isLabels = i == 2 && (s.node.op == .softmaxCrossEntropyLossGrad || s.node.op == .negativeLogLikelihoodLossGrad)
        let dtype = try s.inputType(i).dtype
        guard dtype == (isLabels ? .int64 : .float32) else {
            throw s.fail("\(s.node.op.rawValue) input \(i) must be \(isLabels ? "i64" : "f32"), found \(dtype.rawValue)")
        }
    }
    switch s.node.op {
    case .convGradInput:
        let plan = try convPlan(s, x: try s.outputDims(0), w: try s.inputDims(1), y: try s.inputDims(0))
        if let winograd = Conv.winogradDataGradientPlan(for: plan.params) {
            return .gradient(.convGradInputWinograd(winograd, prepacked: false))
        }
        return .gradient(.convGradInput(plan))
    case .convGradWeight:
        return .gradient(.convGradWeight(try convPlan(s, x: try s.inputDims(1), w: try s.outputDims(0), y: try s.inputDims(0))))
    case .maxPoolGrad:
        return .gradient(.maxPoolGrad(try poolPlan(s, .maxPool, x: try s.inputDims(1), y: try s.inputDims(0))))
    case .averagePoolGrad:
        return .gradient(.averagePoolGrad(try poolPlan(s, .averagePool, x: try s.outputDims(0), y: try s.inputDims(0))))
    case .batchNormalizationGrad:
        let x = try s.inputDims(1)
        guard x.count >= 2, try s.inputDims(0) == x else { throw s.fail("dY and X must share one shape of rank >= 2, found \(x)") }
        let training = (a.int("training_mode") ?? 0) != 0
        let vectors = training ? [2] : [2, 3, 4]
        for i in vectors where try s.inputDims(i) != [x[1]] {
            throw s.fail("input \(i) has shape \(try s.inputDims(i)), expected [\(x[1])]")
        }
        return .gradient(.batchNormGrad(BatchNormParams(batch: x[0], channels: x[1], spatial: x[2...].reduce(1, *),
                                                        epsilon: a.float("epsilon") ?? 1e-5, momentum: 0, training: training)))
    case .activationGrad:
        let name = a.string("activation") ?? ""
        guard let activation = ActivationGradient(name: name, parameters: a.floats("activation_params") ?? []) else {
            throw s.fail("unknown activation '\(name)' or wrong activation_params \(a.floats("activation_params") ?? [])")
        }
        guard try s.inputDims(0) == s.inputDims(1) else { throw s.fail("dY and X have different shapes") }
        return .gradient(.activationGrad(activation))
    case .softmaxCrossEntropyLossGrad, .negativeLogLikelihoodLossGrad:
        let d = try s.inputDims(1)
        guard d.count >= 2 else { throw s.fail("scores must be [N, C, ...], found \(d)") }
        let name = a.string("reduction") ?? "mean"
        guard let reduction = LossReduction(rawValue: name) else { throw s.fail("unknown reduction '\(name)'") }
        let p = LossParams(batch: d[0], classes: d[1], spatial: d[2...].reduce(1, *), reduction: reduction,
                           ignoreIndex: a.int("ignore_index").map(Int64.init))
        if s.inputs.count > 3, s.inputs[3] != nil, try s.inputDims(3) != [d[1]] {
            throw s.fail("weights have shape \(try s.inputDims(3)), expected [\(d[1])]")
        }
        let softmax = s.node.op == .softmaxCrossEntropyLossGrad
        return .gradient(softmax ? .softmaxCrossEntropyLossGrad(p) : .negativeLogLikelihoodLossGrad(p))
    case .broadcastLike:
        let x = try s.inputDims(0), like = try s.outputDims(0)
        guard let plan = BroadcastCopyPlan(input: x, output: like) else { throw s.fail("\(x) does not broadcast to \(like)") }
        return .gradient(.broadcastLike(plan))
    default:
        throw s.fail("\(s.node.op.rawValue) is not a backward op")
    }
}

/// The forward Conv of a backward node, from the input, weight and output shapes.
private func convPlan(_ s: NodeSignature, x: [Int], w: [Int], y: [Int]) throws -> Conv.Plan {
    guard x.count >= 3, w.count == x.count, y.count == x.count else {
        throw s.fail("input \(x), weight \(w) and dY \(y) must share one rank >= 3")
    }
    var forward = s.attributes
    forward["input_spatial_shape"] = nil
    let kernel = Array(w[2...])
    let pads = try forwardPads(s, .conv, forward, x, kernel)
    let params = ConvParams(
        batch: x[0], inChannels: x[1], outChannels: w[0], group: forward.int("group") ?? 1,
        inSpatial: Array(x[2...]), kernel: kernel,
        strides: forward.ints("strides") ?? Array(repeating: 1, count: kernel.count),
        dilations: forward.ints("dilations") ?? Array(repeating: 1, count: kernel.count),
        padsBegin: pads.begin, padsEnd: pads.end, outSpatial: Array(y[2...]))
    guard w[1] * params.group == params.inChannels, y[1] == params.outChannels, y[0] == params.batch else {
        throw s.fail("weight \(w) and dY \(y) do not match input \(x) with group \(params.group)")
    }
    do {
        return try Conv.Plan(params)
    } catch let e as KernelParameterError {
        throw s.fail(e.description)
    }
}

/// The forward pool of a backward node, from the input and output shapes.
private func poolPlan(_ s: NodeSignature, _ forwardOp: OpKind, x: [Int], y: [Int]) throws -> Pool.Plan {
    var forward = s.attributes
    forward["input_spatial_shape"] = nil
    guard let kernel = forward.ints("kernel_shape") else { throw s.fail("missing attribute 'kernel_shape'") }
    guard x.count >= 3, y.count == x.count, Array(y[..<2]) == Array(x[..<2]) else {
        throw s.fail("dY \(y) does not match input \(x)")
    }
    let pads = try forwardPads(s, forwardOp, forward, x, kernel)
    let params = PoolParams(
        batch: x[0], channels: x[1], inSpatial: Array(x[2...]), kernel: kernel,
        strides: forward.ints("strides") ?? Array(repeating: 1, count: kernel.count),
        dilations: forward.ints("dilations") ?? Array(repeating: 1, count: kernel.count),
        padsBegin: pads.begin, padsEnd: pads.end, outSpatial: Array(y[2...]),
        countIncludePad: (forward.int("count_include_pad") ?? 0) != 0)
    do {
        return try Pool.Plan(params, kernelName: s.node.op.rawValue)
    } catch let e as KernelParameterError {
        throw s.fail(e.description)
    }
}

private func forwardPads(_ s: NodeSignature, _ op: OpKind, _ a: Attributes, _ x: [Int], _ kernel: [Int]) throws
    -> (begin: [Int], end: [Int]) {
    do {
        return try op.resolvedPads(attributes: a, inputShape: x, kernel: kernel)
    } catch let e as ShapeError {
        throw s.fail(e.message)
    }
}

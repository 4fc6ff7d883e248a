import GraphIR
import Kernels

/// BatchNormalization resolved for `BatchNorm.inference` / `BatchNorm.training`.
struct BatchNormParams: Equatable {
    var batch, channels, spatial: Int
    var epsilon: Float
    var momentum: Float
    var training: Bool
}

/// Gemm resolved for `Gemm.compute`; the addend's pointer is bound at run time.
struct GemmParams: Equatable {
    /// How C broadcasts to `[m, n]` (mirrors `Gemm.Addend` without the pointer).
    enum Addend: Equatable {
        case none, scalar, row, column, full
    }

    var m, n, k: Int
    var transA, transB: Bool
    var alpha, beta: Float
    var addend: Addend

    func bind(_ c: UnsafePointer<Float>?) -> Gemm.Addend {
        guard let c else { return .none }
        switch addend {
        case .none: return .none
        case .scalar: return .scalar(c)
        case .row: return .row(c)
        case .column: return .column(c)
        case .full: return .full(c)
        }
    }
}

/// Conv, pools, BatchNormalization, Gemm and MatMul: resolves and validates their
/// parameters once, so a run only calls the kernels.
func makeHeavyKernel(_ s: NodeSignature) throws -> StepKernel {
    let a = s.attributes
    let x = try s.inputDims(0)
    let dtype = try s.inputType(0).dtype
    guard dtype == .float32 else { throw s.fail("\(s.node.op.rawValue) supports f32, found \(dtype.rawValue)") }
    switch s.node.op {
    case .conv, .fusedConv:
        let w = try s.inputDims(1), y = try s.outputDims(0)
        guard x.count >= 3, w.count == x.count, y.count == x.count else {
            throw s.fail("Conv needs input, weight and output of one rank >= 3, found \(x), \(w) and \(y)")
        }
        let kernel = Array(w[2...])
        let pads = try resolvedPads(s, x, kernel)
        let params = ConvParams(
            batch: x[0], inChannels: x[1], outChannels: w[0], group: a.int("group") ?? 1,
            inSpatial: Array(x[2...]), kernel: kernel,
            strides: a.ints("strides") ?? Array(repeating: 1, count: kernel.count),
            dilations: a.ints("dilations") ?? Array(repeating: 1, count: kernel.count),
            padsBegin: pads.begin, padsEnd: pads.end, outSpatial: Array(y[2...]))
        let plan = try checked(s) { try Conv.Plan(params) }
        guard w[1] * params.group == params.inChannels, y[1] == params.outChannels, y[0] == params.batch else {
            throw s.fail("weight \(w) and output \(y) do not match input \(x) with group \(params.group)")
        }
        if s.inputs.count > 2, s.inputs[2] != nil, try s.inputDims(2) != [params.outChannels] {
            throw s.fail("bias has shape \(try s.inputDims(2)), expected [\(params.outChannels)]")
        }
        guard s.node.op == .fusedConv else { return .conv(plan, activation: .none) }
        if s.inputs.count > 3, s.inputs[3] != nil, try s.inputDims(3) != y {
            throw s.fail("residual Z has shape \(try s.inputDims(3)), expected the output's \(y)")
        }
        return .conv(plan, activation: try fusedActivation(s))
    case .maxPool, .averagePool:
        guard let kernel = a.ints("kernel_shape") else { throw s.fail("missing attribute 'kernel_shape'") }
        let y = try s.outputDims(0)
        guard x.count >= 3, y.count == x.count, Array(y[..<2]) == Array(x[..<2]) else {
            throw s.fail("output \(y) does not match input \(x)")
        }
        let pads = try resolvedPads(s, x, kernel)
        let params = PoolParams(
            batch: x[0], channels: x[1], inSpatial: Array(x[2...]), kernel: kernel,
            strides: a.ints("strides") ?? Array(repeating: 1, count: kernel.count),
            dilations: a.ints("dilations") ?? Array(repeating: 1, count: kernel.count),
            padsBegin: pads.begin, padsEnd: pads.end, outSpatial: Array(y[2...]),
            countIncludePad: (a.int("count_include_pad") ?? 0) != 0)
        let plan = try checked(s) { try Pool.Plan(params, kernelName: s.node.op.rawValue) }
        guard s.node.op == .maxPool else { return .averagePool(plan) }
        let order = a.int("storage_order") ?? 0
        guard order == 0 || order == 1 else { throw s.fail("storage_order \(order) is neither 0 nor 1") }
        return .maxPool(plan, storageOrder: order)
    case .globalAveragePool, .globalMaxPool:
        guard x.count >= 3 else { throw s.fail("input must have rank >= 3 (N, C, spatial...), found \(x)") }
        let spatial = x[2...].reduce(1, *)
        guard spatial >= 1 else { throw s.fail("input \(x) has no spatial elements to pool") }
        return .globalPool(batch: x[0], channels: x[1], spatial: spatial, max: s.node.op == .globalMaxPool)
    case .batchNormalization:
        guard x.count >= 2 else { throw s.fail("input must have rank >= 2 (N, C, ...), found \(x)") }
        for (i, name) in [(1, "scale"), (2, "B"), (3, "input_mean"), (4, "input_var")] where try s.inputDims(i) != [x[1]] {
            throw s.fail("\(name) (input \(i)) has shape \(try s.inputDims(i)), expected [\(x[1])]")
        }
        let training = (a.int("training_mode") ?? 0) != 0
        return .batchNorm(BatchNormParams(batch: x[0], channels: x[1], spatial: x[2...].reduce(1, *),
                                          epsilon: a.float("epsilon") ?? 1e-5, momentum: a.float("momentum") ?? 0.9,
                                          training: training))
    case .gemm:
        return .gemm(try gemmParams(s, x, try s.inputDims(1)))
    case .matMul:
        let b = try s.inputDims(1)
        let plan = try checked(s) { try MatMul.plan(aShape: x, bShape: b) }
        guard plan.outputShape == (try s.outputDims(0)) else {
            throw s.fail("output shape \(try s.outputDims(0)) does not match \(x) x \(b)")
        }
        return .matMul(plan)
    default:
        throw s.fail("\(s.node.op.rawValue) is not a heavy op")
    }
}

/// FusedConv's `activation` and `activation_params`, with the ONNX defaults of the ops
/// they replace.
private func fusedActivation(_ s: NodeSignature) throws -> FusedActivation {
    let name = s.attributes.string("activation") ?? ""
    let params = s.attributes.floats("activation_params") ?? []
    func param(_ i: Int, _ fallback: Float) -> Float { i < params.count ? params[i] : fallback }
    switch name {
    case "": return .none
    case "Relu": return .relu
    case "Sigmoid": return .sigmoid
    case "Swish": return .swish
    case "Clip": return .clip(min: param(0, -.greatestFiniteMagnitude), max: param(1, .greatestFiniteMagnitude))
    case "LeakyRelu": return .leakyRelu(alpha: param(0, 0.01))
    case "HardSigmoid": return .hardSigmoid(alpha: param(0, 0.2), beta: param(1, 0.5))
    default: throw s.fail("unknown fused activation '\(name)'")
    }
}

private func gemmParams(_ s: NodeSignature, _ aDims: [Int], _ bDims: [Int]) throws -> GemmParams {
    let attributes = s.attributes
    guard aDims.count == 2, bDims.count == 2 else { throw s.fail("Gemm needs 2-D inputs, found \(aDims) and \(bDims)") }
    let ta = (attributes.int("transA") ?? 0) != 0, tb = (attributes.int("transB") ?? 0) != 0
    let m = ta ? aDims[1] : aDims[0], k = ta ? aDims[0] : aDims[1]
    let n = tb ? bDims[0] : bDims[1]
    guard (tb ? bDims[1] : bDims[0]) == k else {
        throw s.fail("inner dimensions differ: A \(aDims) (transA \(ta)) and B \(bDims) (transB \(tb))")
    }
    var addend = GemmParams.Addend.none
    if s.inputs.count > 2, s.inputs[2] != nil {
        let c = try s.inputDims(2)
        let padded = Array(repeating: 1, count: max(0, 2 - c.count)) + c
        switch padded.count == 2 ? (padded[0], padded[1]) : (-1, -1) {
        case (1, 1): addend = .scalar
        case (1, n): addend = .row
        case (m, 1): addend = .column
        case (m, n): addend = .full
        default: throw s.fail("C with shape \(c) does not broadcast to [\(m), \(n)]")
        }
    }
    return GemmParams(m: m, n: n, k: k, transA: ta, transB: tb, alpha: attributes.float("alpha") ?? 1,
                      beta: attributes.float("beta") ?? 1, addend: addend)
}

/// Makes a kernel plan (which validates its parameters), reporting a failure against the node.
private func checked<Plan>(_ s: NodeSignature, _ make: () throws -> Plan) throws -> Plan {
    do {
        return try make()
    } catch let e as KernelParameterError {
        throw s.fail(e.description)
    }
}

private func resolvedPads(_ s: NodeSignature, _ x: [Int], _ kernel: [Int]) throws -> (begin: [Int], end: [Int]) {
    do {
        return try s.node.op.resolvedPads(attributes: s.attributes, inputShape: x, kernel: kernel)
    } catch let e as ShapeError {
        throw s.fail(e.message)
    }
}

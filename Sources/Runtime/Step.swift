import GraphIR
import Kernels

/// A kernel call with every parameter resolved at compile time. One case per kernel
/// family; `Step.execute` is the single dispatch point for each.
enum StepKernel {
    case binaryFloat(BinaryOp, BroadcastPlan)
    case binaryInt64(BinaryOp, BroadcastPlan, rightCount: Int)
    case unaryFloat(UnaryOp)
    case negInt64
    /// Byte copy of input 0 to output 0 (Identity, Dropout, Reshape, Flatten, Squeeze, Unsqueeze).
    case copy
    /// Dropout at inference: copy, and a mask of all `true` when it is asked for.
    case dropout
    case castFloatToInt64
    case castInt64ToFloat
    case softmax(SoftmaxShape, log: Bool)
    case stridedCopy(StridedView, elementSize: Int)
    case concat(axisLengths: [Int], outer: Int, inner: Int, elementSize: Int)
    case pad(PadPlan, elementSize: Int, fillBits: UInt64)
    case gather(outer: Int, axisLength: Int, inner: Int, indexCount: Int, elementSize: Int)
    case reduce(ReducePlan, mean: Bool)
    case negativeLogLikelihoodLoss(LossParams)
    case softmaxCrossEntropyLoss(LossParams)
    // Heavy ops: the optimized kernels of the Kernels module, parameters resolved and
    // validated at compile time.
    /// Conv and FusedConv through `Conv.forward` with an epilogue
    /// `act(conv + bias + residual)`; the residual is FusedConv's input 3 (Z) when present.
    /// An im2col conv uses the step's scratch.
    /// `prepacked`: the weights are compile-time values, transformed once for the plan's
    /// algorithm (`Step.packedWeights`), so the scratch need not hold them.
    case conv(Conv.Plan, activation: FusedActivation, prepacked: Bool = false)
    case maxPool(Pool.Plan, storageOrder: Int)
    /// AveragePool; `count_include_pad` is part of the params.
    case averagePool(Pool.Plan)
    case globalPool(batch: Int, channels: Int, spatial: Int, max: Bool)
    case batchNorm(BatchNormParams)
    case gemm(GemmParams)
    case matMul(MatMul.Plan)
    /// A backward op (Step+Gradients.swift).
    case gradient(GradientKernel)
}

extension StepKernel {
    /// Floats of scratch memory the kernel needs while it runs; the memory plan gives
    /// each step that needs some a region live only during that step.
    var scratchCount: Int {
        switch self {
        case .conv(let plan, _, let prepacked): return prepacked ? plan.packedWorkspaceCount : plan.workspaceCount
        // Training mode always writes running statistics; without outputs they go to scratch.
        case .batchNorm(let p) where p.training: return 2 * p.channels
        case .gradient(let kernel): return kernel.scratchCount
        default: return 0
        }
    }
}

/// One node of the compiled schedule: its kernel and the buffers it reads and writes.
struct Step {
    var node: String
    var op: OpKind
    var kernel: StepKernel
    /// Per node input; nil for an omitted optional operand.
    var inputs: [BufferRef?]
    /// Per node output; nil for an output the graph does not use and has no buffer.
    var outputs: [BufferRef?]
    /// Byte offset of this step's scratch region (`kernel.scratchCount` floats), nil when
    /// the kernel needs none.
    var scratch: Int? = nil
    /// The conv weights transformed for the plan (Winograd), when the kernel is `prepacked`.
    var packedWeights: PackedWeightsBox? = nil
}

/// Packed conv weights a step reads; a class so the program can repack them in place when
/// it overwrites the weights (`setParameters`, `copyParameters`, training state copies).
final class PackedWeightsBox {
    let plan: Conv.Plan
    /// The weight buffer the values were packed from.
    let source: BufferRef
    var weights: Conv.PackedWeights

    /// Whether the plan reads the transposed, rotated filters (a Winograd data gradient).
    let transposed: Bool

    init(plan: Conv.Plan, source: BufferRef, transposed: Bool = false, arena: Arena) {
        self.plan = plan
        self.source = source
        self.transposed = transposed
        weights = PackedWeightsBox.pack(plan, arena.floats(source), transposed: transposed)
    }

    /// Packs again from the weight buffer.
    func repack(from arena: Arena) {
        weights = PackedWeightsBox.pack(plan, arena.floats(source), transposed: transposed)
    }

    private static func pack(_ plan: Conv.Plan, _ weight: UnsafePointer<Float>, transposed: Bool) -> Conv.PackedWeights {
        guard transposed else { return Conv.PackedWeights(plan, weight: weight) }
        let p = plan.params
        let rotated = UnsafeMutablePointer<Float>.allocate(capacity: p.weightCount)
        defer { rotated.deallocate() }
        Conv.transposeRotateFilters(weight, outChannels: p.inChannels, inChannels: p.outChannels, into: rotated)
        return Conv.PackedWeights(plan, weight: rotated)
    }

    /// Whether `ref`'s bytes overlap the weight buffer.
    func reads(_ ref: BufferRef) -> Bool {
        ref.offset < source.offset + source.byteCount && source.offset < ref.offset + ref.byteCount
    }
}

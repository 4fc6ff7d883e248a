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
    // Heavy ops: reference implementations for now (ReferenceKernels.swift); the fast
    // Kernels replace them here, one case each.
    case conv(ConvGeometry)
    case maxPool(PoolGeometry, storageOrder: Int)
    case averagePool(PoolGeometry, countIncludePad: Bool)
    case globalPool(channels: Int, batch: Int, spatial: Int, max: Bool)
    case batchNorm(BatchNormGeometry)
    case gemm(GemmGeometry)
    case matMul(MatMulGeometry)
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
}

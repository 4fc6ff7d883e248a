import GraphIR

/// A vector-Jacobian product rule: given the gradients of a node's outputs (in the
/// context), appends backward nodes and returns one gradient per input slot (nil where
/// not needed or not differentiable). Returned gradients must have their input's type.
public typealias VJPRule = (inout VJPContext) throws -> [ValueID?]

/// Which ops can be differentiated, and how.
///
/// Every `OpKind` is in exactly one of three groups (a test enforces it):
/// - it has a rule (`rule(for:)`), kept beside its op family in `VJP+<Family>.swift`;
/// - it is non-differentiable (`nonDifferentiable`): its outputs are integers or
///   constants, so no gradient flows through it;
/// - it is unsupported (`unsupported`, with the reason): differentiating through it
///   throws an error naming the node.
///
/// Inputs are non-differentiable, whatever the op, when they are shape-like operands
/// (`OpSchema.operandInputs`) or not floating point; see `nonDifferentiableInputs`.
/// Outputs are non-differentiable when not floating point (MaxPool indices, Dropout
/// mask, Shape) or listed by `nonDifferentiableOutputs`.
public enum VJPRegistry {
    /// The rule of an op, nil for non-differentiable and unsupported ops.
    public static func rule(for op: OpKind) -> VJPRule? {
        switch op {
        case .conv: return VJP.conv
        case .batchNormalization: return VJP.batchNormalization
        case .relu, .leakyRelu, .sigmoid, .hardSigmoid, .hardSwish, .swish, .clip: return VJP.activation
        case .tanh, .exp, .log, .neg, .sqrt, .reciprocal: return VJP.unaryMath
        case .add, .sub, .mul, .div: return VJP.binary
        case .maxPool, .globalMaxPool: return VJP.maxPool
        case .averagePool: return VJP.averagePool
        case .globalAveragePool: return VJP.globalAveragePool
        case .flatten, .reshape, .squeeze, .unsqueeze: return VJP.reshapeLike
        case .transpose: return VJP.transpose
        case .concat: return VJP.concat
        case .pad: return VJP.pad
        case .slice: return VJP.slice
        case .identity, .dropout, .cast: return VJP.passThrough
        case .broadcastLike: return VJP.broadcastLike
        case .gemm: return VJP.gemm
        case .matMul: return VJP.matMul
        case .reduceSum, .reduceMean: return VJP.reduce
        case .softmax, .logSoftmax: return VJP.softmax
        case .softmaxCrossEntropyLoss, .negativeLogLikelihoodLoss: return VJP.loss
        case .shape, .constant, .gather, .fusedConv, .convGradInput, .convGradWeight, .maxPoolGrad,
             .averagePoolGrad, .batchNormalizationGrad, .activationGrad, .softmaxCrossEntropyLossGrad,
             .negativeLogLikelihoodLossGrad:
            return nil
        }
    }

    /// Ops through which no gradient flows: their outputs are integer shapes or fixed data.
    public static let nonDifferentiable: Set<OpKind> = [.shape, .constant]

    /// Ops that would need a rule this module does not have, with the reason.
    public static let unsupported: [OpKind: String] = [
        .gather: "the data gradient needs a scatter-add op; zoo graphs use Gather only on shapes",
        .fusedConv: "differentiate the canonical graph (before fusion); FusedConv hides the pre-activation value",
        .convGradInput: "second-order gradients are not implemented",
        .convGradWeight: "second-order gradients are not implemented",
        .maxPoolGrad: "second-order gradients are not implemented",
        .averagePoolGrad: "second-order gradients are not implemented",
        .batchNormalizationGrad: "second-order gradients are not implemented",
        .activationGrad: "second-order gradients are not implemented",
        .softmaxCrossEntropyLossGrad: "second-order gradients are not implemented",
        .negativeLogLikelihoodLossGrad: "second-order gradients are not implemented",
    ]

    /// Input slots of a node that never receive a gradient: shape-like operands, the
    /// BatchNormalization mean and variance (Keras's non-trainable moving statistics;
    /// in training mode the batch statistics replace them), loss class weights, and
    /// BroadcastLike's shape reference.
    public static func nonDifferentiableInputs(of node: Node) -> Set<Int> {
        var slots = node.op.schema.operandInputs
        switch node.op {
        case .batchNormalization: slots.formUnion([3, 4])
        // Labels and class weights; indices.
        case .softmaxCrossEntropyLoss, .negativeLogLikelihoodLoss: slots.formUnion([1, 2])
        case .softmaxCrossEntropyLossGrad, .negativeLogLikelihoodLossGrad: slots.formUnion([2, 3])
        case .gather: slots.insert(1)
        case .broadcastLike: slots.insert(1)  // read for its shape only
        default: break
        }
        return slots
    }

    /// Output slots that carry no gradient even though they are floating point:
    /// BatchNormalization's updated running statistics (state updates, never in a loss).
    public static func nonDifferentiableOutputs(of node: Node) -> Set<Int> {
        node.op == .batchNormalization ? [1, 2] : []
    }
}

/// The rules, one static function per op family (see the `VJP+*.swift` files).
enum VJP {}

/// The operations of the IR. Raw values are the ONNX operator names, and semantics
/// follow ONNX (latest opset) wherever ONNX defines the op; the importer normalizes
/// older opset forms (attribute vs input operands) into these.
public enum OpKind: String, Sendable, Hashable, CaseIterable {
    // Convolution and normalization
    case conv = "Conv"
    case batchNormalization = "BatchNormalization"
    /// Conv + bias, then an optional residual `Z` added, then an optional activation, in
    /// one kernel call: `act(conv(X, W) + B + Z)`. Not an ONNX op: the optimizer creates
    /// it (onnxruntime's com.microsoft FusedConv plays the same role). `activation` is
    /// "" / "Relu" / "Clip" (with `activation_params` [min, max]) / "Sigmoid" /
    /// "Swish" / "LeakyRelu" (params [alpha]) / "HardSigmoid" (params [alpha, beta]).
    case fusedConv = "FusedConv"
    // Activations
    case relu = "Relu"
    case leakyRelu = "LeakyRelu"
    case clip = "Clip"
    case sigmoid = "Sigmoid"
    case hardSigmoid = "HardSigmoid"
    case hardSwish = "HardSwish"
    /// x * sigmoid(alpha * x) (ONNX Swish, opset 24); EfficientNet's activation.
    case swish = "Swish"
    case tanh = "Tanh"
    // Unary math
    case exp = "Exp"
    case log = "Log"
    case neg = "Neg"
    case sqrt = "Sqrt"
    case reciprocal = "Reciprocal"
    // Binary elementwise with numpy broadcasting
    case add = "Add"
    case sub = "Sub"
    case mul = "Mul"
    case div = "Div"
    // Pooling
    case maxPool = "MaxPool"
    case averagePool = "AveragePool"
    case globalAveragePool = "GlobalAveragePool"
    case globalMaxPool = "GlobalMaxPool"
    // Shape manipulation
    case flatten = "Flatten"
    case reshape = "Reshape"
    case transpose = "Transpose"
    case concat = "Concat"
    case squeeze = "Squeeze"
    case unsqueeze = "Unsqueeze"
    case pad = "Pad"
    case slice = "Slice"
    case gather = "Gather"
    case shape = "Shape"
    case cast = "Cast"
    case constant = "Constant"
    case identity = "Identity"
    case dropout = "Dropout"
    // Linear algebra and reductions
    case gemm = "Gemm"
    case matMul = "MatMul"
    case reduceMean = "ReduceMean"
    case reduceSum = "ReduceSum"
    // Softmax and losses
    case softmax = "Softmax"
    case logSoftmax = "LogSoftmax"
    case softmaxCrossEntropyLoss = "SoftmaxCrossEntropyLoss"
    case negativeLogLikelihoodLoss = "NegativeLogLikelihoodLoss"
    // Backward ops. Not ONNX: Autodiff emits them for the vector-Jacobian products that
    // existing ops cannot express cheaply. Shapes and semantics: ShapeInference+Gradients.swift.
    /// dX of Conv from (dY, W); the input's spatial size is the `input_spatial_shape` attribute.
    case convGradInput = "ConvGradInput"
    /// dW of Conv from (dY, X); `kernel_shape` is required.
    case convGradWeight = "ConvGradWeight"
    /// dX of MaxPool from (dY, X): each dY goes to the first maximum of its window.
    case maxPoolGrad = "MaxPoolGrad"
    /// dX of AveragePool from dY; the input's spatial size is `input_spatial_shape`.
    case averagePoolGrad = "AveragePoolGrad"
    /// (dX, dScale, dBias) of BatchNormalization from (dY, X, scale, mean, var);
    /// `training_mode = 1` uses the batch statistics of X (mean and var may be omitted).
    case batchNormalizationGrad = "BatchNormalizationGrad"
    /// dX of an activation from (dY, X), the activation named as in FusedConv.
    case activationGrad = "ActivationGrad"
    /// dScores of SoftmaxCrossEntropyLoss from (dLoss, scores, labels, weights?).
    case softmaxCrossEntropyLossGrad = "SoftmaxCrossEntropyLossGrad"
    /// dLogProb of NegativeLogLikelihoodLoss from (dLoss, logProb, labels, weights?).
    case negativeLogLikelihoodLossGrad = "NegativeLogLikelihoodLossGrad"
    /// X broadcast (numpy rules) to the shape of `like`, whose contents are not read.
    case broadcastLike = "BroadcastLike"
}

/// The kind an attribute must have.
public enum AttributeKind: String, Sendable {
    case int, float, string, ints, floats, strings, tensor

    public func matches(_ value: AttributeValue) -> Bool {
        switch (self, value) {
        case (.int, .int), (.float, .float), (.string, .string), (.ints, .ints),
             (.floats, .floats), (.strings, .strings), (.tensor, .tensor):
            return true
        case (.float, .int):  // an integral float written without a point
            return true
        default:
            return false
        }
    }
}

/// What a node of a given op may look like: input and output arity and the attributes
/// it accepts. The verifier checks every node against its schema.
public struct OpSchema: Sendable {
    public var inputs: ClosedRange<Int>
    public var outputs: ClosedRange<Int>
    public var attributes: [String: AttributeKind]
    /// Inputs (by position) that are shape-like operands (shape, axes, pads, bounds):
    /// never differentiated, and read as constants when the graph is specialized.
    public var operandInputs: Set<Int>

    public init(inputs: ClosedRange<Int>, outputs: ClosedRange<Int> = 1...1,
                attributes: [String: AttributeKind] = [:], operandInputs: Set<Int> = []) {
        self.inputs = inputs
        self.outputs = outputs
        self.attributes = attributes
        self.operandInputs = operandInputs
    }
}

extension OpKind {
    private static let poolAttributes: [String: AttributeKind] = [
        "kernel_shape": .ints, "strides": .ints, "pads": .ints, "dilations": .ints,
        "auto_pad": .string, "ceil_mode": .int,
    ]

    /// The schema every node of this op is verified against.
    public var schema: OpSchema {
        switch self {
        case .conv:
            return OpSchema(inputs: 2...3, attributes: [
                "kernel_shape": .ints, "strides": .ints, "pads": .ints, "dilations": .ints,
                "group": .int, "auto_pad": .string])
        case .fusedConv:
            return OpSchema(inputs: 2...4, attributes: [
                "kernel_shape": .ints, "strides": .ints, "pads": .ints, "dilations": .ints,
                "group": .int, "auto_pad": .string, "activation": .string, "activation_params": .floats])
        case .batchNormalization:
            return OpSchema(inputs: 5...5, outputs: 1...3, attributes: [
                "epsilon": .float, "momentum": .float, "training_mode": .int])
        case .relu, .sigmoid, .tanh, .exp, .log, .neg, .sqrt, .reciprocal, .hardSwish,
             .globalAveragePool, .globalMaxPool, .identity:
            return OpSchema(inputs: 1...1)
        case .leakyRelu:
            return OpSchema(inputs: 1...1, attributes: ["alpha": .float])
        case .swish:
            return OpSchema(inputs: 1...1, attributes: ["alpha": .float])
        case .hardSigmoid:
            return OpSchema(inputs: 1...1, attributes: ["alpha": .float, "beta": .float])
        case .clip:
            return OpSchema(inputs: 1...3, operandInputs: [1, 2])
        case .add, .sub, .mul, .div:
            return OpSchema(inputs: 2...2)
        case .maxPool:
            var a = Self.poolAttributes
            a["storage_order"] = .int
            return OpSchema(inputs: 1...1, outputs: 1...2, attributes: a)
        case .averagePool:
            var a = Self.poolAttributes
            a["count_include_pad"] = .int
            return OpSchema(inputs: 1...1, attributes: a)
        case .flatten:
            return OpSchema(inputs: 1...1, attributes: ["axis": .int])
        case .reshape:
            return OpSchema(inputs: 2...2, attributes: ["allowzero": .int], operandInputs: [1])
        case .transpose:
            return OpSchema(inputs: 1...1, attributes: ["perm": .ints])
        case .concat:
            return OpSchema(inputs: 1...Int.max, attributes: ["axis": .int])
        case .squeeze, .unsqueeze:
            return OpSchema(inputs: 1...2, operandInputs: [1])
        case .pad:
            return OpSchema(inputs: 2...4, attributes: ["mode": .string], operandInputs: [1, 2, 3])
        case .slice:
            return OpSchema(inputs: 3...5, operandInputs: [1, 2, 3, 4])
        case .gather:
            return OpSchema(inputs: 2...2, attributes: ["axis": .int])
        case .shape:
            return OpSchema(inputs: 1...1, attributes: ["start": .int, "end": .int])
        case .cast:
            return OpSchema(inputs: 1...1, attributes: ["to": .string])
        case .constant:
            return OpSchema(inputs: 0...0, attributes: ["value": .tensor])
        case .dropout:
            return OpSchema(inputs: 1...3, outputs: 1...2, attributes: ["ratio": .float, "seed": .int],
                            operandInputs: [1, 2])
        case .gemm:
            return OpSchema(inputs: 2...3, attributes: [
                "alpha": .float, "beta": .float, "transA": .int, "transB": .int])
        case .matMul:
            return OpSchema(inputs: 2...2)
        case .reduceMean, .reduceSum:
            return OpSchema(inputs: 1...2, attributes: ["keepdims": .int, "noop_with_empty_axes": .int],
                            operandInputs: [1])
        case .softmax, .logSoftmax:
            return OpSchema(inputs: 1...1, attributes: ["axis": .int])
        case .softmaxCrossEntropyLoss:
            return OpSchema(inputs: 2...3, outputs: 1...2,
                            attributes: ["reduction": .string, "ignore_index": .int])
        case .negativeLogLikelihoodLoss:
            return OpSchema(inputs: 2...3, attributes: ["reduction": .string, "ignore_index": .int])
        case .convGradInput, .convGradWeight:
            var a: [String: AttributeKind] = [
                "kernel_shape": .ints, "strides": .ints, "pads": .ints, "dilations": .ints,
                "group": .int, "auto_pad": .string]
            if self == .convGradInput { a["input_spatial_shape"] = .ints }
            return OpSchema(inputs: 2...2, attributes: a)
        case .maxPoolGrad:
            var a = Self.poolAttributes
            a["storage_order"] = .int
            return OpSchema(inputs: 2...2, attributes: a)
        case .averagePoolGrad:
            var a = Self.poolAttributes
            a["count_include_pad"] = .int
            a["input_spatial_shape"] = .ints
            return OpSchema(inputs: 1...1, attributes: a)
        case .batchNormalizationGrad:
            return OpSchema(inputs: 3...5, outputs: 3...3, attributes: ["epsilon": .float, "training_mode": .int])
        case .activationGrad:
            return OpSchema(inputs: 2...2, attributes: ["activation": .string, "activation_params": .floats])
        case .softmaxCrossEntropyLossGrad, .negativeLogLikelihoodLossGrad:
            return OpSchema(inputs: 3...4, attributes: ["reduction": .string, "ignore_index": .int])
        case .broadcastLike:
            return OpSchema(inputs: 2...2)
        }
    }
}

extension OpKind {
    /// Ops that GraphCAM itself creates (fusions, backward ops) and that no ONNX
    /// model may contain; the importer rejects them as unknown operators.
    public var isInternal: Bool {
        switch self {
        case .fusedConv, .convGradInput, .convGradWeight, .maxPoolGrad, .averagePoolGrad,
             .batchNormalizationGrad, .activationGrad, .softmaxCrossEntropyLossGrad,
             .negativeLogLikelihoodLossGrad, .broadcastLike:
            return true
        default:
            return false
        }
    }
}

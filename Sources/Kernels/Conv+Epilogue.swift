import Foundation

/// An activation applied in a convolution's epilogue (FusedConv).
public enum FusedActivation: Equatable, Sendable {
    case none
    case relu
    case clip(min: Float, max: Float)
    case sigmoid
    /// x * sigmoid(x)
    case swish
    case leakyRelu(alpha: Float)
    case hardSigmoid(alpha: Float, beta: Float)

    /// Applies the activation to one value.
    @inline(__always)
    public func apply(_ x: Float) -> Float {
        switch self {
        case .none: return x
        case .relu: return max(x, 0)
        case .clip(let lo, let hi): return min(max(x, lo), hi)
        case .sigmoid: return 1 / (1 + expf(-x))
        case .swish: return x / (1 + expf(-x))
        case .leakyRelu(let a): return x >= 0 ? x : a * x
        case .hardSigmoid(let a, let b): return min(max(a * x + b, 0), 1)
        }
    }
}

/// What a fused convolution does after the products: `act(conv + bias + residual)`.
/// The bias is passed to `Conv.forward` as before; the residual has the output's shape.
public struct ConvEpilogue {
    public var residual: UnsafePointer<Float>?
    public var activation: FusedActivation

    public init(residual: UnsafePointer<Float>? = nil, activation: FusedActivation = .none) {
        self.residual = residual
        self.activation = activation
    }

    public var isIdentity: Bool { residual == nil && activation == .none }
}

extension Conv {
    /// `forward` followed by the epilogue: `output = act(conv(input) + bias + residual)`.
    /// The residual may alias `output` only if it is the same buffer (in-place add).
    public static func forward(
        _ plan: Plan, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>,
        workspace: UnsafeMutablePointer<Float>?, epilogue: ConvEpilogue
    ) throws {
        guard !epilogue.isIdentity else {
            return try forward(plan, input: input, weight: weight, bias: bias, output: output, workspace: workspace)
        }
        if let residual = epilogue.residual, residual == UnsafePointer(output) {
            throw KernelParameterError(kernel: "Conv", field: "residual",
                                       message: "the residual must not be the output buffer")
        }
        try forward(plan, input: input, weight: weight, bias: bias, output: output, workspace: workspace)
        let count = plan.params.batch * plan.params.outputCountPerImage
        let act = epilogue.activation
        Parallel.forEachChunk(count: count, minimumChunk: 1 << 14) { range in
            if let residual = epilogue.residual {
                for i in range { output[i] = act.apply(output[i] + residual[i]) }
            } else {
                for i in range { output[i] = act.apply(output[i]) }
            }
        }
    }
}

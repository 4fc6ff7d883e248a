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

extension ConvEpilogue {
    /// `destination[i] = act(source[i] + bias + residual[i])` for `i < count`, in one pass.
    /// `source` may equal `destination`; `residual` is already offset to this run.
    @inline(__always)
    func apply(_ source: UnsafePointer<Float>, bias: Float, residual: UnsafePointer<Float>?,
               to destination: UnsafeMutablePointer<Float>, count: Int) {
        switch activation {
        case .none: Self.map(source, bias, residual, destination, count) { $0 }
        case .relu: Self.map(source, bias, residual, destination, count) { $0 > 0 ? $0 : 0 }
        case .clip(let lo, let hi):
            Self.map(source, bias, residual, destination, count) { x in
                let low = x < lo ? lo : x
                return low > hi ? hi : low
            }
        default:
            let act = activation
            Self.map(source, bias, residual, destination, count) { act.apply($0) }
        }
    }

    /// The loop behind `apply`, specialized per activation so the common ones vectorize.
    @inline(__always)
    private static func map(
        _ source: UnsafePointer<Float>, _ bias: Float, _ residual: UnsafePointer<Float>?,
        _ destination: UnsafeMutablePointer<Float>, _ count: Int, _ f: (Float) -> Float
    ) {
        if let residual {
            for i in 0..<count { destination[i] = f(source[i] + bias + residual[i]) }
        } else {
            for i in 0..<count { destination[i] = f(source[i] + bias) }
        }
    }
}

extension Conv {
    /// `forward` fused with the epilogue: `output = act(conv(input) + bias + residual)`; the
    /// epilogue runs inside each algorithm's last pass over the output, while it is cache-hot.
    /// The residual may be the output buffer only when `plan.writesOverResidual`.
    public static func forward(
        _ plan: Plan, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>,
        workspace: UnsafeMutablePointer<Float>?, epilogue: ConvEpilogue
    ) throws {
        try checkResidual(epilogue, output: output, plan: plan)
        try run(plan, input: input, weight: weight, packed: nil, bias: bias, output: output,
                workspace: workspace, epilogue: epilogue)
    }

    static func checkResidual(_ epilogue: ConvEpilogue, output: UnsafeMutablePointer<Float>, plan: Plan) throws {
        if let residual = epilogue.residual, residual == UnsafePointer(output), !plan.writesOverResidual {
            throw KernelParameterError(kernel: "Conv", field: "residual",
                                       message: "the residual must not be the output buffer for \(plan.algorithm)")
        }
    }
}

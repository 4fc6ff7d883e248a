import Foundation

/// The activations whose gradient `activationBackward` computes (ONNX semantics; the
/// names and parameters of FusedConv's `activation` attribute).
public enum ActivationGradient: Sendable, Equatable {
    case relu
    case leakyRelu(alpha: Float)
    case clip(min: Float, max: Float)
    case sigmoid
    case hardSigmoid(alpha: Float, beta: Float)
    case swish(alpha: Float)
    case hardSwish

    /// Resolves an activation name and its parameters ("Relu", "LeakyRelu" [alpha],
    /// "Clip" [min, max], "Sigmoid", "HardSigmoid" [alpha, beta], "Swish" [alpha],
    /// "HardSwish"); nil for an unknown name or a wrong parameter count. Omitted
    /// parameters take the ONNX defaults (LeakyRelu 0.01, HardSigmoid 0.2 / 0.5, Swish 1).
    public init?(name: String, parameters p: [Float]) {
        switch (name, p.count) {
        case ("Relu", 0): self = .relu
        case ("LeakyRelu", 0): self = .leakyRelu(alpha: 0.01)
        case ("LeakyRelu", 1): self = .leakyRelu(alpha: p[0])
        case ("Clip", 2): self = .clip(min: p[0], max: p[1])
        case ("Sigmoid", 0): self = .sigmoid
        case ("HardSigmoid", 0): self = .hardSigmoid(alpha: 0.2, beta: 0.5)
        case ("HardSigmoid", 2): self = .hardSigmoid(alpha: p[0], beta: p[1])
        case ("Swish", 0): self = .swish(alpha: 1)
        case ("Swish", 1): self = .swish(alpha: p[0])
        case ("HardSwish", 0): self = .hardSwish
        default: return nil
        }
    }
}

/// `dx = dy * f'(x)` elementwise. At a kink the right piece's derivative is taken
/// (Relu: 0 at x = 0; LeakyRelu: 1 at 0; Clip: 1 on the closed interval; HardSigmoid
/// and HardSwish: the flat piece at their breakpoints). `dx` may alias `dy`.
public func activationBackward(
    _ activation: ActivationGradient, gradOutput dy: UnsafePointer<Float>, input x: UnsafePointer<Float>,
    gradInput dx: UnsafeMutablePointer<Float>, count: Int
) {
    Parallel.forEachChunk(count: count, minimumChunk: 16_384) { range in
        switch activation {
        case .relu:
            reluBackward(dy + range.lowerBound, x + range.lowerBound, dx + range.lowerBound, range.count)
        case .leakyRelu(let alpha):
            for i in range { dx[i] = x[i] >= 0 ? dy[i] : alpha * dy[i] }
        case .clip(let lo, let hi):
            for i in range { dx[i] = x[i] >= lo && x[i] <= hi ? dy[i] : 0 }
        case .sigmoid:
            for i in range {
                let s = 1 / (1 + Foundation.exp(-x[i]))
                dx[i] = dy[i] * s * (1 - s)
            }
        case .hardSigmoid(let alpha, let beta):
            for i in range {
                let u = alpha * x[i] + beta
                dx[i] = u > 0 && u < 1 ? alpha * dy[i] : 0
            }
        case .swish(let alpha):
            for i in range {
                let s = 1 / (1 + Foundation.exp(-alpha * x[i]))
                dx[i] = dy[i] * (s + alpha * x[i] * s * (1 - s))
            }
        case .hardSwish:
            for i in range {
                let v = x[i]
                dx[i] = v < -3 ? 0 : v > 3 ? dy[i] : dy[i] * (v / 3 + 0.5)
            }
        }
    }
}

/// `dx = x > 0 ? dy : 0` in eight float lanes (the loop over pointers that may alias does
/// not vectorize by itself). `dx` may alias `dy`.
@inline(__always)
func reluBackward(_ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, _ count: Int) {
    typealias V = SIMD8<Float>
    let rx = UnsafeRawPointer(x), rdy = UnsafeRawPointer(dy), rdx = UnsafeMutableRawPointer(dx)
    let zero = V()
    var i = 0
    while i + 8 <= count {
        let g = rdy.loadUnaligned(fromByteOffset: i * 4, as: V.self)
        let v = rx.loadUnaligned(fromByteOffset: i * 4, as: V.self)
        rdx.storeBytes(of: g.replacing(with: zero, where: .!(v .> zero)), toByteOffset: i * 4, as: V.self)
        i += 8
    }
    while i < count {
        dx[i] = x[i] > 0 ? dy[i] : 0
        i += 1
    }
}

import Foundation

/// How a parameter's initial values are drawn, mirroring Keras's initializer families.
public enum Initializer: Sendable, Equatable {
    public enum FanMode: String, Sendable { case fanIn = "fan_in", fanOut = "fan_out", fanAvg = "fan_avg" }
    public enum Distribution: String, Sendable { case truncatedNormal = "truncated_normal", untruncatedNormal = "untruncated_normal", uniform }

    case zeros
    case ones
    case constant(Float)
    case uniform(low: Float, high: Float)
    case normal(mean: Float, stddev: Float)
    /// Keras `VarianceScaling`; `glorotUniform` is (1, fanAvg, uniform), `heNormal` is
    /// (2, fanIn, truncatedNormal).
    case varianceScaling(scale: Float, mode: FanMode, distribution: Distribution)

    public static let glorotUniform = Initializer.varianceScaling(scale: 1, mode: .fanAvg, distribution: .uniform)
    public static let glorotNormal = Initializer.varianceScaling(scale: 1, mode: .fanAvg, distribution: .truncatedNormal)
    public static let heNormal = Initializer.varianceScaling(scale: 2, mode: .fanIn, distribution: .truncatedNormal)
    public static let heUniform = Initializer.varianceScaling(scale: 2, mode: .fanIn, distribution: .uniform)

    /// Keras's fan computation for a weight in our layouts: 2-D dense kernels are
    /// [in, out]; convolution kernels are [out, in/group, k...] (receptive field = prod k).
    public static func defaultFans(shape: [Int]) -> (fanIn: Int, fanOut: Int) {
        switch shape.count {
        case 0: return (1, 1)
        case 1: return (shape[0], shape[0])
        case 2: return (shape[0], shape[1])
        default:
            let rf = shape[2...].reduce(1, *)
            return (shape[1] * rf, shape[0] * rf)
        }
    }

    /// Draws `count` values. `fans` overrides the default fan computation (Keras's
    /// depthwise kernels count fans differently from our OIHW layout).
    public func sample(count: Int, shape: [Int], fans: (fanIn: Int, fanOut: Int)? = nil,
                       rng: inout SeededRandom) -> [Float] {
        switch self {
        case .zeros: return Array(repeating: 0, count: count)
        case .ones: return Array(repeating: 1, count: count)
        case .constant(let c): return Array(repeating: c, count: count)
        case .uniform(let lo, let hi):
            return (0..<count).map { _ in lo + (hi - lo) * rng.nextUnitFloat() }
        case .normal(let mean, let std):
            return (0..<count).map { _ in mean + std * rng.nextGaussian() }
        case .varianceScaling(let scale, let mode, let distribution):
            let (fi, fo) = fans ?? Self.defaultFans(shape: shape)
            let n: Float
            switch mode {
            case .fanIn: n = Float(max(1, fi))
            case .fanOut: n = Float(max(1, fo))
            case .fanAvg: n = Float(max(1, fi + fo)) / 2
            }
            let variance = scale / n
            switch distribution {
            case .uniform:
                let limit = (3 * variance).squareRoot()
                return (0..<count).map { _ in -limit + 2 * limit * rng.nextUnitFloat() }
            case .untruncatedNormal:
                let std = variance.squareRoot()
                return (0..<count).map { _ in std * rng.nextGaussian() }
            case .truncatedNormal:
                // Keras: stddev of a unit normal truncated to [-2, 2] is 0.8796...
                let std = variance.squareRoot() / 0.87962566103423978
                return (0..<count).map { _ in
                    var z = rng.nextGaussian()
                    while abs(z) > 2 { z = rng.nextGaussian() }
                    return std * z
                }
            }
        }
    }
}

/// A small, fast, seedable generator (SplitMix64). Deterministic across platforms and
/// runs, unlike Swift's `Hasher`-seeded facilities.
public struct SeededRandom: Sendable, RandomNumberGenerator {
    public private(set) var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// A generator for one named stream: the same (seed, name) always gives the same
    /// sequence, whatever else was drawn before.
    public init(seed: UInt64, stream name: String) {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV-1a
        for b in name.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        state = seed ^ h
        _ = next()
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1) with 24 bits of precision.
    public mutating func nextUnitFloat() -> Float { Float(next() >> 40) * (1.0 / 16_777_216.0) }

    /// Uniform in [0, 1) with 53 bits of precision.
    public mutating func nextUnitDouble() -> Double { Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0) }

    /// Standard normal (Box-Muller).
    public mutating func nextGaussian() -> Float {
        let u1 = max(nextUnitDouble(), 1e-300), u2 = nextUnitDouble()
        return Float((-2 * _log(u1)).squareRoot() * _cos(2 * Double.pi * u2))
    }
}

@inline(__always) func _log(_ x: Double) -> Double { Foundation.log(x) }
@inline(__always) func _cos(_ x: Double) -> Double { Foundation.cos(x) }

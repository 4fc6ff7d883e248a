// Activations applied in the GEMM's final store (convolution epilogues), as vectors in the
// microkernel and as scalars on ragged tiles. Only called after a run-time CPU check.
import Glibc

/// Activation codes for `AVX512Gemm.multiplySegmented` (plain integers: a type defined here
/// would get value-witness helpers the linker may share with code for other CPUs). The two
/// parameters `p`, `q` are the clip bounds, the leaky slope, or the hard-sigmoid `alpha`, `beta`.
public enum EpilogueCode {
    /// `x`
    public static var identity: Int { 0 }
    /// `max(x, 0)`
    public static var relu: Int { 1 }
    /// `min(max(x, p), q)`
    public static var clip: Int { 2 }
    /// `x >= 0 ? x : p * x`
    public static var leakyRelu: Int { 3 }
    /// `min(max(p * x + q, 0), 1)`
    public static var hardSigmoid: Int { 4 }
    /// `1 / (1 + exp(-x))`
    public static var sigmoid: Int { 5 }
    /// `x / (1 + exp(-x))`
    public static var swish: Int { 6 }
}

/// The activation `code` on each lane; the comparisons match `activate(scalar)` (and Kernels'
/// `FusedActivation.apply`) exactly, NaNs included.
@inline(always)
func activate(_ x: Vector, _ code: Int, _ p: Float, _ q: Float) -> Vector {
    let zero = Vector()
    switch code {
    case 0: return x
    case 1: return zero.replacing(with: x, where: x .> zero)
    case 2:
        let low = x.replacing(with: p, where: x .< Vector(repeating: p))
        return low.replacing(with: q, where: low .> Vector(repeating: q))
    case 3: return (Vector(repeating: p) * x).replacing(with: x, where: x .>= zero)
    default:
        var y = x
        for lane in 0..<16 { y[lane] = activate(x[lane], code, p, q) }
        return y
    }
}

/// The activation `code` on one value.
@inline(__always)
func activate(_ x: Float, _ code: Int, _ p: Float, _ q: Float) -> Float {
    switch code {
    case 0: return x
    case 1: return x > 0 ? x : 0
    case 2:
        let low = x < p ? p : x
        return low > q ? q : low
    case 3: return x >= 0 ? x : p * x
    case 4: return min(max(p * x + q, 0), 1)
    case 5: return 1 / (1 + expf(-x))
    default: return x / (1 + expf(-x))
    }
}

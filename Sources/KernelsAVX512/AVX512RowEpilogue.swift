// The conv epilogue over a run of floats, shared by the depthwise and direct kernels.

/// `destination[i] = act(source[i] + bias + residual[i])` for `i < count` (`destination` may
/// be `source`), for the activations `kind` 0 none, 1 ReLU (`x > 0 ? x : 0`), 2 clip
/// (`x < low ? low : x`, then `x > high ? high : x`): Kernels' scalar epilogue to the bit.
/// Plain loops, which LLVM vectorizes to zmm max / min (SIMD masks would compile to per-lane
/// code).
@inline(__always)
func finishRun(
    _ source: UnsafePointer<Float>, _ destination: UnsafeMutablePointer<Float>, count: Int, bias: Float,
    residual: UnsafePointer<Float>?, kind: Int, low: Float, high: Float
) {
    @inline(__always) func relu(_ x: Float) -> Float { x > 0 ? x : 0 }
    @inline(__always) func clip(_ x: Float) -> Float {
        let clipped = x < low ? low : x
        return clipped > high ? high : clipped
    }
    let s = source, out = destination
    switch (kind, residual) {
    case (0, nil): for i in 0..<count { out[i] = s[i] + bias }
    case (0, let r?): for i in 0..<count { out[i] = s[i] + bias + r[i] }
    case (1, nil): for i in 0..<count { out[i] = relu(s[i] + bias) }
    case (1, let r?): for i in 0..<count { out[i] = relu(s[i] + bias + r[i]) }
    case (_, nil): for i in 0..<count { out[i] = clip(s[i] + bias) }
    case (_, let r?): for i in 0..<count { out[i] = clip(s[i] + bias + r[i]) }
    }
}

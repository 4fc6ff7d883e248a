// Stride-2 gathers for im2col rows (the strided 3x3 and 1x1 convolutions of ResNet).

public enum AVX512Im2Col {
    /// `destination[i] = source[2 * i]` for `i` in `0 ..< 16`: one 32-float load and an
    /// even-lane shuffle instead of 16 scalar copies. Reads `source[0 ..< 32]` and writes
    /// `destination[0 ..< 16]`; a caller that wants fewer outputs must let the rest be
    /// overwritten (and rewrite them afterwards).
    @inline(never)
    public static func gatherEven16(_ source: UnsafePointer<Float>, into destination: UnsafeMutablePointer<Float>) {
        let pair = UnsafeRawPointer(source).loadUnaligned(as: SIMD32<Float>.self)
        UnsafeMutableRawPointer(destination).storeBytes(of: pair.evenHalf, as: SIMD16<Float>.self)
    }
}

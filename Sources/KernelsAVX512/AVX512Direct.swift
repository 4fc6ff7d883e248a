// Direct-convolution inner loops for few input channels (a network's stem), AVX-512.
// Only called after a run-time CPU check (see Kernels' CPUFeatures); never on other CPUs.

/// The tap sums of a direct convolution for eight output channels at once over flat runs of
/// outputs. Kernels lays the padded input out so that every (input channel, tap) pair of
/// every output reads `base + offsets[pair] + o` (see Kernels' `DirectConvLayout`); each pair
/// is then a few contiguous loads, each multiplied by eight broadcast weights.
public enum AVX512Direct {
    /// Output channels per call: the register tile is 8 channels x 3 vectors of 16 outputs.
    public static let channelBlock = 8

    /// `sums[j * sumsStride + o] = sum over p of weights[p * 8 + j] * base[offsets[p] + o]` for
    /// `j < 8` and every `o` below `count` rounded up to a multiple of 16: the caller makes
    /// those reads and writes valid. Pairs are summed in order with fused multiply-adds.
    public static func accumulate(
        base: UnsafePointer<Float>, offsets: UnsafePointer<Int>, pairCount: Int,
        weights: UnsafePointer<Float>, count: Int, sums: UnsafeMutablePointer<Float>, sumsStride: Int
    ) {
        var o = 0
        while count - o > 32 {
            tile(3, base + o, offsets, pairCount, weights, sums + o, sumsStride)
            o += 48
        }
        while o < count {
            tile(1, base + o, offsets, pairCount, weights, sums + o, sumsStride)
            o += 16
        }
    }

    /// One register tile: 8 channels x `vectors` (1 or 3, folded at each call site) vectors.
    @inline(__always)
    private static func tile(
        _ vectors: Int, _ base: UnsafePointer<Float>, _ offsets: UnsafePointer<Int>, _ pairCount: Int,
        _ weights: UnsafePointer<Float>, _ sums: UnsafeMutablePointer<Float>, _ stride: Int
    ) {
        var a0 = Vector(), a1 = Vector(), a2 = Vector(), a3 = Vector()
        var a4 = Vector(), a5 = Vector(), a6 = Vector(), a7 = Vector()
        var b0 = Vector(), b1 = Vector(), b2 = Vector(), b3 = Vector()
        var b4 = Vector(), b5 = Vector(), b6 = Vector(), b7 = Vector()
        var c0 = Vector(), c1 = Vector(), c2 = Vector(), c3 = Vector()
        var c4 = Vector(), c5 = Vector(), c6 = Vector(), c7 = Vector()
        var w = weights
        for p in 0..<pairCount {
            let source = base + offsets[p]
            let x = load(source)
            let y = vectors > 1 ? load(source + 16) : Vector()
            let z = vectors > 2 ? load(source + 32) : Vector()
            @inline(__always)
            func row(_ k: Int, _ a: inout Vector, _ b: inout Vector, _ c: inout Vector) {
                let s = Vector(repeating: w[k])
                a = a.addingProduct(s, x)
                if vectors > 1 { b = b.addingProduct(s, y) }
                if vectors > 2 { c = c.addingProduct(s, z) }
            }
            row(0, &a0, &b0, &c0)
            row(1, &a1, &b1, &c1)
            row(2, &a2, &b2, &c2)
            row(3, &a3, &b3, &c3)
            row(4, &a4, &b4, &c4)
            row(5, &a5, &b5, &c5)
            row(6, &a6, &b6, &c6)
            row(7, &a7, &b7, &c7)
            w += 8
        }
        @inline(__always)
        func put(_ k: Int, _ a: Vector, _ b: Vector, _ c: Vector) { storeVectors(vectors, a, b, c, to: sums + k * stride) }
        put(0, a0, b0, c0)
        put(1, a1, b1, c1)
        put(2, a2, b2, c2)
        put(3, a3, b3, c3)
        put(4, a4, b4, c4)
        put(5, a5, b5, c5)
        put(6, a6, b6, c6)
        put(7, a7, b7, c7)
    }

    /// `output[r * width + i] = act(sums[r * sumsStride + i] + bias + residual[r * width + i])`
    /// for `r < height`, `i < width`: the flat sums of one channel moved to its output rows with
    /// the epilogue (activation `kind` as in `AVX512Depthwise.finishPlane`, to the bit).
    public static func finishRows(
        sums: UnsafePointer<Float>, sumsStride: Int, width: Int, height: Int,
        output: UnsafeMutablePointer<Float>, bias: Float, residual: UnsafePointer<Float>?,
        kind: Int, low: Float, high: Float
    ) {
        for r in 0..<height {
            finishRun(sums + r * sumsStride, output + r * width, count: width, bias: bias,
                      residual: residual.map { $0 + r * width }, kind: kind, low: low, high: high)
        }
    }
}

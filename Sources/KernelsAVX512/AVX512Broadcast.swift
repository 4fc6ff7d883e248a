// Direct convolution with output channels in the vectors: each step of the register tile
// multiplies one (input channel, tap) pair's weights for 48 output channels (three vectors)
// by the input values of 8 output positions, broadcast. Positions may be anywhere (strided
// windows, images of 49 positions): no im2col copy and no vectors straddling images.
// Only called after a run-time CPU check (see Kernels' CPUFeatures); never on other CPUs.

public enum AVX512Broadcast {
    /// Output positions per register tile.
    public static let positions = 8
    /// Output channels per weight panel and register tile (three vectors).
    public static let channelsPerPanel = 48

    /// `tile[j * 48 + c] = sum over input channels i < channels and taps t < tapCount of
    /// x[offsets[j] + i * channelStride + taps[t]] * w[(i * tapCount + t) * 16 * vectors + c]`
    /// for `j < 8` and `c < 16 * vectors` (`vectors` in 1...3): the weights are one panel of
    /// `channels * tapCount` rows, the input is read at 8 positions' window origins.
    @inline(never)
    public static func tile(
        vectors: Int, x: UnsafePointer<Float>, offsets: UnsafePointer<Int>, channels: Int, channelStride: Int,
        taps: UnsafePointer<Int>, tapCount: Int, w: UnsafePointer<Float>, into tile: UnsafeMutablePointer<Float>
    ) {
        switch vectors {
        case 3: registerTile(3, x, offsets, channels, channelStride, taps, tapCount, w, tile)
        case 2: registerTile(2, x, offsets, channels, channelStride, taps, tapCount, w, tile)
        default: registerTile(1, x, offsets, channels, channelStride, taps, tapCount, w, tile)
        }
    }

    // `always`: each `vectors` case gets its own copy with the constant folded in.
    @inline(always)
    private static func registerTile(
        _ vectors: Int, _ x: UnsafePointer<Float>, _ offsets: UnsafePointer<Int>, _ channels: Int,
        _ channelStride: Int, _ taps: UnsafePointer<Int>, _ tapCount: Int, _ w: UnsafePointer<Float>,
        _ tile: UnsafeMutablePointer<Float>
    ) {
        let zero = Vector()
        var c00 = zero, c01 = zero, c02 = zero, c10 = zero, c11 = zero, c12 = zero
        var c20 = zero, c21 = zero, c22 = zero, c30 = zero, c31 = zero, c32 = zero
        var c40 = zero, c41 = zero, c42 = zero, c50 = zero, c51 = zero, c52 = zero
        var c60 = zero, c61 = zero, c62 = zero, c70 = zero, c71 = zero, c72 = zero
        var x0 = x + offsets[0], x1 = x + offsets[1], x2 = x + offsets[2], x3 = x + offsets[3]
        var x4 = x + offsets[4], x5 = x + offsets[5], x6 = x + offsets[6], x7 = x + offsets[7]
        let width = 16 * vectors
        var pw = w
        @inline(__always)
        func row(_ s: Float, _ w0: Vector, _ w1: Vector, _ w2: Vector,
                 _ a: inout Vector, _ b: inout Vector, _ c: inout Vector) {
            fmaRow(s, vectors, w0, w1, w2, &a, &b, &c)
        }
        for _ in 0..<channels {
            for t in 0..<tapCount {
                let o = taps[t]
                let w0 = load(pw)
                let w1 = vectors > 1 ? load(pw + 16) : zero
                let w2 = vectors > 2 ? load(pw + 32) : zero
                row(x0[o], w0, w1, w2, &c00, &c01, &c02)
                row(x1[o], w0, w1, w2, &c10, &c11, &c12)
                row(x2[o], w0, w1, w2, &c20, &c21, &c22)
                row(x3[o], w0, w1, w2, &c30, &c31, &c32)
                row(x4[o], w0, w1, w2, &c40, &c41, &c42)
                row(x5[o], w0, w1, w2, &c50, &c51, &c52)
                row(x6[o], w0, w1, w2, &c60, &c61, &c62)
                row(x7[o], w0, w1, w2, &c70, &c71, &c72)
                pw += width
            }
            x0 += channelStride; x1 += channelStride; x2 += channelStride; x3 += channelStride
            x4 += channelStride; x5 += channelStride; x6 += channelStride; x7 += channelStride
        }
        @inline(__always)
        func put(_ j: Int, _ a: Vector, _ b: Vector, _ c: Vector) {
            storeVectors(vectors, a, b, c, to: tile + j * channelsPerPanel)
        }
        put(0, c00, c01, c02); put(1, c10, c11, c12); put(2, c20, c21, c22); put(3, c30, c31, c32)
        put(4, c40, c41, c42); put(5, c50, c51, c52); put(6, c60, c61, c62); put(7, c70, c71, c72)
    }

    /// Writes a tile's first `count` positions (`count <= 8`, the only rows of `tile` read) for
    /// `channels` channels (even) to NCHW: `y[c * planeStride + j] = act(tile[j * 48 + c] + bias[c] + residual[same])`,
    /// two channels per vector. `residual` has `y`'s layout and may be `y` itself (each value
    /// is read before it is overwritten); `activation` is an `EpilogueCode` with `p`, `q`.
    @inline(never)
    public static func storeTile(
        _ tile: UnsafePointer<Float>, channels: Int, count: Int, y: UnsafeMutablePointer<Float>, planeStride: Int,
        bias: UnsafePointer<Float>?, residual: UnsafePointer<Float>?, activation: Int, p: Float, q: Float
    ) {
        var c = 0
        while c < channels {
            var v = Vector()
            for j in 0..<count {
                v[j] = tile[j * channelsPerPanel + c]
                v[8 + j] = tile[j * channelsPerPanel + c + 1]
            }
            if let bias {
                v += Vector(lowHalf: SIMD8(repeating: bias[c]), highHalf: SIMD8(repeating: bias[c + 1]))
            }
            let first = y + c * planeStride, second = first + planeStride
            if count == 8 {
                if let residual {
                    let r = residual + c * planeStride
                    v += Vector(lowHalf: UnsafeRawPointer(r).loadUnaligned(as: SIMD8<Float>.self),
                                highHalf: UnsafeRawPointer(r + planeStride).loadUnaligned(as: SIMD8<Float>.self))
                }
                v = activate(v, activation, p, q)
                UnsafeMutableRawPointer(first).storeBytes(of: v.lowHalf, as: SIMD8<Float>.self)
                UnsafeMutableRawPointer(second).storeBytes(of: v.highHalf, as: SIMD8<Float>.self)
            } else {
                if let residual {
                    let r = residual + c * planeStride
                    for j in 0..<count {
                        v[j] += r[j]
                        v[8 + j] += r[planeStride + j]
                    }
                }
                v = activate(v, activation, p, q)
                for j in 0..<count {
                    first[j] = v[j]
                    second[j] = v[8 + j]
                }
            }
            c += 2
        }
    }
}

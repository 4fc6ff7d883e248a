// Winograd transforms vectorized across 16 tiles taken from anywhere (other rows, other
// images), for planes whose tile rows are too short to fill a vector: ResNet's 14x14 and
// 7x7 layers have 4 and 2 tiles per row, which left 12 and 14 of 16 lanes idle in the
// row-wise transforms and stored their results lane by lane.
// Only called after the run-time CPU check (see Kernels' CPUFeatures).

extension AVX512Winograd {
    /// `V[xi] = (B^T d B)[xi]` for 16 tiles at once. `d` holds each tile's `alpha x alpha`
    /// window lane-major (value `(i, j)` of tile `lane` at `d[(i * alpha + j) * 16 + lane]`;
    /// overwritten). Point `xi` of tile `lane < count` goes to `v[xi * planeStride + lane]`.
    @inline(never)
    public static func inputTiles(
        m: Int, d: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>, planeStride: Int, count: Int
    ) {
        @inline(__always) func at(_ i: Int, _ j: Int, _ alpha: Int) -> UnsafeMutablePointer<Float> {
            d + (i * alpha + j) * 16
        }
        if m == 2 {
            // Columns then rows of B^T (F(2x2): d0 - d2, d1 + d2, d2 - d1, d1 - d3).
            for j in 0..<4 {
                let d0 = load(at(0, j, 4)), d1 = load(at(1, j, 4)), d2 = load(at(2, j, 4)), d3 = load(at(3, j, 4))
                store(d0 - d2, at(0, j, 4)); store(d1 + d2, at(1, j, 4))
                store(d2 - d1, at(2, j, 4)); store(d1 - d3, at(3, j, 4))
            }
            for r in 0..<4 {
                let x0 = load(at(r, 0, 4)), x1 = load(at(r, 1, 4)), x2 = load(at(r, 2, 4)), x3 = load(at(r, 3, 4))
                let out = v + 4 * r * planeStride
                storePartial(x0 - x2, out, count)
                storePartial(x1 + x2, out + planeStride, count)
                storePartial(x2 - x1, out + 2 * planeStride, count)
                storePartial(x1 - x3, out + 3 * planeStride, count)
            }
            return
        }
        // Columns (in place), then rows, of B^T.
        for j in 0..<6 {
            let t = inputTransformF4(load(at(0, j, 6)), load(at(1, j, 6)), load(at(2, j, 6)),
                                     load(at(3, j, 6)), load(at(4, j, 6)), load(at(5, j, 6)))
            store(t.0, at(0, j, 6)); store(t.1, at(1, j, 6)); store(t.2, at(2, j, 6))
            store(t.3, at(3, j, 6)); store(t.4, at(4, j, 6)); store(t.5, at(5, j, 6))
        }
        for r in 0..<6 {
            let t = inputTransformF4(load(at(r, 0, 6)), load(at(r, 1, 6)), load(at(r, 2, 6)),
                                     load(at(r, 3, 6)), load(at(r, 4, 6)), load(at(r, 5, 6)))
            storePoints(t, v + 6 * r * planeStride, planeStride: planeStride, count: count)
        }
    }

    /// Floats of scratch `outputTiles` needs.
    public static let outputTilesScratchCount = 24 * 16

    /// `Y = A^T M A` for 16 tiles at once: point `xi`'s products of the 16 tiles at
    /// `products + xi * planeStride` (16 readable floats each), output `(a, b)` of tile `lane`
    /// to `y[(a * m + b) * 16 + lane]`. `scratch` holds `outputTilesScratchCount` floats.
    @inline(never)
    public static func outputTiles(
        m: Int, products: UnsafePointer<Float>, planeStride: Int, y: UnsafeMutablePointer<Float>,
        scratch q: UnsafeMutablePointer<Float>
    ) {
        @inline(__always) func p(_ xi: Int) -> Vector { load(products + xi * planeStride) }
        if m == 2 {
            // The same expressions as `outputRowF2`.
            let s0 = p(0) + p(4) + p(8), s1 = p(1) + p(5) + p(9), s2 = p(2) + p(6) + p(10), s3 = p(3) + p(7) + p(11)
            let e0 = p(4) - p(8) - p(12), e1 = p(5) - p(9) - p(13), e2 = p(6) - p(10) - p(14), e3 = p(7) - p(11) - p(15)
            store(s0 + s1 + s2, y); store(s1 - s2 - s3, y + 16)
            store(e0 + e1 + e2, y + 32); store(e1 - e2 - e3, y + 48)
            return
        }
        // A^T over the rows of points, then over the columns.
        for s in 0..<6 {
            let t = outputTransformF4(p(s), p(6 + s), p(12 + s), p(18 + s), p(24 + s), p(30 + s))
            store(t.0, q + s * 16); store(t.1, q + (6 + s) * 16)
            store(t.2, q + (12 + s) * 16); store(t.3, q + (18 + s) * 16)
        }
        for a in 0..<4 {
            @inline(__always) func x(_ s: Int) -> Vector { load(q + (a * 6 + s) * 16) }
            let t = outputTransformF4(x(0), x(1), x(2), x(3), x(4), x(5))
            let row = y + a * 4 * 16
            store(t.0, row); store(t.1, row + 16); store(t.2, row + 32); store(t.3, row + 48)
        }
    }
}

import CMaskedStore

// Winograd input and output transforms vectorized across 16 tiles of one tile row: every
// step is a whole-vector add or multiply, and the stride-m reads of tile columns become
// even/odd lane shuffles. Only called after the run-time CPU check (see Kernels'
// CPUFeatures); Kernels keeps the scalar transforms for other CPUs.

/// Vectorized `F(m x m, 3 x 3)` transforms for m = 2 (alpha 4) and m = 4 (alpha 6).
public enum AVX512Winograd {
    /// Floats a band row must hold for `tilesWide` tiles of edge `m`: every vector load of
    /// `inputRow` stays inside (columns past the image must be zero).
    public static func bandWidth(m: Int, tilesWide: Int) -> Int {
        let groups = (tilesWide + 15) / 16
        return (groups * 16 * m + m + 16 + 15) / 16 * 16
    }

    /// Floats of scratch `outputRow` needs.
    public static let outputScratchCount = (4 + 24) * 16

    /// Floats of scratch `inputRow` needs.
    public static func inputScratchCount(m: Int, bandWidth: Int) -> Int { (m + 2) * bandWidth }

    /// `V[xi][tile] = (B^T d B)[xi]` for the `tilesWide` tiles of one row of tiles of one
    /// channel. `band` holds the `alpha` zero-padded input rows of that tile row, `bandWidth`
    /// floats apart (column 0 is the first tile's left edge). Point `xi`'s values go to
    /// `v + xi * planeStride`, tile `t` at index `t`.
    public static func inputRow(
        m: Int, band: UnsafePointer<Float>, bandWidth: Int, tilesWide: Int,
        v: UnsafeMutablePointer<Float>, planeStride: Int, scratch: UnsafeMutablePointer<Float>
    ) {
        if m == 2 {
            inputRowF2(band: band, bandWidth: bandWidth, tilesWide: tilesWide, v: v, planeStride: planeStride,
                       scratch: scratch)
        } else {
            inputRowF4(band: band, bandWidth: bandWidth, tilesWide: tilesWide, v: v, planeStride: planeStride,
                       scratch: scratch)
        }
    }

    /// `Y = A^T M A` for the `tilesWide` tiles of one row of tiles of one channel: products of
    /// point `xi` at `products + xi * planeStride` (tile `t` at index `t`), the `rows` x
    /// `columns` valid outputs written to `y` (rows `outW` apart; columns past `columns` are
    /// not written). `scratch` holds `outputScratchCount` floats.
    public static func outputRow(
        m: Int, products: UnsafePointer<Float>, planeStride: Int, tilesWide: Int,
        y: UnsafeMutablePointer<Float>, outW: Int, rows: Int, columns: Int, scratch: UnsafeMutablePointer<Float>
    ) {
        if m == 2 {
            outputRowF2(products: products, planeStride: planeStride, tilesWide: tilesWide, y: y, outW: outW,
                        rows: rows, columns: columns, scratch: scratch)
        } else {
            outputRowF4(products: products, planeStride: planeStride, tilesWide: tilesWide, y: y, outW: outW,
                        rows: rows, columns: columns, scratch: scratch)
        }
    }
}

/// `B^T d` of F(4x4, 3x3) on six vectors: one column or row of 16 tiles' windows. (Shared by
/// the row-wise and the gathered transforms, so both give the same values.)
@inline(__always)
func inputTransformF4(_ d0: Vector, _ d1: Vector, _ d2: Vector, _ d3: Vector, _ d4: Vector, _ d5: Vector)
    -> (Vector, Vector, Vector, Vector, Vector, Vector) {
    let four = Vector(repeating: 4), five = Vector(repeating: 5), two = Vector(repeating: 2)
    return (four * d0 - five * d2 + d4, d3 + d4 - four * (d1 + d2), d4 - d3 + four * (d1 - d2),
            d4 - d2 + two * (d3 - d1), d4 - d2 + two * (d1 - d3), four * d1 - five * d3 + d5)
}

/// Stores six transformed vectors (`count` lanes each) to consecutive points' planes.
@inline(__always)
func storePoints(_ t: (Vector, Vector, Vector, Vector, Vector, Vector), _ out: UnsafeMutablePointer<Float>,
                 planeStride: Int, count: Int) {
    storePartial(t.0, out, count)
    storePartial(t.1, out + planeStride, count)
    storePartial(t.2, out + 2 * planeStride, count)
    storePartial(t.3, out + 3 * planeStride, count)
    storePartial(t.4, out + 4 * planeStride, count)
    storePartial(t.5, out + 5 * planeStride, count)
}

/// `A^T m` of F(4x4, 3x3) on six vectors of products: four outputs.
@inline(__always)
func outputTransformF4(_ m0: Vector, _ m1: Vector, _ m2: Vector, _ m3: Vector, _ m4: Vector, _ m5: Vector)
    -> (Vector, Vector, Vector, Vector) {
    let two = Vector(repeating: 2), four = Vector(repeating: 4), eight = Vector(repeating: 8)
    let sum12 = m1 + m2, diff12 = m1 - m2, sum34 = m3 + m4, diff34 = m3 - m4
    return (m0 + sum12 + sum34, diff12 + two * diff34, sum12 + four * sum34, diff12 + eight * diff34 + m5)
}

/// `[x0, y0, x1, y1, ..., x7, y7]` (one two-source permute).
@inline(__always)
private func zipLow(_ x: Vector, _ y: Vector) -> Vector {
    Vector(x[0], y[0], x[1], y[1], x[2], y[2], x[3], y[3], x[4], y[4], x[5], y[5], x[6], y[6], x[7], y[7])
}

/// `[x8, y8, ..., x15, y15]`.
@inline(__always)
private func zipHigh(_ x: Vector, _ y: Vector) -> Vector {
    Vector(x[8], y[8], x[9], y[9], x[10], y[10], x[11], y[11], x[12], y[12], x[13], y[13], x[14], y[14], x[15], y[15])
}

/// Pairs of lanes alternately: `[x0, x1, y0, y1, ..., x6, x7, y6, y7]`.
@inline(__always)
private func zipPairsLow(_ x: Vector, _ y: Vector) -> Vector {
    Vector(x[0], x[1], y[0], y[1], x[2], x[3], y[2], y[3], x[4], x[5], y[4], y[5], x[6], x[7], y[6], y[7])
}

/// `[x8, x9, y8, y9, ..., x14, x15, y14, y15]`.
@inline(__always)
private func zipPairsHigh(_ x: Vector, _ y: Vector) -> Vector {
    Vector(x[8], x[9], y[8], y[9], x[10], x[11], y[10], y[11], x[12], x[13], y[12], y[13], x[14], x[15], y[14], y[15])
}

/// Writes the first `valid` of the output row values held in `v0`, `v1`, ... (16 each, up
/// to four vectors); the last, partial vector with a masked store.
@inline(__always)
private func storeOutputRow(
    _ row: UnsafeMutablePointer<Float>, valid: Int, _ v0: Vector, _ v1: Vector, _ v2: Vector = Vector(),
    _ v3: Vector = Vector()
) {
    @inline(__always) func put(_ k: Int, _ v: Vector) {
        guard 16 * k < valid else { return }
        storePartial(v, row + 16 * k, valid - 16 * k)
    }
    put(0, v0)
    put(1, v1)
    put(2, v2)
    put(3, v3)
}

/// Stores the first `count` lanes of `value` (all 16 when `count >= 16`).
@inline(__always)
func storePartial(_ value: Vector, _ p: UnsafeMutablePointer<Float>, _ count: Int) {
    if count >= 16 {
        store(value, p)
    } else {
        graphcam_masked_store(p, value, UInt16(truncatingIfNeeded: (1 << count) - 1))
    }
}

// MARK: F(2x2, 3x3)

@inline(never)
private func inputRowF2(
    band: UnsafePointer<Float>, bandWidth: Int, tilesWide: Int,
    v: UnsafeMutablePointer<Float>, planeStride: Int, scratch: UnsafeMutablePointer<Float>
) {
    // Column pass: C_r = (B^T d)_r over whole band rows.
    let r0 = band, r1 = band + bandWidth, r2 = band + 2 * bandWidth, r3 = band + 3 * bandWidth
    let c0 = scratch, c1 = scratch + bandWidth, c2 = scratch + 2 * bandWidth, c3 = scratch + 3 * bandWidth
    var c = 0
    while c < bandWidth {
        let d0 = load(r0 + c), d1 = load(r1 + c), d2 = load(r2 + c), d3 = load(r3 + c)
        store(d0 - d2, c0 + c)
        store(d1 + d2, c1 + c)
        store(d2 - d1, c2 + c)
        store(d1 - d3, c3 + c)
        c += 16
    }
    // Row pass, 16 tiles at a time: tile t's columns 2t..2t+3 are the even/odd lanes of the
    // 32 columns from 2 * t0 (j = 0, 1) and from 2 * t0 + 2 (j = 2, 3).
    var t0 = 0
    while t0 < tilesWide {
        let count = tilesWide - t0
        for r in 0..<4 {
            let row = scratch + r * bandWidth + 2 * t0
            let a0 = load(row), a1 = load(row + 16), b0 = load(row + 2), b1 = load(row + 18)
            let x0 = Vector(lowHalf: a0.evenHalf, highHalf: a1.evenHalf)
            let x1 = Vector(lowHalf: a0.oddHalf, highHalf: a1.oddHalf)
            let x2 = Vector(lowHalf: b0.evenHalf, highHalf: b1.evenHalf)
            let x3 = Vector(lowHalf: b0.oddHalf, highHalf: b1.oddHalf)
            let out = v + 4 * r * planeStride + t0
            storePartial(x0 - x2, out, count)
            storePartial(x1 + x2, out + planeStride, count)
            storePartial(x2 - x1, out + 2 * planeStride, count)
            storePartial(x1 - x3, out + 3 * planeStride, count)
        }
        t0 += 16
    }
}

@inline(never)
private func outputRowF2(
    products: UnsafePointer<Float>, planeStride: Int, tilesWide: Int,
    y: UnsafeMutablePointer<Float>, outW: Int, rows: Int, columns: Int, scratch: UnsafeMutablePointer<Float>
) {
    var t0 = 0
    while t0 < tilesWide {
        let count = min(16, tilesWide - t0)
        @inline(__always) func p(_ xi: Int) -> Vector { load(products + xi * planeStride + t0) }
        // Rows of A^T over the 4 rows of points, then over the 4 columns.
        let s0 = p(0) + p(4) + p(8), s1 = p(1) + p(5) + p(9), s2 = p(2) + p(6) + p(10), s3 = p(3) + p(7) + p(11)
        let e0 = p(4) - p(8) - p(12), e1 = p(5) - p(9) - p(13), e2 = p(6) - p(10) - p(14), e3 = p(7) - p(11) - p(15)
        let valid = min(2 * count, columns - 2 * t0)
        for a in 0..<rows {
            let c0 = a == 0 ? s0 + s1 + s2 : e0 + e1 + e2, c1 = a == 0 ? s1 - s2 - s3 : e1 - e2 - e3
            storeOutputRow(y + a * outW + 2 * t0, valid: valid, zipLow(c0, c1), zipHigh(c0, c1))
        }
        t0 += 16
    }
}

// MARK: F(4x4, 3x3)

@inline(never)
private func inputRowF4(
    band: UnsafePointer<Float>, bandWidth: Int, tilesWide: Int,
    v: UnsafeMutablePointer<Float>, planeStride: Int, scratch: UnsafeMutablePointer<Float>
) {
    var c = 0
    while c < bandWidth {
        let d0 = load(band + c), d1 = load(band + bandWidth + c), d2 = load(band + 2 * bandWidth + c)
        let d3 = load(band + 3 * bandWidth + c), d4 = load(band + 4 * bandWidth + c)
        let d5 = load(band + 5 * bandWidth + c)
        let t = inputTransformF4(d0, d1, d2, d3, d4, d5)
        store(t.0, scratch + c)
        store(t.1, scratch + bandWidth + c)
        store(t.2, scratch + 2 * bandWidth + c)
        store(t.3, scratch + 3 * bandWidth + c)
        store(t.4, scratch + 4 * bandWidth + c)
        store(t.5, scratch + 5 * bandWidth + c)
        c += 16
    }
    var t0 = 0
    while t0 < tilesWide {
        let count = tilesWide - t0
        for r in 0..<6 {
            // Tile t's columns 4t..4t+5: lanes 0..3 mod 4 of the 64 columns from 4 * t0, and
            // lanes 0, 1 mod 4 of the 64 from 4 * t0 + 4.
            let row = scratch + r * bandWidth + 4 * t0
            let a0 = load(row), a1 = load(row + 16), a2 = load(row + 32), a3 = load(row + 48)
            let e0 = a0.evenHalf, e1 = a1.evenHalf, e2 = a2.evenHalf, e3 = a3.evenHalf
            let o0 = a0.oddHalf, o1 = a1.oddHalf, o2 = a2.oddHalf, o3 = a3.oddHalf
            let x0 = Vector(lowHalf: .init(lowHalf: e0.evenHalf, highHalf: e1.evenHalf),
                            highHalf: .init(lowHalf: e2.evenHalf, highHalf: e3.evenHalf))
            let x2 = Vector(lowHalf: .init(lowHalf: e0.oddHalf, highHalf: e1.oddHalf),
                            highHalf: .init(lowHalf: e2.oddHalf, highHalf: e3.oddHalf))
            let x1 = Vector(lowHalf: .init(lowHalf: o0.evenHalf, highHalf: o1.evenHalf),
                            highHalf: .init(lowHalf: o2.evenHalf, highHalf: o3.evenHalf))
            let x3 = Vector(lowHalf: .init(lowHalf: o0.oddHalf, highHalf: o1.oddHalf),
                            highHalf: .init(lowHalf: o2.oddHalf, highHalf: o3.oddHalf))
            let b0 = load(row + 4), b1 = load(row + 20), b2 = load(row + 36), b3 = load(row + 52)
            let f0 = b0.evenHalf, f1 = b1.evenHalf, f2 = b2.evenHalf, f3 = b3.evenHalf
            let g0 = b0.oddHalf, g1 = b1.oddHalf, g2 = b2.oddHalf, g3 = b3.oddHalf
            let x4 = Vector(lowHalf: .init(lowHalf: f0.evenHalf, highHalf: f1.evenHalf),
                            highHalf: .init(lowHalf: f2.evenHalf, highHalf: f3.evenHalf))
            let x5 = Vector(lowHalf: .init(lowHalf: g0.evenHalf, highHalf: g1.evenHalf),
                            highHalf: .init(lowHalf: g2.evenHalf, highHalf: g3.evenHalf))
            storePoints(inputTransformF4(x0, x1, x2, x3, x4, x5), v + 6 * r * planeStride + t0,
                        planeStride: planeStride, count: count)
        }
        t0 += 16
    }
}

@inline(never)
private func outputRowF4(
    products: UnsafePointer<Float>, planeStride: Int, tilesWide: Int,
    y: UnsafeMutablePointer<Float>, outW: Int, rows: Int, columns: Int, scratch: UnsafeMutablePointer<Float>
) {
    var t0 = 0
    while t0 < tilesWide {
        let count = min(16, tilesWide - t0)
        let valid = min(4 * count, columns - 4 * t0)
        // Per column s of points: A^T over the 6 rows -> 4 values (a = 0..3), then per a
        // A^T over the 6 columns.
        // q[a][s] at scratch + 64 + (a * 6 + s) * 16.
        let q = scratch + 64
        for s in 0..<6 {
            @inline(__always) func p(_ r: Int) -> Vector { load(products + (r * 6 + s) * planeStride + t0) }
            let t = outputTransformF4(p(0), p(1), p(2), p(3), p(4), p(5))
            store(t.0, q + s * 16)
            store(t.1, q + (6 + s) * 16)
            store(t.2, q + (12 + s) * 16)
            store(t.3, q + (18 + s) * 16)
        }
        for a in 0..<rows {
            @inline(__always) func x(_ s: Int) -> Vector { load(q + (a * 6 + s) * 16) }
            let (c0, c1, c2, c3) = outputTransformF4(x(0), x(1), x(2), x(3), x(4), x(5))
            // Columns 4t + b of the 16 tiles: pairs (c0, c1) and (c2, c3) zipped, then the pairs.
            let low01 = zipLow(c0, c1), high01 = zipHigh(c0, c1), low23 = zipLow(c2, c3), high23 = zipHigh(c2, c3)
            storeOutputRow(y + a * outW + 4 * t0, valid: valid, zipPairsLow(low01, low23), zipPairsHigh(low01, low23),
                           zipPairsLow(high01, high23), zipPairsHigh(high01, high23))
        }
        t0 += 16
    }
}

// Register-tile microkernels: an 8-row x (16 * vectors)-column block of C from packed panels.
// Only called after a run-time CPU check (see Kernels' CPUFeatures); never on other CPUs.

import CMaskedStore

typealias Vector = SIMD16<Float>

@inline(__always)
func load(_ p: UnsafePointer<Float>) -> Vector {
    UnsafeRawPointer(p).loadUnaligned(as: Vector.self)
}

@inline(__always)
func store(_ v: Vector, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: Vector.self)
}

/// The first `vectors` (1...3) of `a`, `b`, `c` stored at `out`, `out + 16`, `out + 32`.
@inline(__always)
func storeVectors(_ vectors: Int, _ a: Vector, _ b: Vector, _ c: Vector, to out: UnsafeMutablePointer<Float>) {
    store(a, out)
    if vectors > 1 { store(b, out + 16) }
    if vectors > 2 { store(c, out + 32) }
}

/// One row of the tile: `c_v += a * b_v` for the first `vectors` column vectors.
@inline(__always)
func fmaRow(_ a: Float, _ vectors: Int, _ b0: Vector, _ b1: Vector, _ b2: Vector,
                    _ c0: inout Vector, _ c1: inout Vector, _ c2: inout Vector) {
    let s = Vector(repeating: a)
    c0 = c0.addingProduct(s, b0)
    if vectors > 1 { c1 = c1.addingProduct(s, b1) }
    if vectors > 2 { c2 = c2.addingProduct(s, b2) }
}

/// Writes (or adds, when `accumulate`) one tile row, scaled by `alpha`, to `c`.
@inline(__always)
private func storeRow(_ c: UnsafeMutablePointer<Float>, _ vectors: Int, _ alpha: Vector, _ accumulate: Bool,
                      _ c0: Vector, _ c1: Vector, _ c2: Vector) {
    if accumulate {
        store(load(c).addingProduct(alpha, c0), c)
        if vectors > 1 { store(load(c + 16).addingProduct(alpha, c1), c + 16) }
        if vectors > 2 { store(load(c + 32).addingProduct(alpha, c2), c + 32) }
    } else {
        store(alpha * c0, c)
        if vectors > 1 { store(alpha * c1, c + 16) }
        if vectors > 2 { store(alpha * c2, c + 32) }
    }
}

/// `C[8, 16 * vectors] (+)= alpha * A[8, kc] * B[kc, 16 * vectors]` with `B`'s rows
/// `ldb` floats apart (a packed panel, or `B` itself). Element `(r, p)` of `A` is at
/// `a + min(r, aRows - 1) * aRowStride + p * aDepthStride`, which covers `A` in place
/// (`lda`, 1) and `A` transposed in place (1, `lda`); rows past `aRows` repeat the last one
/// and the caller discards them. (Plain parameters rather than a struct: a type defined here
/// would get value-witness helpers the linker may share with code for other CPUs.) `vectors` is a constant at every call site, so the unused
/// accumulators vanish and each depth step is 8 broadcasts and up to 24 FMAs.
// `always` (not the heuristic `__always`): each `vectors` case must get its own inlined copy
// with the constant folded in, or the 16-column case runs a generic loop with spills.
@inline(always)
private func tile(
    _ vectors: Int, kc: Int, a: UnsafePointer<Float>, aRows: Int, aRowStride: Int, aDepthStride: Int,
    b: UnsafePointer<Float>, ldb: Int, c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float, accumulate: Bool
) {
    let zero = Vector()
    var c00 = zero, c01 = zero, c02 = zero, c10 = zero, c11 = zero, c12 = zero
    var c20 = zero, c21 = zero, c22 = zero, c30 = zero, c31 = zero, c32 = zero
    var c40 = zero, c41 = zero, c42 = zero, c50 = zero, c51 = zero, c52 = zero
    var c60 = zero, c61 = zero, c62 = zero, c70 = zero, c71 = zero, c72 = zero
    func row(_ r: Int) -> UnsafePointer<Float> { a + min(r, aRows - 1) &* aRowStride }
    let a0 = row(0), a1 = row(1), a2 = row(2), a3 = row(3)
    let a4 = row(4), a5 = row(5), a6 = row(6), a7 = row(7)
    let step = aDepthStride
    var offset = 0
    var pb = b
    for _ in 0..<kc {
        let b0 = load(pb)
        let b1 = vectors > 1 ? load(pb + 16) : zero
        let b2 = vectors > 2 ? load(pb + 32) : zero
        fmaRow(a0[offset], vectors, b0, b1, b2, &c00, &c01, &c02)
        fmaRow(a1[offset], vectors, b0, b1, b2, &c10, &c11, &c12)
        fmaRow(a2[offset], vectors, b0, b1, b2, &c20, &c21, &c22)
        fmaRow(a3[offset], vectors, b0, b1, b2, &c30, &c31, &c32)
        fmaRow(a4[offset], vectors, b0, b1, b2, &c40, &c41, &c42)
        fmaRow(a5[offset], vectors, b0, b1, b2, &c50, &c51, &c52)
        fmaRow(a6[offset], vectors, b0, b1, b2, &c60, &c61, &c62)
        fmaRow(a7[offset], vectors, b0, b1, b2, &c70, &c71, &c72)
        offset &+= step
        pb += ldb
    }
    let scale = Vector(repeating: alpha)
    storeRow(c, vectors, scale, accumulate, c00, c01, c02)
    storeRow(c + ldc, vectors, scale, accumulate, c10, c11, c12)
    storeRow(c + 2 * ldc, vectors, scale, accumulate, c20, c21, c22)
    storeRow(c + 3 * ldc, vectors, scale, accumulate, c30, c31, c32)
    storeRow(c + 4 * ldc, vectors, scale, accumulate, c40, c41, c42)
    storeRow(c + 5 * ldc, vectors, scale, accumulate, c50, c51, c52)
    storeRow(c + 6 * ldc, vectors, scale, accumulate, c60, c61, c62)
    storeRow(c + 7 * ldc, vectors, scale, accumulate, c70, c71, c72)
}

/// The tile for `vectors` in 1...3, each specialization compiled separately.
@inline(never)
func microkernel(
    vectors: Int, kc: Int, a: UnsafePointer<Float>, aRows: Int, aRowStride: Int, aDepthStride: Int,
    b: UnsafePointer<Float>, ldb: Int, c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float, accumulate: Bool
) {
    switch vectors {
    case 3: tile(3, kc: kc, a: a, aRows: aRows, aRowStride: aRowStride, aDepthStride: aDepthStride,
                    b: b, ldb: ldb, c: c, ldc: ldc, alpha: alpha, accumulate: accumulate)
    case 2: tile(2, kc: kc, a: a, aRows: aRows, aRowStride: aRowStride, aDepthStride: aDepthStride,
                    b: b, ldb: ldb, c: c, ldc: ldc, alpha: alpha, accumulate: accumulate)
    default: tile(1, kc: kc, a: a, aRows: aRows, aRowStride: aRowStride, aDepthStride: aDepthStride,
                    b: b, ldb: ldb, c: c, ldc: ldc, alpha: alpha, accumulate: accumulate)
    }
}

/// Writes (or adds, when `accumulate`) one tile row, scaled by `alpha`, to the column vectors at
/// `c0`, `c1`, `c2`; when `finish`, the epilogue (`bias`, residual vectors at `r0`...,
/// activation) is applied before the store (see `EpilogueCode`).
// `always`: as a call, the 24 accumulators would be passed through memory.
@inline(always)
private func storeEpilogueRow(_ c0: UnsafeMutablePointer<Float>, _ c1: UnsafeMutablePointer<Float>,
                      _ c2: UnsafeMutablePointer<Float>, _ vectors: Int, _ alpha: Vector, _ accumulate: Bool,
                      _ v0: Vector, _ v1: Vector, _ v2: Vector, _ finish: Bool, _ bias: Float,
                      _ r0: UnsafePointer<Float>?, _ r1: UnsafePointer<Float>?, _ r2: UnsafePointer<Float>?,
                      _ activation: Int, _ p: Float, _ q: Float, _ split: Split) {
    @inline(__always) func get(_ v: Int, _ at: UnsafePointer<Float>) -> Vector {
        split.on ? splitLoad(split, v, at) : load(at)
    }
    var x0 = alpha * v0, x1 = alpha * v1, x2 = alpha * v2
    if accumulate {
        x0 += get(0, c0)
        if vectors > 1 { x1 += get(1, c1) }
        if vectors > 2 { x2 += get(2, c2) }
    }
    if finish {
        let b = Vector(repeating: bias)
        x0 += b; x1 += b; x2 += b
        if let r0 {
            x0 += get(0, r0)
            if vectors > 1 { x1 += get(1, r1!) }
            if vectors > 2 { x2 += get(2, r2!) }
        }
        x0 = activate(x0, activation, p, q)
        if vectors > 1 { x1 = activate(x1, activation, p, q) }
        if vectors > 2 { x2 = activate(x2, activation, p, q) }
    }
    @inline(__always) func put(_ v: Int, _ x: Vector, _ at: UnsafeMutablePointer<Float>) {
        if split.on { splitStore(split, v, x, at) } else { store(x, at) }
    }
    put(0, x0, c0)
    if vectors > 1 { put(1, x1, c1) }
    if vectors > 2 { put(2, x2, c2) }
}

/// Where the tile's column vectors lie when some straddle two segments of C (images of a
/// batched 1x1 conv): lane `i` of vector `v` is at `at + i` when bit `i` of `mask_v` is set,
/// else at `at + delta + i` (the next segment). `on` is a constant at each call site, so the
/// plain tile keeps its plain loads and stores. (A tuple, not a struct: see `tile`.)
typealias Split = (on: Bool, masks: (Int, Int, Int), delta: Int)

/// No vector straddles.
let noSplit: Split = (false, (0xFFFF, 0xFFFF, 0xFFFF), 0)

/// Vector `v` of a split tile row read from `at` (see `Split`).
@inline(__always)
private func splitLoad(_ split: Split, _ v: Int, _ at: UnsafePointer<Float>) -> Vector {
    let first = UInt16(truncatingIfNeeded: v == 0 ? split.masks.0 : v == 1 ? split.masks.1 : split.masks.2)
    let head = graphcam_masked_load(Vector(), at, first)
    return first == 0xFFFF ? head : graphcam_masked_load(head, at + split.delta, ~first)
}

/// Stores vector `v` of a split tile row at `at` (see `Split`).
@inline(__always)
private func splitStore(_ split: Split, _ v: Int, _ x: Vector, _ at: UnsafeMutablePointer<Float>) {
    let first = UInt16(truncatingIfNeeded: v == 0 ? split.masks.0 : v == 1 ? split.masks.1 : split.masks.2)
    graphcam_masked_store(at, x, first)
    if first != 0xFFFF { graphcam_masked_store(at + split.delta, x, ~first) }
}

/// `tile` with `C`'s three column vectors anywhere (`c0`, `c1`, `c2`) and the epilogue applied in
/// registers when `finish`: `C[8, 16 * vectors] = act((+)alpha * A * B + bias + R)`. A copy of
/// `tile` rather than a generalization: the extra arguments slowed the plain GEMM by ~8%.
/// Otherwise as `tile` (same loop, same `A` and `B` addressing).
// `always` (not the heuristic `__always`): each `vectors` case must get its own inlined copy
// with the constant folded in, or the 16-column case runs a generic loop with spills.
@inline(always)
private func epilogueTile(
    _ vectors: Int, kc: Int, a: UnsafePointer<Float>, aRows: Int, aRowStride: Int, aDepthStride: Int,
    b: UnsafePointer<Float>, ldb: Int, c0: UnsafeMutablePointer<Float>, c1: UnsafeMutablePointer<Float>,
    c2: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float, accumulate: Bool,
    finish: Bool, bias: UnsafePointer<Float>?, r0: UnsafePointer<Float>?, r1: UnsafePointer<Float>?,
    r2: UnsafePointer<Float>?, activation: Int, p: Float, q: Float, split: Split
) {
    let zero = Vector()
    var c00 = zero, c01 = zero, c02 = zero, c10 = zero, c11 = zero, c12 = zero
    var c20 = zero, c21 = zero, c22 = zero, c30 = zero, c31 = zero, c32 = zero
    var c40 = zero, c41 = zero, c42 = zero, c50 = zero, c51 = zero, c52 = zero
    var c60 = zero, c61 = zero, c62 = zero, c70 = zero, c71 = zero, c72 = zero
    func row(_ r: Int) -> UnsafePointer<Float> { a + min(r, aRows - 1) &* aRowStride }
    let a0 = row(0), a1 = row(1), a2 = row(2), a3 = row(3)
    let a4 = row(4), a5 = row(5), a6 = row(6), a7 = row(7)
    let step = aDepthStride
    var offset = 0
    var pb = b
    for _ in 0..<kc {
        let b0 = load(pb)
        let b1 = vectors > 1 ? load(pb + 16) : zero
        let b2 = vectors > 2 ? load(pb + 32) : zero
        fmaRow(a0[offset], vectors, b0, b1, b2, &c00, &c01, &c02)
        fmaRow(a1[offset], vectors, b0, b1, b2, &c10, &c11, &c12)
        fmaRow(a2[offset], vectors, b0, b1, b2, &c20, &c21, &c22)
        fmaRow(a3[offset], vectors, b0, b1, b2, &c30, &c31, &c32)
        fmaRow(a4[offset], vectors, b0, b1, b2, &c40, &c41, &c42)
        fmaRow(a5[offset], vectors, b0, b1, b2, &c50, &c51, &c52)
        fmaRow(a6[offset], vectors, b0, b1, b2, &c60, &c61, &c62)
        fmaRow(a7[offset], vectors, b0, b1, b2, &c70, &c71, &c72)
        offset &+= step
        pb += ldb
    }
    let scale = Vector(repeating: alpha)
    storeEpilogueRow(c0, c1, c2, vectors, scale, accumulate, c00, c01, c02, finish,
             bias?[0] ?? 0, r0, r1, r2, activation, p, q, split)
    storeEpilogueRow(c0 + 1 &* ldc, c1 + 1 &* ldc, c2 + 1 &* ldc, vectors, scale, accumulate, c10, c11, c12, finish,
             bias?[1] ?? 0, r0.map { $0 + 1 &* ldc }, r1.map { $0 + 1 &* ldc }, r2.map { $0 + 1 &* ldc }, activation, p, q, split)
    storeEpilogueRow(c0 + 2 &* ldc, c1 + 2 &* ldc, c2 + 2 &* ldc, vectors, scale, accumulate, c20, c21, c22, finish,
             bias?[2] ?? 0, r0.map { $0 + 2 &* ldc }, r1.map { $0 + 2 &* ldc }, r2.map { $0 + 2 &* ldc }, activation, p, q, split)
    storeEpilogueRow(c0 + 3 &* ldc, c1 + 3 &* ldc, c2 + 3 &* ldc, vectors, scale, accumulate, c30, c31, c32, finish,
             bias?[3] ?? 0, r0.map { $0 + 3 &* ldc }, r1.map { $0 + 3 &* ldc }, r2.map { $0 + 3 &* ldc }, activation, p, q, split)
    storeEpilogueRow(c0 + 4 &* ldc, c1 + 4 &* ldc, c2 + 4 &* ldc, vectors, scale, accumulate, c40, c41, c42, finish,
             bias?[4] ?? 0, r0.map { $0 + 4 &* ldc }, r1.map { $0 + 4 &* ldc }, r2.map { $0 + 4 &* ldc }, activation, p, q, split)
    storeEpilogueRow(c0 + 5 &* ldc, c1 + 5 &* ldc, c2 + 5 &* ldc, vectors, scale, accumulate, c50, c51, c52, finish,
             bias?[5] ?? 0, r0.map { $0 + 5 &* ldc }, r1.map { $0 + 5 &* ldc }, r2.map { $0 + 5 &* ldc }, activation, p, q, split)
    storeEpilogueRow(c0 + 6 &* ldc, c1 + 6 &* ldc, c2 + 6 &* ldc, vectors, scale, accumulate, c60, c61, c62, finish,
             bias?[6] ?? 0, r0.map { $0 + 6 &* ldc }, r1.map { $0 + 6 &* ldc }, r2.map { $0 + 6 &* ldc }, activation, p, q, split)
    storeEpilogueRow(c0 + 7 &* ldc, c1 + 7 &* ldc, c2 + 7 &* ldc, vectors, scale, accumulate, c70, c71, c72, finish,
             bias?[7] ?? 0, r0.map { $0 + 7 &* ldc }, r1.map { $0 + 7 &* ldc }, r2.map { $0 + 7 &* ldc }, activation, p, q, split)
}

/// The tile for `vectors` in 1...3, each specialization compiled separately: column vectors
/// of `C` at `c0`, `c1`, `c2` (rows `ldc` apart), and when `finish` the epilogue applied in
/// registers before the store: `bias` holds this tile's 8 row values (or nil), the residual
/// vectors have `C`'s layout (or nil), `activation` is an `EpilogueCode` with parameters `p`, `q`.
@inline(never)
func epilogueMicrokernel(
    vectors: Int, kc: Int, a: UnsafePointer<Float>, aRows: Int, aRowStride: Int, aDepthStride: Int,
    b: UnsafePointer<Float>, ldb: Int, c0: UnsafeMutablePointer<Float>, c1: UnsafeMutablePointer<Float>,
    c2: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float, accumulate: Bool,
    finish: Bool, bias: UnsafePointer<Float>?, r0: UnsafePointer<Float>?, r1: UnsafePointer<Float>?,
    r2: UnsafePointer<Float>?, activation: Int, p: Float, q: Float
) {
    epilogueTiles(vectors, kc: kc, a: a, aRows: aRows, aRowStride: aRowStride, aDepthStride: aDepthStride,
                  b: b, ldb: ldb, c0: c0, c1: c1, c2: c2, ldc: ldc, alpha: alpha, accumulate: accumulate,
                  finish: finish, bias: bias, r0: r0, r1: r1, r2: r2, activation: activation, p: p, q: q,
                  split: noSplit)
}

/// `epilogueMicrokernel` for a tile whose column vectors may each straddle two segments of
/// `C` (and of the residual): lanes of vector `v` whose bit is clear in `m_v` lie `delta`
/// floats further on. Loads and stores are masked, so no lane outside the tile is touched.
@inline(never)
func splitEpilogueMicrokernel(
    vectors: Int, kc: Int, a: UnsafePointer<Float>, aRows: Int, aRowStride: Int, aDepthStride: Int,
    b: UnsafePointer<Float>, ldb: Int, c0: UnsafeMutablePointer<Float>, c1: UnsafeMutablePointer<Float>,
    c2: UnsafeMutablePointer<Float>, ldc: Int, m0: Int, m1: Int, m2: Int, delta: Int,
    alpha: Float, accumulate: Bool, finish: Bool, bias: UnsafePointer<Float>?, r0: UnsafePointer<Float>?,
    r1: UnsafePointer<Float>?, r2: UnsafePointer<Float>?, activation: Int, p: Float, q: Float
) {
    epilogueTiles(vectors, kc: kc, a: a, aRows: aRows, aRowStride: aRowStride, aDepthStride: aDepthStride,
                  b: b, ldb: ldb, c0: c0, c1: c1, c2: c2, ldc: ldc, alpha: alpha, accumulate: accumulate,
                  finish: finish, bias: bias, r0: r0, r1: r1, r2: r2, activation: activation, p: p, q: q,
                  split: (true, (m0, m1, m2), delta))
}

@inline(always)
private func epilogueTiles(
    _ vectors: Int, kc: Int, a: UnsafePointer<Float>, aRows: Int, aRowStride: Int, aDepthStride: Int,
    b: UnsafePointer<Float>, ldb: Int, c0: UnsafeMutablePointer<Float>, c1: UnsafeMutablePointer<Float>,
    c2: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float, accumulate: Bool,
    finish: Bool, bias: UnsafePointer<Float>?, r0: UnsafePointer<Float>?, r1: UnsafePointer<Float>?,
    r2: UnsafePointer<Float>?, activation: Int, p: Float, q: Float, split: Split
) {
    switch vectors {
    case 3: epilogueTile(3, kc: kc, a: a, aRows: aRows, aRowStride: aRowStride, aDepthStride: aDepthStride,
                 b: b, ldb: ldb, c0: c0, c1: c1, c2: c2, ldc: ldc, alpha: alpha, accumulate: accumulate,
                 finish: finish, bias: bias, r0: r0, r1: r1, r2: r2, activation: activation, p: p, q: q, split: split)
    case 2: epilogueTile(2, kc: kc, a: a, aRows: aRows, aRowStride: aRowStride, aDepthStride: aDepthStride,
                 b: b, ldb: ldb, c0: c0, c1: c1, c2: c2, ldc: ldc, alpha: alpha, accumulate: accumulate,
                 finish: finish, bias: bias, r0: r0, r1: r1, r2: r2, activation: activation, p: p, q: q, split: split)
    default: epilogueTile(1, kc: kc, a: a, aRows: aRows, aRowStride: aRowStride, aDepthStride: aDepthStride,
                  b: b, ldb: ldb, c0: c0, c1: c1, c2: c2, ldc: ldc, alpha: alpha, accumulate: accumulate,
                  finish: finish, bias: bias, r0: r0, r1: r1, r2: r2, activation: activation, p: p, q: q, split: split)
    }
}

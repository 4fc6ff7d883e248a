// KernelsAVX512: inner loops compiled for AVX-512 (-mavx512f -mfma). Only called after a
// run-time CPU check (see Kernels' CPUFeatures); never call these on other CPUs.
// Nothing here is @inlinable: inlined into another module it would lose the AVX-512 flags.

/// Blocked single-precision GEMM (the BLIS / GotoBLAS loop nest): depth blocks of 256, column
/// blocks of 768, an 8 x 48 register tile (24 zmm accumulators) in the innermost loop.
/// `A` is read in place, or, for a program's constant weights, packed once at compile time
/// into 8-row panels over the whole depth (`packA`); with packed `A` a tile runs over the whole
/// depth whenever `B` that deep fits the scratch (`depthAndColumnBlocks`). `B` is packed only
/// when transposed or ragged (or, in `multiplySegmented`, when a panel crosses segments).
/// The caller (Kernels' `Gemm`) threads by handing each worker disjoint rows or columns.
public enum AVX512Gemm {
    /// Rows per register tile (MR); `A` is read 8 rows at a time.
    public static let rowsPerPanel = 8
    /// Columns of `B` per packed panel and per register tile (NR, three zmm vectors).
    public static let columnsPerPanel = 48
    /// Depth per packed block of `B` (KC): an 8 x KC block of `A` stays in L1.
    public static let depthBlock = 256
    /// Columns per block of `B` (NC): a KC x NC block (768 KB) stays in L2.
    public static let columnBlock = 768

    /// Floats of packing scratch one worker of `multiply` needs.
    /// (Packed `B`, then three edge tiles: `C`, the residual and the bias of `multiplySegmented`.)
    public static var workspaceCount: Int { depthBlock * columnBlock + 2 * rowsPerPanel * columnsPerPanel + rowsPerPanel }

    /// Row-major `C = alpha * op(A) * op(B) + beta * C` over the block `rows x columns` of an
    /// `m x n` product with depth `k` (`op(A)` is `A` `[m, lda]`, or `A^T` for `A` `[k, lda]`
    /// when `transposedA`; likewise `B`). `beta` 0 overwrites `C` (which may hold NaNs), any
    /// other value scales it first. `workspace` holds `workspaceCount` floats. With `aPacked`,
    /// `a` holds `A` as `packA` laid it out (`lda` and `transposedA` unused).
    public static func multiply(
        m: Int, n: Int, k: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int, transposedA: Bool,
        aPacked: Bool = false,
        b: UnsafePointer<Float>, ldb: Int, transposedB: Bool,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int,
        rows: Range<Int>, columns: Range<Int>, workspace: UnsafeMutablePointer<Float>
    ) {
        guard !rows.isEmpty, !columns.isEmpty else { return }
        if beta != 1, beta != 0 || k <= 0 {
            for i in rows {
                let row = c + i * ldc
                for j in columns { row[j] = beta == 0 ? 0 : beta * row[j] }
            }
        }
        guard k > 0 else { return }
        let mr = rowsPerPanel, nr = columnsPerPanel
        let packedB = workspace
        let edge = workspace + depthBlock * columnBlock
        // Whole column panels are read from `B` in place (rows `ldb` apart): measured as fast
        // as packed panels on conv shapes, and it saves a pass over `B` per depth block, which
        // costs most when `m` is small (64-channel layers). Transposed `B` is always packed.
        let direct = !transposedB
        // Packed A over the whole depth when a block of B that deep fits the scratch, as in
        // `multiplySegmented`: each tile then reads its panel of A as one sequential stream
        // (Winograd's 512-channel points, whose weights come from memory: 5% faster).
        let (depth, blockColumns) = depthAndColumnBlocks(k: k, aPacked: aPacked)
        var j0 = columns.lowerBound
        while j0 < columns.upperBound {
            let nc = min(blockColumns, columns.upperBound - j0)
            var p0 = 0
            while p0 < k {
                let kc = min(depth, k - p0)
                if !direct {
                    packB(kc: kc, nc: nc, b: b, ldb: ldb, transposed: transposedB, p0: p0, j0: j0, into: packedB)
                } else if nc % 16 != 0 {
                    // Only the ragged last panel is packed (zero-padded to whole vectors).
                    let last = (nc - 1) / nr * nr
                    packB(kc: kc, nc: nc - last, b: b, ldb: ldb, transposed: false, p0: p0, j0: j0 + last,
                          into: packedB)
                }
                let accumulate = p0 > 0 || beta != 0
                /// The 8 x 48 tile at row `i0`, column panel `q` of this block.
                @inline(__always)
                func tileAt(_ i0: Int, _ q: Int) {
                    let tileRows = min(mr, rows.upperBound - i0)
                    // `A` read in place: row stride and depth stride swap when transposed.
                    let aBlock = aPacked ? a + packedAOffset(k: k, p0: p0, i0: i0)
                        : transposedA ? a + p0 * lda + i0 : a + i0 * lda + p0
                    let aRowStride = aPacked || transposedA ? 1 : lda
                    let aDepthStride = aPacked ? rowsPerPanel : transposedA ? lda : 1
                    let firstColumn = q * nr, tileColumns = min(nr, nc - firstColumn)
                    let vectors = panelWidth(tileColumns) / 16
                    let bPanel: UnsafePointer<Float>, bStride: Int
                    if direct, tileColumns % 16 == 0 {
                        bPanel = b + p0 * ldb + j0 + firstColumn
                        bStride = ldb
                    } else {
                        bPanel = UnsafePointer(packedB + (direct ? 0 : q * nr * kc))
                        bStride = vectors * 16
                    }
                    let cTile = c + i0 * ldc + j0 + firstColumn
                    if tileRows == mr, tileColumns == vectors * 16 {
                        microkernel(vectors: vectors, kc: kc, a: aBlock, aRows: tileRows, aRowStride: aRowStride,
                                    aDepthStride: aDepthStride, b: bPanel, ldb: bStride, c: cTile,
                                    ldc: ldc, alpha: alpha, accumulate: accumulate)
                        return
                    }
                    // Ragged edge: full tile into scratch, then only the valid part to C.
                    microkernel(vectors: vectors, kc: kc, a: aBlock, aRows: tileRows, aRowStride: aRowStride,
                                aDepthStride: aDepthStride, b: bPanel, ldb: bStride, c: edge,
                                ldc: nr, alpha: alpha, accumulate: false)
                    for r in 0..<tileRows {
                        let source = edge + r * nr
                        let destination = cTile + r * ldc
                        if accumulate {
                            for j in 0..<tileColumns { destination[j] += source[j] }
                        } else {
                            destination.update(from: source, count: tileColumns)
                        }
                    }
                }
                // Rows outer: the 8 x kc block of `A` stays in L1 while the column panels stream
                // from L2 (columns outer measured the same).
                let panels = (nc + nr - 1) / nr
                for i0 in stride(from: rows.lowerBound, to: rows.upperBound, by: mr) {
                    for q in 0..<panels { tileAt(i0, q) }
                }
                p0 += kc
            }
            j0 += nc
        }
    }
}

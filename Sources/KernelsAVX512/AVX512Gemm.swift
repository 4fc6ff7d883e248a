// KernelsAVX512: inner loops compiled for AVX-512 (-mavx512f -mfma). Only called after a
// run-time CPU check (see Kernels' CPUFeatures); never call these on other CPUs.
// Nothing here is @inlinable: inlined into another module it would lose the AVX-512 flags.

/// Blocked single-precision GEMM (the BLIS / GotoBLAS loop nest): `B` packed per depth block
/// into 48-column panels that stay in L2, an 8 x 48 register tile (24 zmm accumulators) in the
/// innermost loop. `A` is read in place: an 8-row x KC block (8 KB) is reused from L1 across
/// every column panel, so packing it would only add a pass over the weights (which dominates
/// narrow products such as batch-1 late layers).
/// The caller (Kernels' `Gemm`) threads by handing each worker disjoint rows or columns.
public enum AVX512Gemm {
    /// Rows of `A` per packed panel and per register tile (MR).
    public static let rowsPerPanel = 8
    /// Columns of `B` per packed panel and per register tile (NR, three zmm vectors).
    public static let columnsPerPanel = 48
    /// Depth per packed block of `B` (KC): an 8 x KC block of `A` stays in L1.
    public static let depthBlock = 256
    /// Columns per packed block of `B` (NC): a KC x NC block (768 KB) stays in L2.
    public static let columnBlock = 768

    /// Floats of packing scratch one worker of `multiply` needs.
    public static var workspaceCount: Int { depthBlock * columnBlock + rowsPerPanel * columnsPerPanel }

    /// Row-major `C = alpha * op(A) * op(B) + beta * C` over the block `rows x columns` of an
    /// `m x n` product with depth `k` (`op(A)` is `A` `[m, lda]`, or `A^T` for `A` `[k, lda]`
    /// when `transposedA`; likewise `B`). `beta` 0 overwrites `C` (which may hold NaNs), any
    /// other value scales it first. `workspace` holds `workspaceCount` floats.
    public static func multiply(
        m: Int, n: Int, k: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int, transposedA: Bool,
        b: UnsafePointer<Float>, ldb: Int, transposedB: Bool,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int,
        rows: Range<Int>, columns: Range<Int>, workspace: UnsafeMutablePointer<Float>
    ) {
        guard !rows.isEmpty, !columns.isEmpty else { return }
        if beta != 0, beta != 1 {
            for i in rows {
                let row = c + i * ldc
                for j in columns { row[j] *= beta }
            }
        }
        let mr = rowsPerPanel, nr = columnsPerPanel
        let packedB = workspace
        let edge = workspace + depthBlock * columnBlock
        var j0 = columns.lowerBound
        while j0 < columns.upperBound {
            let nc = min(columnBlock, columns.upperBound - j0)
            var p0 = 0
            while p0 < k {
                let kc = min(depthBlock, k - p0)
                packB(kc: kc, nc: nc, b: b, ldb: ldb, transposed: transposedB, p0: p0, j0: j0, into: packedB)
                let accumulate = p0 > 0 || beta != 0
                var i0 = rows.lowerBound
                while i0 < rows.upperBound {
                    let tileRows = min(mr, rows.upperBound - i0)
                    let aBlock = transposedA
                        ? ABlock(base: a + p0 * lda + i0, rows: tileRows, rowStride: 1, depthStride: lda)
                        : ABlock(base: a + i0 * lda + p0, rows: tileRows, rowStride: lda, depthStride: 1)
                    var q = 0
                    while q * nr < nc {
                        let tileColumns = min(nr, nc - q * nr)
                        let vectors = panelWidth(tileColumns) / 16
                        let bPanel = UnsafePointer(packedB + q * nr * kc)
                        let cTile = c + i0 * ldc + j0 + q * nr
                        if tileRows == mr, tileColumns == vectors * 16 {
                            microkernel(vectors: vectors, kc: kc, a: aBlock, b: bPanel, c: cTile,
                                        ldc: ldc, alpha: alpha, accumulate: accumulate)
                        } else {
                            // Ragged edge: full tile into scratch, then only the valid part to C.
                            microkernel(vectors: vectors, kc: kc, a: aBlock, b: bPanel, c: edge,
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
                        q += 1
                    }
                    i0 += mr
                }
                p0 += kc
            }
            j0 += nc
        }
    }
}

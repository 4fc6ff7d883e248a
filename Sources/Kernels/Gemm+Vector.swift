extension Gemm {
    /// Rows of `op(A)` up to which `vectorSgemm` serves a transposed `B` (a fully connected
    /// layer at batch 1 to 4): each row of `B` (a neuron's weights, contiguous) is read once
    /// and dotted with every row of `A`, so the product streams the weights at memory speed
    /// instead of packing them first. (Kernels is compiled for baseline x86-64, without FMA:
    /// at batch 16 the arithmetic dominates and OpenBLAS is faster: MobileNetV2's classifier
    /// 0.35 against 0.69 ms.)
    static let vectorRowLimit = 4

    /// `C = alpha * A * B^T + beta * C` for `m <= vectorRowLimit`, `A` `[m, k]` (rows `lda`
    /// apart), `B` `[n, k]` (rows `ldb` apart), threaded over the columns of `C`.
    static func vectorSgemm(
        m: Int, n: Int, k: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        typealias V = SIMD8<Float>
        let vectorDepth = k / 8 * 8
        Parallel.forEachChunk(count: n, minimumChunk: max(1, 32_768 / max(k * m, 1))) { columns in
            for j in columns {
                let row = UnsafeRawPointer(b + j * ldb)
                var i0 = 0
                while i0 < m {
                    // Four rows of A per pass over the weight row (the last pass may repeat
                    // the final row; its sums are dropped).
                    let rows = min(4, m - i0)
                    let x0 = UnsafeRawPointer(a + i0 * lda), x1 = UnsafeRawPointer(a + (i0 + min(1, rows - 1)) * lda)
                    let x2 = UnsafeRawPointer(a + (i0 + min(2, rows - 1)) * lda)
                    let x3 = UnsafeRawPointer(a + (i0 + min(3, rows - 1)) * lda)
                    var s0 = V(), s1 = V(), s2 = V(), s3 = V()
                    var p = 0
                    while p < vectorDepth {
                        let w = row.loadUnaligned(fromByteOffset: p * 4, as: V.self)
                        s0 += w * x0.loadUnaligned(fromByteOffset: p * 4, as: V.self)
                        s1 += w * x1.loadUnaligned(fromByteOffset: p * 4, as: V.self)
                        s2 += w * x2.loadUnaligned(fromByteOffset: p * 4, as: V.self)
                        s3 += w * x3.loadUnaligned(fromByteOffset: p * 4, as: V.self)
                        p += 8
                    }
                    var sums = (s0.sum(), s1.sum(), s2.sum(), s3.sum())
                    for q in vectorDepth..<k {
                        let w = b[j * ldb + q]
                        sums.0 += w * a[i0 * lda + q]
                        if rows > 1 { sums.1 += w * a[(i0 + 1) * lda + q] }
                        if rows > 2 { sums.2 += w * a[(i0 + 2) * lda + q] }
                        if rows > 3 { sums.3 += w * a[(i0 + 3) * lda + q] }
                    }
                    for r in 0..<rows {
                        let sum = r == 0 ? sums.0 : r == 1 ? sums.1 : r == 2 ? sums.2 : sums.3
                        let out = c + (i0 + r) * ldc + j
                        out.pointee = alpha * sum + (beta == 0 ? 0 : beta * out.pointee)
                    }
                    i0 += 4
                }
            }
        }
    }
}

extension Gemm {
    /// `count` independent row-major products `C_i = alpha * op(A_i) * op(B_i) + beta * C_i`
    /// of one shape, operand `i` at `a + i * strideA` (likewise `b`, `c`), such as Winograd's
    /// per-point GEMMs. With the AVX-512 kernels, small products run side by side, one per
    /// worker (each alone is too small to split well); otherwise one after another, each
    /// threaded (OpenBLAS is only ever called from the calling thread).
    /// Callers guarantee `m, n, k >= 1` and sizes that fit in 32 bits. `packedA`: each `A_i` is
    /// laid out by `AVX512Gemm.packA` (only with `CPUFeatures.usesAVX512GEMM`, `transA` false).
    static func sgemmBatch(
        count: Int, transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
        alpha: Float, a: UnsafePointer<Float>, lda: Int, strideA: Int,
        b: UnsafePointer<Float>, ldb: Int, strideB: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, strideC: Int, packedA: Bool = false
    ) {
        let sideBySide = CPUFeatures.usesAVX512GEMM && count >= 2 * Parallel.threadCount
            || CPUFeatures.usesAVX512GEMM && m * n * k < 4 * avx512ThreadingThreshold
        guard sideBySide else {
            for i in 0..<count {
                if packedA {
                    avx512Sgemm(transA: false, transB: transB, m: m, n: n, k: k, alpha: alpha,
                                a: a + i * strideA, lda: lda, b: b + i * strideB, ldb: ldb,
                                beta: beta, c: c + i * strideC, ldc: ldc, packedA: true)
                    continue
                }
                sgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
                      a: a + i * strideA, lda: lda, b: b + i * strideB, ldb: ldb,
                      beta: beta, c: c + i * strideC, ldc: ldc)
            }
            return
        }
        Parallel.forEachChunk(count: count) { range in
            for i in range {
                avx512Sgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
                            a: a + i * strideA, lda: lda, b: b + i * strideB, ldb: ldb,
                            beta: beta, c: c + i * strideC, ldc: ldc, threaded: false, packedA: packedA)
            }
        }
    }
}

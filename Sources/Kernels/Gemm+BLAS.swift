import CBLAS

extension Gemm {
    /// Row-major `C = alpha * op(A) * op(B) + beta * C`: the one GEMM every kernel calls.
    /// Uses the AVX-512 kernels where the CPU has them (`CPUFeatures.usesAVX512GEMM`),
    /// OpenBLAS otherwise. Callers guarantee `m, n, k >= 1` and sizes that fit in 32 bits
    /// (checked by `fitsBLAS`).
    static func sgemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
        alpha: Float, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        if CPUFeatures.usesAVX512GEMM {
            avx512Sgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
                        b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
        } else {
            blasSgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
                      b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
        }
    }

    /// `sgemm` through OpenBLAS (`cblas_sgemm`), whatever the CPU.
    static func blasSgemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
        alpha: Float, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        cblas_sgemm(
            CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// Whether every dimension can be passed to 32-bit BLAS.
    static func fitsBLAS(_ values: Int...) -> Bool {
        values.allSatisfy { $0 >= 0 && $0 <= Int(Int32.max) }
    }
}

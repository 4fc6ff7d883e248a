import CBLAS

extension Gemm {
    /// Row-major `C = alpha * op(A) * op(B) + beta * C` through OpenBLAS.
    /// Callers guarantee `m, n, k >= 1` and sizes that fit in 32 bits (checked by `fitsBLAS`).
    @inline(__always)
    static func sgemm(
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

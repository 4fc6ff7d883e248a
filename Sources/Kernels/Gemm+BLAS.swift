import CBLAS

extension Gemm {
    /// Row-major `C = alpha * op(A) * op(B) + beta * C`: the one GEMM every kernel calls.
    /// A product with a transposed `B` and at most `vectorRowLimit` rows (a fully connected
    /// layer at batch 1) streams `B` row by row (`vectorSgemm`); otherwise uses the AVX-512
    /// kernels where the CPU has them (`CPUFeatures.usesAVX512GEMM`), OpenBLAS elsewhere. Callers guarantee `m, n, k >= 1` and sizes that fit in 32 bits
    /// (checked by `fitsBLAS`).
    static func sgemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
        alpha: Float, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        if !transA, transB, m <= vectorRowLimit {
            vectorSgemm(m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
        } else if CPUFeatures.usesAVX512GEMM, !transA, transB, m <= 16 {
            transposedSgemm(m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
        } else if CPUFeatures.usesAVX512GEMM, !prefersBLAS(transB: transB, m: m) {
            avx512Sgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
                        b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
        } else {
            blasSgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
                      b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
        }
    }

    /// Shapes OpenBLAS runs faster than the AVX-512 kernels: a transposed `B` with few rows
    /// (a fully connected layer, ONNX Gemm `transB=1`), where packing `B` costs as much as the
    /// product (one thread, 1x1000x2048: 4.6 against 8.5 GFLOPS; 16x1000x2048: 63 against 78;
    /// from 32 rows on the AVX-512 kernels are as fast alone and scale to two threads).
    static func prefersBLAS(transB: Bool, m: Int) -> Bool {
        transB && m <= 16
    }

    /// `C = alpha * A * B^T + beta * C` for few rows of `A` (a fully connected layer at batch
    /// 16) as `C^T = B * A^T` on the AVX-512 kernels: the weights `B` become the row operand,
    /// read in place, and only the small `A` is packed; `C^T` goes through scratch.
    /// (MobileNetV2's classifier, 16 x 1000 x 1280: 0.35 ms with OpenBLAS.)
    static func transposedSgemm(
        m: Int, n: Int, k: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        let scratch = GemmScratch.shared.take(m * n)
        defer { GemmScratch.shared.give(scratch) }
        let product = scratch.pointer
        avx512Sgemm(transA: false, transB: true, m: n, n: m, k: k, alpha: alpha, a: b, lda: ldb,
                    b: a, ldb: lda, beta: 0, c: product, ldc: m)
        for i in 0..<m {
            let row = c + i * ldc
            for j in 0..<n { row[j] = product[j * m + i] + (beta == 0 ? 0 : beta * row[j]) }
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

import KernelsAVX512

extension Gemm {
    /// `count` independent row-major products `C_i = alpha * op(A_i) * op(B_i) + beta * C_i`
    /// of one shape, operand `i` at `a + i * strideA` (likewise `b`, `c`), such as Winograd's
    /// per-point GEMMs. With the AVX-512 kernels, small products run side by side, one per
    /// worker (each alone is too small to split well); otherwise one after another, each
    /// threaded (OpenBLAS is only ever called from the calling thread).
    /// Callers guarantee `m, n, k >= 1` and sizes that fit in 32 bits. `packedA`: each `A_i` is
    /// laid out by `AVX512Gemm.packA` (only with `CPUFeatures.usesAVX512GEMM`, `transA` false).
    /// `splitRows` (AVX-512, `transA` false): each worker computes its own block of rows of
    /// every product instead, so each `A_i` is read once in all and each worker's rows of
    /// `C_i` stay with it (Winograd's shared pipeline: output channels, which its output
    /// transform splits the same way; ResNet50's five 7x7 layers at batch 16: 0.2-0.4 ms
    /// faster in all).
    static func sgemmBatch(
        count: Int, transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
        alpha: Float, a: UnsafePointer<Float>, lda: Int, strideA: Int,
        b: UnsafePointer<Float>, ldb: Int, strideB: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, strideC: Int, packedA: Bool = false,
        splitRows: Bool = false
    ) {
        if splitRows, CPUFeatures.usesAVX512GEMM, !transA, Parallel.threadCount > 1 {
            let mr = AVX512Gemm.rowsPerPanel, blocks = (m + mr - 1) / mr
            let workers = min(Parallel.threadCount, blocks)
            Parallel.forEachChunk(count: blocks, minimumChunk: (blocks + workers - 1) / workers) { range in
                let scratch = GemmScratch.shared.take(AVX512Gemm.workspaceCount)
                defer { GemmScratch.shared.give(scratch) }
                let rows = range.lowerBound * mr ..< min(m, range.upperBound * mr)
                for i in 0..<count {
                    AVX512Gemm.multiply(m: m, n: n, k: k, alpha: alpha, a: a + i * strideA, lda: lda, transposedA: false,
                                        aPacked: packedA, b: b + i * strideB, ldb: ldb, transposedB: transB,
                                        beta: beta, c: c + i * strideC, ldc: ldc, rows: rows, columns: 0..<n,
                                        workspace: scratch.pointer)
                }
            }
            return
        }
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

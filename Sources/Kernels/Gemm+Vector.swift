extension Gemm {
    /// Rows of `op(A)` up to which `vectorSgemm` serves a transposed `B` (a fully connected
    /// layer at batch 1 to 4): each row of `B` (a neuron's weights, contiguous) is read once
    /// and dotted with every row of `A`, so the product streams the weights at memory speed
    /// instead of packing them first.
    static let vectorRowLimit = 4

    /// `C = alpha * A * B^T + beta * C` for `m <= vectorRowLimit`, `A` `[m, k]` (rows `lda`
    /// apart), `B` `[n, k]` (rows `ldb` apart), threaded over the columns of `C`.
    static func vectorSgemm(
        m: Int, n: Int, k: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        typealias V = SIMD8<Float>
        Parallel.forEachChunk(count: n, minimumChunk: max(1, 65_536 / max(k, 1))) { columns in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: vectorRowLimit) { sums in
                for j in columns {
                    let row = UnsafeRawPointer(b + j * ldb)
                    for i in 0..<m {
                        let x = UnsafeRawPointer(a + i * lda)
                        var s0 = V(), s1 = V()
                        var p = 0
                        while p + 16 <= k {
                            s0 += row.loadUnaligned(fromByteOffset: p * 4, as: V.self)
                                * x.loadUnaligned(fromByteOffset: p * 4, as: V.self)
                            s1 += row.loadUnaligned(fromByteOffset: p * 4 + 32, as: V.self)
                                * x.loadUnaligned(fromByteOffset: p * 4 + 32, as: V.self)
                            p += 16
                        }
                        var sum = (s0 + s1).sum()
                        while p < k {
                            sum += b[j * ldb + p] * a[i * lda + p]
                            p += 1
                        }
                        sums[i] = sum
                    }
                    for i in 0..<m {
                        let out = c + i * ldc + j
                        out.pointee = alpha * sums[i] + (beta == 0 ? 0 : beta * out.pointee)
                    }
                }
            }
        }
    }
}

import Testing
import Foundation
@testable import Kernels
import KernelsAVX512

/// One product for the AVX-512 / OpenBLAS comparison.
struct GemmCase: CustomTestStringConvertible, Sendable {
    let m: Int, n: Int, k: Int
    var transA = false, transB = false
    var beta: Float = 0
    var testDescription: String {
        "\(m)x\(n)x\(k)\(transA ? " A^T" : "")\(transB ? " B^T" : "") beta \(beta)"
    }
}

@Suite("Gemm on AVX-512", .enabled(if: CPUFeatures.hasAVX512F, "the CPU has no AVX-512F; OpenBLAS path only"))
struct GemmAVX512Tests {
    /// Ragged sizes around the 8 x 48 tile, the 256-deep and 768-wide blocks, K = 1,
    /// tiny products, single-row / single-column ones, and every transpose and beta form.
    static let cases: [GemmCase] = [
        GemmCase(m: 1, n: 1, k: 1),
        GemmCase(m: 1, n: 17, k: 1, beta: 1),
        GemmCase(m: 7, n: 5, k: 3),
        GemmCase(m: 8, n: 48, k: 256),
        GemmCase(m: 9, n: 49, k: 257, beta: 1),
        GemmCase(m: 17, n: 100, k: 1, beta: -1.5),
        GemmCase(m: 33, n: 65, k: 300, transA: true),
        GemmCase(m: 31, n: 33, k: 70, transB: true, beta: 1),
        GemmCase(m: 24, n: 47, k: 130, transA: true, transB: true, beta: 0.5),
        GemmCase(m: 64, n: 784, k: 27),
        GemmCase(m: 3, n: 600, k: 513, beta: 1),
        GemmCase(m: 130, n: 800, k: 70),
        GemmCase(m: 100, n: 10, k: 600, beta: 1),
        GemmCase(m: 1, n: 1000, k: 64, transA: true),
        GemmCase(m: 1000, n: 1, k: 64, transB: true),
    ]

    /// Each case with `A` read in place, and (untransposed `A`) packed into 8-row panels first.
    @Test("matches cblas_sgemm within 1e-5 per element, leaving padding outside C untouched",
          arguments: cases, [false, true])
    func matchesOpenBLAS(_ shape: GemmCase, packedA: Bool) throws {
        guard !packedA || !shape.transA else { return }
        let (m, n, k) = (shape.m, shape.n, shape.k)
        // Leading dimensions wider than the matrices, so strides are exercised too.
        let lda = (shape.transA ? m : k) + 3
        let ldb = (shape.transB ? k : n) + 5
        let ldc = n + 2
        let alpha: Float = 0.75
        let a = KernelTestData.random((shape.transA ? k : m) * lda, seed: 31)
        let b = KernelTestData.random((shape.transB ? n : k) * ldb, seed: 32)
        let c = KernelTestData.random(m * ldc, seed: 33)
        // With beta 0, C must not be read: start from NaN where the product goes.
        var initial = c
        if shape.beta == 0 {
            for i in 0..<m { for j in 0..<n { initial[i * ldc + j] = .nan } }
        }
        var ours = initial, reference = c
        var panels = [Float](repeating: .nan, count: AVX512Gemm.packedACount(m: m, k: k))
        if packedA { AVX512Gemm.packA(m: m, k: k, a: a, lda: lda, into: &panels) }
        ours.withUnsafeMutableBufferPointer { y in
            Gemm.avx512Sgemm(transA: shape.transA, transB: shape.transB, m: m, n: n, k: k,
                             alpha: alpha, a: packedA ? panels : a, lda: lda, b: b, ldb: ldb,
                             beta: shape.beta, c: y.baseAddress!, ldc: ldc, packedA: packedA)
        }
        reference.withUnsafeMutableBufferPointer { y in
            Gemm.blasSgemm(transA: shape.transA, transB: shape.transB, m: m, n: n, k: k,
                           alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
                           beta: shape.beta, c: y.baseAddress!, ldc: ldc)
        }
        // Relative to the size of the terms summed (sum |alpha a b| + |beta c|), since the two
        // accumulation orders may differ by rounding on each of them.
        var worst = 0.0
        for i in 0..<m {
            for j in 0..<n {
                var magnitude = abs(Double(shape.beta) * Double(c[i * ldc + j]))
                for p in 0..<k {
                    let aValue = shape.transA ? a[p * lda + i] : a[i * lda + p]
                    let bValue = shape.transB ? b[j * ldb + p] : b[p * ldb + j]
                    magnitude += abs(Double(alpha) * Double(aValue) * Double(bValue))
                }
                let difference = abs(Double(ours[i * ldc + j]) - Double(reference[i * ldc + j]))
                worst = max(worst, difference.isNaN ? .infinity : difference / max(1, magnitude))
            }
        }
        #expect(worst <= 1e-5, "worst error relative to the summed magnitudes: \(worst)")
        for i in 0..<m {
            for j in n..<ldc {
                #expect(ours[i * ldc + j] == c[i * ldc + j], "padding at row \(i), column \(j) changed")
            }
        }
    }

    @Test("Gemm.compute takes the AVX-512 path unless GRAPHCAM_NO_AVX512=1")
    func dispatch() {
        let disabled = ProcessInfo.processInfo.environment["GRAPHCAM_NO_AVX512"] == "1"
        #expect(CPUFeatures.usesAVX512GEMM == !disabled)
    }
}

@Suite("Gemm batches")
struct GemmBatchTests {
    /// Each shape side by side (or one after another) and split by rows across the workers.
    @Test("sgemmBatch gives each product what one sgemm call gives it",
          arguments: [(count: 5, m: 9, n: 50, k: 33), (count: 2, m: 64, n: 300, k: 70), (count: 1, m: 3, n: 4, k: 5),
                      (count: 36, m: 40, n: 64, k: 24)], [false, true])
    func batchMatchesSingleProducts(_ shape: (count: Int, m: Int, n: Int, k: Int), splitRows: Bool) {
        let (count, m, n, k) = shape
        let a = KernelTestData.random(count * m * k, seed: 41)
        let b = KernelTestData.random(count * k * n, seed: 42)
        var batched = [Float](repeating: .nan, count: count * m * n)
        var single = batched
        batched.withUnsafeMutableBufferPointer { c in
            Gemm.sgemmBatch(count: count, transA: false, transB: false, m: m, n: n, k: k, alpha: 1,
                            a: a, lda: k, strideA: m * k, b: b, ldb: n, strideB: k * n,
                            beta: 0, c: c.baseAddress!, ldc: n, strideC: m * n, splitRows: splitRows)
        }
        a.withUnsafeBufferPointer { aBuffer in
            b.withUnsafeBufferPointer { bBuffer in
                single.withUnsafeMutableBufferPointer { c in
                    for i in 0..<count {
                        Gemm.sgemm(transA: false, transB: false, m: m, n: n, k: k, alpha: 1,
                                   a: aBuffer.baseAddress! + i * m * k, lda: k,
                                   b: bBuffer.baseAddress! + i * k * n, ldb: n,
                                   beta: 0, c: c.baseAddress! + i * m * n, ldc: n)
                    }
                }
            }
        }
        // Same kernels, same summation order per element: equal up to rounding of the split.
        #expect(KernelTestData.worstRelativeError(batched, single) <= 1e-6)
    }
}

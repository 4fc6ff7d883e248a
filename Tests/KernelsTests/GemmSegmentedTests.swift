import Testing
import Foundation
@testable import Kernels
import KernelsAVX512

/// One segmented product: `C = act(alpha * A * B + beta * C + bias + R)` with B's and C's
/// columns in segments (images), as a batched 1x1 convolution sees them.
struct SegmentedCase: CustomTestStringConvertible, Sendable {
    let m: Int, n: Int, k: Int
    /// Columns per segment of B and of C (`n` or more: one plain matrix).
    let bSegment: Int, cSegment: Int
    var alpha: Float = 1, beta: Float = 0
    var bias = true, residual = false
    var activation: FusedActivation = .none
    var testDescription: String {
        "\(m)x\(n)x\(k) segments B \(bSegment) C \(cSegment) alpha \(alpha) beta \(beta)"
            + "\(bias ? " bias" : "")\(residual ? " residual" : "") \(activation)"
    }
}

@Suite("Segmented GEMM with fused epilogue on AVX-512",
       .enabled(if: CPUFeatures.hasAVX512F, "the CPU has no AVX-512F; convolutions copy instead"))
struct GemmSegmentedTests {
    /// Ragged m, n, k around the 8 x 48 tile and the 256 / 768 blocks; segments of 16 (every
    /// vector inside one image), 49 and 5 (images change inside vectors and tiles), one column
    /// and plain matrices, 7 and 20 (edge runs of every length; from 16 on, masked split vectors); every activation, residual, alpha and beta forms; one product large
    /// enough to be split across threads by columns and one by rows.
    static let cases: [SegmentedCase] = [
        SegmentedCase(m: 1, n: 1, k: 1, bSegment: 1, cSegment: 1),
        SegmentedCase(m: 8, n: 48, k: 16, bSegment: 16, cSegment: 16, residual: true, activation: .relu),
        SegmentedCase(m: 9, n: 98, k: 33, bSegment: 49, cSegment: 49, residual: true, activation: .relu),
        SegmentedCase(m: 16, n: 35, k: 7, bSegment: 5, cSegment: 5, activation: .clip(min: -0.2, max: 0.3)),
        SegmentedCase(m: 24, n: 64, k: 260, bSegment: 16, cSegment: 16, residual: true, activation: .sigmoid),
        SegmentedCase(m: 8, n: 100, k: 20, bSegment: 100, cSegment: 25, activation: .swish),
        SegmentedCase(m: 17, n: 60, k: 600, bSegment: 60, cSegment: 12, residual: true,
                      activation: .leakyRelu(alpha: 0.1)),
        SegmentedCase(m: 8, n: 96, k: 9, bSegment: 32, cSegment: 48, activation: .hardSigmoid(alpha: 0.2, beta: 0.5)),
        SegmentedCase(m: 13, n: 50, k: 70, bSegment: 10, cSegment: 10, alpha: 0.5, beta: 1, bias: false),
        SegmentedCase(m: 8, n: 33, k: 300, bSegment: 11, cSegment: 11, alpha: 2, beta: -0.5, residual: true,
                      activation: .relu),
        SegmentedCase(m: 8, n: 10, k: 0, bSegment: 5, cSegment: 5, beta: 0.5, residual: true, activation: .relu),
        SegmentedCase(m: 64, n: 16 * 53, k: 100, bSegment: 53, cSegment: 53, residual: true, activation: .relu),
        SegmentedCase(m: 200, n: 32, k: 300, bSegment: 16, cSegment: 16, activation: .relu),
        // 16 images of 49 positions: 16 panels of 48 columns split by columns, the last 16
        // columns by rows (threaded: over 2^20 multiply-adds).
        SegmentedCase(m: 40, n: 16 * 49, k: 40, bSegment: 49, cSegment: 49, residual: true, activation: .relu),
        // Edge-tile runs of every length class the vector copies take (1-3, 4-7, 8-15, 16 and
        // more, the last vector overlapping), also across depth blocks (accumulating).
        SegmentedCase(m: 16, n: 7 * 16, k: 24, bSegment: 7, cSegment: 7, residual: true,
                      activation: .clip(min: -0.2, max: 0.3)),
        SegmentedCase(m: 9, n: 80, k: 520, bSegment: 20, cSegment: 20, residual: true, activation: .relu),
        // Vectors straddling two images of 25 (masked loads and stores), accumulating onto C.
        SegmentedCase(m: 16, n: 100, k: 40, bSegment: 25, cSegment: 25, alpha: 0.5, beta: 1, residual: true,
                      activation: .relu),
        // Packed A deeper than a whole-depth B panel fits the scratch: back to depth blocks.
        SegmentedCase(m: 9, n: 50, k: 4200, bSegment: 25, cSegment: 25, residual: true, activation: .relu),
    ]

    /// Each case with `A` read in place and with `A` packed once (`AVX512Gemm.packA`, as a
    /// program's constant weights are).
    @Test("matches a double-precision reference; floats between segments stay untouched",
          arguments: cases, [false, true])
    func matchesReference(_ shape: SegmentedCase, packedA: Bool) throws {
        let (m, n, k) = (shape.m, shape.n, shape.k)
        // Rows `ld` apart inside a segment, with gaps between rows and between segments.
        let ldb = shape.bSegment + 3, ldc = shape.cSegment + 2
        let bStride = k * ldb + 7, cStride = m * ldc + 5
        let bSegments = (n + shape.bSegment - 1) / shape.bSegment
        let cSegments = (n + shape.cSegment - 1) / shape.cSegment
        func bIndex(_ p: Int, _ j: Int) -> Int { (j / shape.bSegment) * bStride + p * ldb + j % shape.bSegment }
        func cIndex(_ i: Int, _ j: Int) -> Int { (j / shape.cSegment) * cStride + i * ldc + j % shape.cSegment }
        let lda = k + 1
        let a = KernelTestData.random(m * lda, seed: 51)
        var packed = [Float](repeating: .nan, count: max(1, AVX512Gemm.packedACount(m: m, k: k)))
        if packedA { AVX512Gemm.packA(m: m, k: k, a: a, lda: lda, into: &packed) }
        let b = KernelTestData.random(max(1, bSegments * bStride), seed: 52)
        let bias = KernelTestData.random(m, seed: 53)
        let residual = KernelTestData.random(cSegments * cStride, seed: 54)
        let initial = KernelTestData.random(cSegments * cStride, seed: 55)
        // With beta 0, C must not be read: NaN where the product goes.
        var c = initial
        if shape.beta == 0 { for i in 0..<m { for j in 0..<n { c[cIndex(i, j)] = .nan } } }
        var expected = initial
        var scale = 1.0
        for i in 0..<m {
            for j in 0..<n {
                var sum = shape.beta == 0 ? 0 : Double(shape.beta) * Double(initial[cIndex(i, j)])
                for p in 0..<k { sum += Double(shape.alpha) * Double(a[i * lda + p]) * Double(b[bIndex(p, j)]) }
                if shape.bias { sum += Double(bias[i]) }
                if shape.residual { sum += Double(residual[cIndex(i, j)]) }
                expected[cIndex(i, j)] = shape.activation.apply(Float(sum))
                scale = max(scale, abs(sum))
            }
        }
        a.withUnsafeBufferPointer { a in
          packed.withUnsafeBufferPointer { packed in
            b.withUnsafeBufferPointer { b in
                bias.withUnsafeBufferPointer { bias in
                    residual.withUnsafeBufferPointer { r in
                        c.withUnsafeMutableBufferPointer { c in
                            Gemm.avx512SegmentedSgemm(
                                m: m, n: n, k: k, a: a.baseAddress!, lda: lda,
                                packedA: packedA ? packed.baseAddress : nil,
                                b: b.baseAddress!, ldb: ldb,
                                bSegments: .init(length: shape.bSegment, stride: bStride),
                                c: c.baseAddress!, ldc: ldc,
                                cSegments: .init(length: shape.cSegment, stride: cStride),
                                bias: shape.bias ? bias.baseAddress : nil,
                                epilogue: ConvEpilogue(residual: shape.residual ? r.baseAddress : nil,
                                                       activation: shape.activation),
                                alpha: shape.alpha, beta: shape.beta)
                        }
                    }
                }
            }
          }
        }
        // Relative to the largest sum; the floats outside the product must come back as given.
        var worst = 0.0
        for (ours, reference) in zip(c, expected) {
            let error = abs(Double(ours) - Double(reference)) / scale
            worst = error.isNaN ? .infinity : max(worst, error)
        }
        #expect(worst <= 1e-5, "worst error relative to the largest sum: \(worst)")
    }
}

import Testing
@testable import Kernels

/// The shapes of `C` that ONNX Gemm accepts for `[M, N] = [3, 4]`.
enum GemmAddendShape: String, CaseIterable, CustomTestStringConvertible {
    case none, scalar, row, column, full
    var testDescription: String { rawValue }

    var cShape: [Int] {
        switch self {
        case .none: return []
        case .scalar: return [1]
        case .row: return [4]
        case .column: return [3, 1]
        case .full: return [3, 4]
        }
    }
}

@Suite("Gemm")
struct GemmTests {
    let m = 3
    let n = 4
    let k = 5

    @Test("Y = alpha op(A) op(B) + beta C for every transpose and C broadcast",
          arguments: [(false, false), (true, false), (false, true), (true, true)], GemmAddendShape.allCases)
    func compute(transposes: (Bool, Bool), addend: GemmAddendShape) throws {
        let (transA, transB) = transposes
        let (alpha, beta): (Float, Float) = (0.75, -1.5)
        let a = KernelTestData.random(m * k, seed: 21)
        let b = KernelTestData.random(k * n, seed: 22)
        let c = KernelTestData.random(max(1, addend.cShape.reduce(1, *)), seed: 23)
        var y = [Float](repeating: .nan, count: m * n)
        try c.withUnsafeBufferPointer { cBuffer in
            let cAddend: Gemm.Addend = addend == .none
                ? .none
                : try Gemm.Addend.broadcasting(shape: addend.cShape, m: m, n: n, pointer: cBuffer.baseAddress!)
            try y.withUnsafeMutableBufferPointer { out in
                try Gemm.compute(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
                                 a: a, b: b, beta: beta, c: cAddend, y: out.baseAddress!)
            }
        }
        var expected = [Float](repeating: 0, count: m * n)
        for i in 0..<m {
            for j in 0..<n {
                var sum = 0.0
                for p in 0..<k {
                    let aValue = transA ? a[p * m + i] : a[i * k + p]
                    let bValue = transB ? b[j * k + p] : b[p * n + j]
                    sum += Double(aValue) * Double(bValue)
                }
                let cValue: Float
                switch addend {
                case .none: cValue = 0
                case .scalar: cValue = c[0]
                case .row: cValue = c[j]
                case .column: cValue = c[i]
                case .full: cValue = c[i * n + j]
                }
                expected[i * n + j] = Float(Double(alpha) * sum + Double(beta) * Double(cValue))
            }
        }
        #expect(KernelTestData.worstRelativeError(y, expected) < KernelTestData.tolerance)
    }

    @Test("a fully connected layer at batch 1 to 4 (B transposed) streams B's rows: equals the sums",
          arguments: [1, 2, 3, 4])
    func vectorProducts(rows: Int) {
        for (n, k) in [(70, 37), (33, 1000), (5, 16), (9, 8)] {
            let a = KernelTestData.random(rows * k, seed: 31)
            let b = KernelTestData.random(n * k, seed: 32)
            var c = [Float](repeating: .nan, count: rows * n)
            Gemm.sgemm(transA: false, transB: true, m: rows, n: n, k: k, alpha: 0.5, a: a, lda: k, b: b, ldb: k,
                       beta: 0, c: &c, ldc: n)
            var expected = [Float](repeating: 0, count: rows * n)
            for i in 0..<rows {
                for j in 0..<n {
                    let sum = (0..<k).reduce(0.0) { $0 + Double(a[i * k + $1]) * Double(b[j * k + $1]) }
                    expected[i * n + j] = Float(0.5 * sum)
                }
            }
            #expect(KernelTestData.worstRelativeError(c, expected) < KernelTestData.tolerance, "n \(n) k \(k)")
        }
    }

    @Test("a fully connected layer at batch 5 to 16 (B transposed) as C^T = B A^T: equals the sums, beta kept")
    func transposedProducts() {
        for (rows, n, k) in [(16, 70, 37), (5, 33, 300), (12, 1000, 64)] {
            let a = KernelTestData.random(rows * k, seed: 41)
            let b = KernelTestData.random(n * k, seed: 42)
            let c0 = KernelTestData.random(rows * n, seed: 43)
            var c = c0
            Gemm.sgemm(transA: false, transB: true, m: rows, n: n, k: k, alpha: 0.5, a: a, lda: k, b: b, ldb: k,
                       beta: -1, c: &c, ldc: n)
            var expected = [Float](repeating: 0, count: rows * n)
            for i in 0..<rows {
                for j in 0..<n {
                    let sum = (0..<k).reduce(0.0) { $0 + Double(a[i * k + $1]) * Double(b[j * k + $1]) }
                    expected[i * n + j] = Float(0.5 * sum - Double(c0[i * n + j]))
                }
            }
            #expect(KernelTestData.worstRelativeError(c, expected) < KernelTestData.tolerance, "\(rows)x\(n)x\(k)")
        }
    }

    @Test("C shapes are classified by unidirectional broadcasting")
    func addendClassification() throws {
        let pointer = UnsafeMutablePointer<Float>.allocate(capacity: 1)
        defer { pointer.deallocate() }
        func kind(_ shape: [Int]) throws -> String {
            switch try Gemm.Addend.broadcasting(shape: shape, m: 3, n: 4, pointer: pointer) {
            case .none: return "none"
            case .scalar: return "scalar"
            case .row: return "row"
            case .column: return "column"
            case .full: return "full"
            }
        }
        #expect(try kind([]) == "scalar")
        #expect(try kind([1, 1]) == "scalar")
        #expect(try kind([1, 4]) == "row")
        #expect(try kind([3, 1]) == "column")
        #expect(try kind([3, 4]) == "full")
        #expect { try kind([3]) } throws: { ($0 as? KernelParameterError)?.field == "C" }
        #expect { try kind([2, 3, 4]) } throws: { ($0 as? KernelParameterError)?.field == "C" }
    }

    @Test("K = 0 leaves only beta C")
    func emptyInnerDimension() throws {
        let c: [Float] = [1, 2]
        var y: [Float] = [.nan, .nan]
        try c.withUnsafeBufferPointer { cBuffer in
            try Gemm.compute(transA: false, transB: false, m: 1, n: 2, k: 0, alpha: 1, a: [], b: [],
                             beta: 2, c: .row(cBuffer.baseAddress!), y: &y)
        }
        #expect(y == [2, 4])
    }
}

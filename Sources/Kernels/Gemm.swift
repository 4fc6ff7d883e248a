/// ONNX Gemm: `Y = alpha * op(A) * op(B) + beta * C`, row-major float32.
public enum Gemm {
    /// The optional `C` operand of `Gemm` and how it broadcasts to `[M, N]`.
    public enum Addend {
        /// No `C`: `Y = alpha * op(A) * op(B)`.
        case none
        /// One value added everywhere (`C` of shape `[]`, `[1]` or `[1, 1]`).
        case scalar(UnsafePointer<Float>)
        /// One value per column (`C` of shape `[N]` or `[1, N]`).
        case row(UnsafePointer<Float>)
        /// One value per row (`C` of shape `[M, 1]`).
        case column(UnsafePointer<Float>)
        /// A full `[M, N]` matrix.
        case full(UnsafePointer<Float>)

        /// Classifies a `C` shape by ONNX unidirectional broadcasting to `[m, n]`.
        public static func broadcasting(
            shape: [Int], m: Int, n: Int, pointer: UnsafePointer<Float>
        ) throws -> Addend {
            let padded = Array(repeating: 1, count: max(0, 2 - shape.count)) + shape
            guard padded.count == 2 else {
                throw KernelParameterError(kernel: "Gemm", field: "C",
                                           message: "rank \(shape.count) does not broadcast to [\(m), \(n)]")
            }
            switch (padded[0], padded[1]) {
            case (1, 1): return .scalar(pointer)
            case (1, n): return .row(pointer)
            case (m, 1): return .column(pointer)
            case (m, n): return .full(pointer)
            default:
                throw KernelParameterError(kernel: "Gemm", field: "C",
                                           message: "shape \(shape) does not broadcast to [\(m), \(n)]")
            }
        }
    }

    /// Computes `Y[M, N] = alpha * op(A) * op(B) + beta * C`.
    ///
    /// `A` is `[M, K]` (`[K, M]` when `transA`), `B` is `[K, N]` (`[N, K]` when `transB`), `Y` is
    /// `[M, N]`. `Y` may alias a `.full` addend.
    public static func compute(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
        alpha: Float, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
        beta: Float, c: Addend, y: UnsafeMutablePointer<Float>
    ) throws {
        for (field, value) in [("M", m), ("N", n), ("K", k)] where value < 0 {
            throw KernelParameterError(kernel: "Gemm", field: field, message: "\(value) is negative")
        }
        guard fitsBLAS(m, n, k, m * k, k * n, m * n) else {
            throw KernelParameterError(kernel: "Gemm", field: "M/N/K",
                                       message: "[\(m), \(n), \(k)] exceed 32-bit BLAS sizes")
        }
        guard m > 0, n > 0 else { return }
        let hasAddend = fillAddend(c, beta: beta, m: m, n: n, into: y)
        guard k > 0 else {
            if !hasAddend { y.update(repeating: 0, count: m * n) }
            return
        }
        sgemm(transA: transA, transB: transB, m: m, n: n, k: k,
              alpha: alpha, a: a, lda: transA ? m : k, b: b, ldb: transB ? k : n,
              beta: hasAddend ? 1 : 0, c: y, ldc: n)
    }

    /// Writes `beta * C` broadcast to `[m, n]` into `y`; returns false when there is nothing to add.
    private static func fillAddend(
        _ c: Addend, beta: Float, m: Int, n: Int, into y: UnsafeMutablePointer<Float>
    ) -> Bool {
        switch c {
        case .none:
            return false
        case .scalar(let value):
            y.update(repeating: beta * value.pointee, count: m * n)
        case .row(let values):
            for i in 0..<m {
                let row = y + i * n
                for j in 0..<n { row[j] = beta * values[j] }
            }
        case .column(let values):
            for i in 0..<m { (y + i * n).update(repeating: beta * values[i], count: n) }
        case .full(let values):
            // Elementwise in place, so `y` may alias `values`.
            for index in 0..<(m * n) { y[index] = beta * values[index] }
        }
        return true
    }
}

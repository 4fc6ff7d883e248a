/// ONNX / numpy `MatMul` with broadcasting of batch dims, float32 row-major.
public enum MatMul {
    /// The output shape of `a @ b` under numpy rules: a 1-D `a` is a row `[1, K]` and a 1-D `b`
    /// a column `[K, 1]`, the added dim being dropped from the result; batch dims broadcast.
    public static func outputShape(_ aShape: [Int], _ bShape: [Int]) throws -> [Int] {
        try plan(aShape, bShape).outputShape
    }

    /// Computes `y = a @ b` for operands of shapes `aShape` and `bShape`
    /// (`y` holds `outputShape(aShape, bShape)` elements).
    public static func batched(
        aShape: [Int], bShape: [Int], a: UnsafePointer<Float>, b: UnsafePointer<Float>,
        y: UnsafeMutablePointer<Float>
    ) throws {
        batched(try plan(aShape, bShape), a: a, b: b, y: y)
    }

    /// Computes `y = a @ b` with a plan made once by `plan(aShape:bShape:)`; allocates nothing,
    /// so a runtime can resolve the plan at compile time and call this on every run.
    public static func batched(
        _ plan: Plan, a: UnsafePointer<Float>, b: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>
    ) {
        let (m, n, k) = (plan.m, plan.n, plan.k)
        let batchCount = plan.aOffsets.count
        guard batchCount > 0, m > 0, n > 0 else { return }
        guard k > 0 else {
            y.update(repeating: 0, count: batchCount * m * n)
            return
        }
        if plan.foldsBatchIntoRows {
            Gemm.sgemm(transA: false, transB: false, m: batchCount * m, n: n, k: k,
                       alpha: 1, a: a, lda: k, b: b, ldb: n, beta: 0, c: y, ldc: n)
            return
        }
        for matrix in 0..<batchCount {
            Gemm.sgemm(transA: false, transB: false, m: m, n: n, k: k, alpha: 1,
                       a: a + plan.aOffsets[matrix], lda: k, b: b + plan.bOffsets[matrix], ldb: n,
                       beta: 0, c: y + matrix * m * n, ldc: n)
        }
    }

    /// Plans `a @ b` for operands of shapes `aShape` and `bShape`; throws a
    /// `KernelParameterError` when they do not multiply or broadcast.
    public static func plan(aShape: [Int], bShape: [Int]) throws -> Plan {
        try plan(aShape, bShape)
    }

    /// A resolved `a @ b`: matrix sizes, broadcast batch dims, and where each output matrix's
    /// operands start.
    public struct Plan: Equatable, Sendable {
        public var m: Int, n: Int, k: Int
        /// Broadcast batch dims of the output.
        public var batch: [Int]
        /// Each operand's batch strides, in matrices (0 where the operand is broadcast).
        var aStrides: [Int]
        var bStrides: [Int]
        public var outputShape: [Int]
        /// Per output matrix (row-major over `batch`): element offset of its `a` and `b` operands.
        public var aOffsets: [Int]
        public var bOffsets: [Int]
        /// Every `a` matrix meets one shared `b` and the `a`s are contiguous: one
        /// `[batch * M, K] x [K, N]` product computes them all.
        public var foldsBatchIntoRows: Bool
    }

    static func plan(_ aShape: [Int], _ bShape: [Int]) throws -> Plan {
        func fail(_ field: String, _ message: String) -> KernelParameterError {
            KernelParameterError(kernel: "MatMul", field: field, message: message)
        }
        guard !aShape.isEmpty else { throw fail("A", "is a scalar; MatMul needs rank >= 1") }
        guard !bShape.isEmpty else { throw fail("B", "is a scalar; MatMul needs rank >= 1") }
        if let bad = (aShape + bShape).first(where: { $0 < 0 }) {
            throw fail("shape", "dimension \(bad) is negative")
        }
        let aMatrix = aShape.count == 1 ? [1, aShape[0]] : Array(aShape.suffix(2))
        let bMatrix = bShape.count == 1 ? [bShape[0], 1] : Array(bShape.suffix(2))
        guard aMatrix[1] == bMatrix[0] else {
            throw fail("B", "inner dims differ: A \(aShape) has K = \(aMatrix[1]), B \(bShape) has K = \(bMatrix[0])")
        }
        let aBatch = Array(aShape.dropLast(2))
        let bBatch = Array(bShape.dropLast(2))
        let rank = max(aBatch.count, bBatch.count)
        let aPadded = Array(repeating: 1, count: rank - aBatch.count) + aBatch
        let bPadded = Array(repeating: 1, count: rank - bBatch.count) + bBatch
        var batch: [Int] = []
        for axis in 0..<rank {
            let (x, z) = (aPadded[axis], bPadded[axis])
            guard x == z || x == 1 || z == 1 else {
                throw fail("B", "batch dims of A \(aShape) and B \(bShape) do not broadcast")
            }
            batch.append(x == 1 ? z : x)
        }
        func broadcastStrides(_ dims: [Int]) -> [Int] {
            zip(dims, contiguousStrides(dims)).map { $0 == 1 ? 0 : $1 }
        }
        var output = batch
        if aShape.count > 1 { output.append(aMatrix[0]) }
        if bShape.count > 1 { output.append(bMatrix[1]) }
        var plan = Plan(m: aMatrix[0], n: bMatrix[1], k: aMatrix[1], batch: batch,
                        aStrides: broadcastStrides(aPadded), bStrides: broadcastStrides(bPadded),
                        outputShape: output, aOffsets: [], bOffsets: [], foldsBatchIntoRows: false)
        guard Gemm.fitsBLAS(plan.m, plan.n, plan.k, plan.m * plan.k, plan.k * plan.n, plan.m * plan.n) else {
            throw fail("shape", "matrix sizes exceed 32-bit BLAS limits")
        }
        let batchCount = batch.reduce(1, *)
        let aIsContiguous = batch.indices.allSatisfy { axis in
            batch[axis] == 1 || plan.aStrides[axis] == contiguousStrides(batch)[axis]
        }
        plan.foldsBatchIntoRows = plan.bStrides.allSatisfy { $0 == 0 } && aIsContiguous
            && Gemm.fitsBLAS(batchCount * plan.m)
        // Odometer over the broadcast batch index, last axis fastest.
        var index = Array(repeating: 0, count: batch.count)
        plan.aOffsets.reserveCapacity(batchCount)
        plan.bOffsets.reserveCapacity(batchCount)
        for _ in 0..<batchCount {
            var aMatrixIndex = 0
            var bMatrixIndex = 0
            for axis in index.indices {
                aMatrixIndex += index[axis] * plan.aStrides[axis]
                bMatrixIndex += index[axis] * plan.bStrides[axis]
            }
            plan.aOffsets.append(aMatrixIndex * plan.m * plan.k)
            plan.bOffsets.append(bMatrixIndex * plan.k * plan.n)
            var axis = index.count - 1
            while axis >= 0 {
                index[axis] += 1
                if index[axis] < batch[axis] { break }
                index[axis] = 0
                axis -= 1
            }
        }
        return plan
    }

    /// Row-major strides of `dims`, counted in whole matrices.
    static func contiguousStrides(_ dims: [Int]) -> [Int] {
        var strides = Array(repeating: 1, count: dims.count)
        var running = 1
        for axis in dims.indices.reversed() {
            strides[axis] = running
            running *= dims[axis]
        }
        return strides
    }
}

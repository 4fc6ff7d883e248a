import Testing
@testable import Kernels

/// numpy `matmul` written out: promote 1-D operands, broadcast batch dims, then drop the
/// promoted dims; accumulates in double.
private func referenceMatMul(_ aShape: [Int], _ bShape: [Int], _ a: [Float], _ b: [Float]) -> [Float] {
    let aFull = aShape.count == 1 ? [1, aShape[0]] : aShape
    let bFull = bShape.count == 1 ? [bShape[0], 1] : bShape
    let (m, k, n) = (aFull[aFull.count - 2], aFull[aFull.count - 1], bFull[bFull.count - 1])
    let rank = max(aFull.count, bFull.count) - 2
    let aBatch = Array(repeating: 1, count: rank - (aFull.count - 2)) + aFull.dropLast(2)
    let bBatch = Array(repeating: 1, count: rank - (bFull.count - 2)) + bFull.dropLast(2)
    let batch = zip(aBatch, bBatch).map { max($0, $1) }
    var result: [Float] = []
    for flat in 0..<batch.reduce(1, *) {
        let at = KernelTestData.unravel(flat, batch)
        let aMatrix = KernelTestData.rowMajor(zip(at, aBatch).map { $1 == 1 ? 0 : $0 }, aBatch)
        let bMatrix = KernelTestData.rowMajor(zip(at, bBatch).map { $1 == 1 ? 0 : $0 }, bBatch)
        for i in 0..<m {
            for j in 0..<n {
                var sum = 0.0
                for p in 0..<k {
                    sum += Double(a[aMatrix * m * k + i * k + p]) * Double(b[bMatrix * k * n + p * n + j])
                }
                result.append(Float(sum))
            }
        }
    }
    return result
}

@Suite("MatMul")
struct MatMulTests {
    @Test("numpy broadcasting and 1-D operand rules", arguments: [
        ([4], [4], [Int]()),
        ([4], [4, 3], [3]),
        ([2, 4], [4], [2]),
        ([2, 4], [4, 3], [2, 3]),
        ([5, 2, 4], [4, 3], [5, 2, 3]),
        ([2, 4], [5, 4, 3], [5, 2, 3]),
        ([5, 2, 4], [5, 4, 3], [5, 2, 3]),
        ([5, 2, 4], [1, 4, 3], [5, 2, 3]),
        ([2, 1, 3, 4], [3, 4, 2], [2, 3, 3, 2]),
        ([3, 1, 2, 4], [1, 2, 4, 3], [3, 2, 2, 3]),
        ([2, 3, 2, 4], [4], [2, 3, 2]),
        ([4], [2, 1, 4, 3], [2, 1, 3]),
    ])
    func broadcasting(aShape: [Int], bShape: [Int], expectedShape: [Int]) throws {
        #expect(try MatMul.outputShape(aShape, bShape) == expectedShape)
        let a = KernelTestData.random(aShape.reduce(1, *), seed: 31)
        let b = KernelTestData.random(bShape.reduce(1, *), seed: 32)
        var y = [Float](repeating: .nan, count: expectedShape.reduce(1, *))
        try y.withUnsafeMutableBufferPointer { out in
            try MatMul.batched(aShape: aShape, bShape: bShape, a: a, b: b, y: out.baseAddress!)
        }
        let error = KernelTestData.worstRelativeError(y, referenceMatMul(aShape, bShape, a, b))
        #expect(error < KernelTestData.tolerance)
    }

    @Test("a plan records where each output matrix reads its operands")
    func planOffsets() throws {
        // Output batch [2, 3]: A's matrix follows the first index, B's the second.
        let broadcast = try MatMul.plan(aShape: [2, 1, 3, 4], bShape: [3, 4, 2])
        #expect(broadcast.outputShape == [2, 3, 3, 2])
        #expect(broadcast.aOffsets == [0, 0, 0, 12, 12, 12])
        #expect(broadcast.bOffsets == [0, 8, 16, 0, 8, 16])
        #expect(!broadcast.foldsBatchIntoRows)
        // One shared B under contiguous As: a single [10, 4] x [4, 3] product.
        #expect(try MatMul.plan(aShape: [5, 2, 4], bShape: [4, 3]).foldsBatchIntoRows)
        #expect(try !MatMul.plan(aShape: [5, 2, 4], bShape: [5, 4, 3]).foldsBatchIntoRows)
    }

    @Test("mismatched inner or batch dims are rejected")
    func rejectsIncompatibleShapes() {
        #expect(throws: KernelParameterError.self) { try MatMul.outputShape([2, 3], [4, 5]) }
        #expect(throws: KernelParameterError.self) { try MatMul.outputShape([2, 2, 3], [3, 3, 5]) }
        #expect(throws: KernelParameterError.self) { try MatMul.outputShape([], [3]) }
    }
}

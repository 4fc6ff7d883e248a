import Testing
@testable import GraphIR

let N = Dim.symbolic("N")

@Suite("Shape inference: reshaping, linear algebra, reductions")
struct ShapeInferenceTensorTests {
    func reshape(_ x: TensorType, _ target: [Int], allowZero: Bool = false) throws -> TensorType {
        try infer(.reshape, [x, i64(.known(target.count))], constants: [nil, .int64Vector(target)],
                  allowZero ? ["allowzero": .int(1)] : [:])[0]
    }

    @Test func reshapeCopiesZerosAndInfersMinusOne() throws {
        #expect(try reshape(f32(2, 3, 4), [-1, 12]) == f32(2, 12))
        #expect(try reshape(f32(2, 3, 4), [0, -1]) == f32(2, 12))
        #expect(try reshape(f32(2, 3, 4), [4, 0, 2]) == f32(4, 3, 2))
        #expect(errorText { _ = try reshape(f32(2, 3), [0, 0, 0, -1]) } == "shape [0, 0, 0, -1] copies dim 2 but the input has rank 2")
        #expect(errorText { _ = try reshape(f32(2, 3, 4), [5, -1]) } == "cannot reshape [2,3,4] to [5, -1]")
        #expect(errorText { _ = try reshape(f32(2, 3), [-1, -1]) } == "shape [-1, -1] has more than one -1")
    }

    @Test func reshapeWithSymbolicBatch() throws {
        #expect(try reshape(f32(N, 2048, 1, 1), [0, -1]) == f32(N, 2048))
        #expect(try reshape(f32(N, 4, 2), [-1, 8]) == f32(N, 8))
        #expect(try reshape(f32(N, 4, 2), [0, 2, -1]) == f32(N, 2, 4))
    }

    @Test func reshapeAllowZeroKeepsARealZero() throws {
        #expect(try reshape(f32(2, 0), [0, 4], allowZero: true) == f32(0, 4))
    }

    @Test func flattenAxes() throws {
        #expect(try infer(.flatten, [f32(2, 3, 4)], ["axis": .int(-1)]) == [f32(6, 4)])
        #expect(try infer(.flatten, [f32(2, 3, 4)], ["axis": .int(0)]) == [f32(1, 24)])
        #expect(try infer(.flatten, [f32(N, 3, 4)]) == [f32(N, 12)])
        #expect(errorText { _ = try infer(.flatten, [f32(2, 3)], ["axis": .int(-3)]) } == "axis -3 is out of range for rank 2")
    }

    @Test func gemmTransposes() throws {
        #expect(try infer(.gemm, [f32(N, 64), f32(10, 64), f32(10)], ["transB": .int(1)]) == [f32(N, 10)])
        #expect(try infer(.gemm, [f32(64, 2), f32(64, 10)], ["transA": .int(1)]) == [f32(2, 10)])
        #expect(errorText { _ = try infer(.gemm, [f32(2, 64), f32(10, 64)]) } == "inner dimensions differ: A gives 64 but B gives 10")
    }

    @Test func matMulOneDimensionalAndBroadcast() throws {
        #expect(try infer(.matMul, [f32(3), f32(3)]) == [f32()])
        #expect(try infer(.matMul, [f32(3), f32(2, 3, 5)]) == [f32(2, 5)])
        #expect(try infer(.matMul, [f32(2, 4, 3), f32(3)]) == [f32(2, 4)])
        #expect(try infer(.matMul, [f32(2, 1, 4, 3), f32(5, 3, 6)]) == [f32(2, 5, 4, 6)])
        #expect(errorText { _ = try infer(.matMul, [f32(4, 3), f32(4, 3)]) } == "inner dimensions differ: [4,3] x [4,3]")
    }

    @Test func concatAlongAnAxis() throws {
        #expect(try infer(.concat, [f32(1, 2, 3), f32(1, 5, 3)], ["axis": .int(1)]) == [f32(1, 7, 3)])
        #expect(try infer(.concat, [f32(N, 2, 3), f32(N, 5, 3)], ["axis": .int(-2)]) == [f32(N, 7, 3)])
        #expect(errorText { _ = try infer(.concat, [f32(1, 2, 3), f32(1, 5, 4)], ["axis": .int(1)]) }
                == "input 1 has shape [1,5,4], which differs from [1,2,3] outside axis 1")
    }

    @Test func squeezeAndUnsqueeze() throws {
        let axes: (Int...) -> [Tensor?] = { [nil, .int64Vector($0)] }
        #expect(try infer(.squeeze, [f32(1, 3, 1, 2), i64(2)], constants: axes(0, 2)) == [f32(3, 2)])
        #expect(try infer(.squeeze, [f32(1, 3, 1, 2)]) == [f32(3, 2)])
        #expect(errorText { _ = try infer(.squeeze, [f32(1, 3), i64(1)], constants: axes(1)) } == "cannot squeeze axis 1 of size 3")
        #expect(try infer(.unsqueeze, [f32(3, 2), i64(2)], constants: axes(0, 3)) == [f32(1, 3, 2, 1)])
        #expect(try infer(.unsqueeze, [f32(3, 2), i64(1)], constants: axes(-1)) == [f32(3, 2, 1)])
    }

    @Test func padAllAxesOrSelectedAxes() throws {
        let all = try infer(.pad, [f32(1, 3, 4, 4), i64(8)], constants: [nil, .int64Vector([0, 0, 1, 2, 0, 0, 3, 4])])
        #expect(all == [f32(1, 3, 8, 10)])
        let some = try infer(.pad, [f32(1, 3, 4, 4), i64(4), nil, i64(2)],
                             constants: [nil, .int64Vector([1, 2, 3, 4]), nil, .int64Vector([2, -1])])
        #expect(some == [f32(1, 3, 8, 10)])
        let crop = try infer(.pad, [f32(4, 4), i64(4)], constants: [nil, .int64Vector([-1, 0, -1, 0])])
        #expect(crop == [f32(2, 4)])
    }

    @Test func sliceCountsWithNegativeIndicesAndSteps() throws {
        func slice(_ x: TensorType, _ starts: [Int], _ ends: [Int], axes: [Int], steps: [Int]) throws -> TensorType {
            let k = Dim.known(starts.count)
            return try infer(.slice, [x, i64(k), i64(k), i64(k), i64(k)],
                             constants: [nil, .int64Vector(starts), .int64Vector(ends), .int64Vector(axes), .int64Vector(steps)])[0]
        }
        #expect(try slice(f32(10, 8), [2], [-1], axes: [0], steps: [1]) == f32(7, 8))
        // 9, 7, 5, 3, 1
        #expect(try slice(f32(10, 8), [-1], [-1000], axes: [0], steps: [-2]) == f32(5, 8))
        #expect(try slice(f32(N, 8), [1], [Int(Int64.max)], axes: [-1], steps: [3]) == f32(N, 3))
        // Backward from before the first element: ONNX clamps the start to 0, which still
        // selects element 0 (onnxruntime returns [x0]); the start is not clamped to -1.
        #expect(try slice(f32(10), [-20], [-30], axes: [0], steps: [-1]) == f32(1))
        #expect(try slice(f32(10), [20], [Int(Int64.min)], axes: [0], steps: [-1]) == f32(10))
        #expect(errorText { _ = try slice(f32(10), [0], [5], axes: [0], steps: [0]) } == "steps [0] must be non-zero")
    }

    @Test func gatherInsertsTheIndexShape() throws {
        #expect(try infer(.gather, [f32(5, 4), i64(2, 3)]) == [f32(2, 3, 4)])
        #expect(try infer(.gather, [f32(5, 4), i64()], ["axis": .int(1)]) == [f32(5)])
        #expect(errorText { _ = try infer(.gather, [f32(5, 4), f32(2)]) } == "indices must be int64 or int32, found f32")
    }

    @Test func reduceKeepdims() throws {
        let axes1: [Tensor?] = [nil, .int64Vector([1])]
        #expect(try infer(.reduceMean, [f32(2, 3, 4), i64(1)], constants: axes1) == [f32(2, 1, 4)])
        #expect(try infer(.reduceSum, [f32(2, 3, 4), i64(1)], constants: axes1, ["keepdims": .int(0)]) == [f32(2, 4)])
        #expect(try infer(.reduceMean, [f32(2, 3, 4)]) == [f32(1, 1, 1)])
        #expect(try infer(.reduceSum, [f32(2, 3, 4)], ["keepdims": .int(0)]) == [f32()])
        #expect(try infer(.reduceSum, [f32(2, 3, 4)], ["noop_with_empty_axes": .int(1)]) == [f32(2, 3, 4)])
    }

    @Test func transposeAndBroadcast() throws {
        #expect(try infer(.transpose, [f32(2, 3, 4)], ["perm": .ints([2, 0, 1])]) == [f32(4, 2, 3)])
        #expect(try infer(.add, [f32(N, 4, 8, 8), f32(4, 1, 1)]) == [f32(N, 4, 8, 8)])
        #expect(errorText { _ = try infer(.mul, [f32(2, 3), f32(4)]) } == "shapes [2,3] and [4] cannot be broadcast (axis 1: 3 vs 4)")
    }
}

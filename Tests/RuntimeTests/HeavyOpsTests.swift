import GraphIR
import Testing
@testable import Runtime

// Expected values below were produced by onnxruntime 1.x (CPU) for the same nodes.

private func single(_ op: OpKind, _ x: Tensor, _ attributes: Attributes, outputs: Int = 1,
                    extra: [Tensor] = []) throws -> [Tensor] {
    var b = GraphBuilder(name: op.rawValue)
    let xv = b.input("x", x.type)
    let others = extra.enumerated().map { b.constant("c\($0.offset)", $0.element) }
    let outs = try b.node(op, "op", [xv] + others, attributes, outputNames: (0..<outputs).map { "y\($0)" })
    for o in outs { b.output(o) }
    return try Program.compile(b.graph).run(["x": x])
}

private let ramp4x4 = Tensor(shape: [1, 1, 4, 4], floats: (1...16).map(Float.init))

@Test func maxPoolWithCeilModeReturnsOnnxIndices() throws {
    var v = (1...16).map(Float.init)
    v[6] = 100  // x[0,0,1,2]
    let out = try single(.maxPool, Tensor(shape: [1, 1, 4, 4], floats: v),
                         ["kernel_shape": .ints([3, 3]), "strides": .ints([2, 2]), "ceil_mode": .int(1),
                          "pads": .ints([1, 1, 0, 0])], outputs: 2)
    #expect(out[0].floatValues == [6, 100, 14, 100])
    #expect(out[1] == Tensor(shape: [1, 1, 2, 2], int64s: [5, 6, 13, 6]))
}

@Test func averagePoolCountIncludePadIgnoresCeilOverhang() throws {
    let attrs: Attributes = ["kernel_shape": .ints([3, 3]), "strides": .ints([2, 2]), "ceil_mode": .int(1),
                             "pads": .ints([1, 1, 1, 1])]
    var including = attrs
    including["count_include_pad"] = .int(1)
    let inc = try single(.averagePool, ramp4x4, including)[0]
    #expect(inc.shape == [1, 1, 3, 3])
    #expect(isClose(inc.floatValues, [1.5555556, 3.3333333, 2, 6.3333335, 11, 6, 4.5, 7.5, 4], tolerance: 1e-6))
    let exc = try single(.averagePool, ramp4x4, attrs)[0]
    #expect(isClose(exc.floatValues, [3.5, 5, 6, 9.5, 11, 12, 13.5, 15, 16], tolerance: 1e-6))
}

@Test func batchNormTrainingModeUsesBatchStatisticsAndUpdatesRunningOnes() throws {
    let x = Tensor(shape: [1, 2, 2, 2], floats: [1, 2, 3, 4, 0, 0, 2, 6])
    let out = try single(.batchNormalization, x, ["training_mode": .int(1), "momentum": .float(0.9)], outputs: 3,
                         extra: [Tensor(shape: [2], floats: [1, 2]), Tensor(shape: [2], floats: [0, 1]),
                                 Tensor(shape: [2], floats: [0.5, 1]), Tensor(shape: [2], floats: [1, 4])])
    #expect(isClose(out[0].floatValues, [-1.3416353, -0.44721174, 0.44721198, 1.3416355,
                                         -0.6329918, -0.6329918, 1, 4.2659836], tolerance: 1e-5))
    #expect(isClose(out[1].floatValues, [0.7, 1.1], tolerance: 1e-6))
    #expect(isClose(out[2].floatValues, [1.025, 4.2], tolerance: 1e-6))
}

@Test func batchNormInferenceUsesGivenStatistics() throws {
    let x = Tensor(shape: [1, 1, 1, 2], floats: [3, 5])
    let out = try single(.batchNormalization, x, ["epsilon": .float(0)],
                         extra: [Tensor(shape: [1], floats: [2]), Tensor(shape: [1], floats: [1]),
                                 Tensor(shape: [1], floats: [1]), Tensor(shape: [1], floats: [4])])
    #expect(out[0].floatValues == [3, 5])  // 2 * (x - 1) / 2 + 1
}

@Test func matMulBroadcastsBatchesAndPromotesVectors() throws {
    var b = GraphBuilder(name: "mm")
    let a = b.input("a", TensorType(.float32, [2, 1, 2, 3]))
    let m = b.constant("m", Tensor(shape: [2, 3, 1], floats: [1, 0, 0, 0, 1, 1]))
    b.output(try b.add(.matMul, "y", [a, m]))
    let v = b.constant("v", Tensor(shape: [3], floats: [1, 1, 1]))
    b.output(try b.add(.matMul, "yv", [a, v]))
    let out = try Program.compile(b.graph).run(["a": Tensor(shape: [2, 1, 2, 3], floats: (0..<12).map(Float.init))])
    #expect(out[0].shape == [2, 2, 2, 1])
    // Batch b of a meets both matrices: picks column 0, then sums columns 1 and 2.
    #expect(out[0].floatValues == [0, 3, 3, 9, 6, 9, 15, 21])
    #expect(out[1].shape == [2, 1, 2])
    #expect(out[1].floatValues == [3, 12, 21, 30])
}

@Test func gemmTransposesAndBroadcastsC() throws {
    var b = GraphBuilder(name: "gemm")
    let a = b.input("a", TensorType(.float32, [3, 2]))           // transA -> [2, 3]
    let w = b.constant("w", Tensor(shape: [2, 3], floats: [1, 0, 0, 0, 1, 0]))  // transB -> [3, 2]
    let c = b.constant("c", Tensor(shape: [2, 1], floats: [10, 20]))
    b.output(try b.add(.gemm, "y", [a, w, c], ["transA": .int(1), "transB": .int(1), "alpha": .float(2), "beta": .float(0.5)]))
    let y = try Program.compile(b.graph).run(["a": Tensor(shape: [3, 2], floats: [1, 2, 3, 4, 5, 6])])[0]
    // A^T = [[1,3,5],[2,4,6]]; A^T W^T picks columns 0 and 1.
    // Y = 2 * [[1, 3], [2, 4]] + 0.5 * [[10], [20]]
    let expected: [Float] = [7, 11, 14, 18]
    #expect(y.floatValues == expected)
}

@Test func groupedStridedDilatedPaddedConvMatchesOnnxRuntime() throws {
    // Small integers and halves: every product and sum is exact in float32.
    let x = Tensor(shape: [2, 4, 5, 5], floats: (0..<200).map { Float($0 % 7 - 3) })
    let w = Tensor(shape: [6, 2, 3, 3], floats: (0..<108).map { Float($0 % 5 - 2) * 0.5 })
    let bias = Tensor(shape: [6], floats: [1, -1, 0.5, 0, 2, -2])
    let y = try single(.conv, x, ["group": .int(2), "strides": .ints([2, 1]), "pads": .ints([1, 2, 0, 1]),
                                  "dilations": .ints([1, 2])], extra: [w, bias])[0]
    #expect(y.shape == [2, 6, 2, 4])
    let expected: [Float] = [1.5,-4,-4,-4,-5,-5.5,4,-1,-4.5,-6,1.5,6.5,14,14,-0.5,-1.5,0.5,8,3,-4.5,-6,-5.5,-4,-6,-5,-1.5,-2,0.5,-2,3.5,17,-2.5,9.5,2,7,6.5,1.5,-4,-9.5,0,-7,-5.5,-10,-3.5,-8.5,5,3,1.5,-2.5,-4.5,-3,3,8,11,8,10,-0.5,8.5,2,-1.5,-3.5,-10.5,-10,-9,5,-5,-4.5,-5,-1.5,-1,3,10.5,2,2,7.5,8,9,4,-12,-6,1.5,1,-7,-3,-6,6,7.5,1,-7.5,-6,5,0,8,-3,3.5,2]
    #expect(y.floatValues == expected)
}

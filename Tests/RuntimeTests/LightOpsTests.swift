import GraphIR
import Testing
@testable import Runtime

// Scores [2,3,2] (N, C, d1), labels [2,2] with ignore_index -5, class weights.
private let scores = Tensor(shape: [2, 3, 2], floats: [1, 2, 0, -1, 3, 0.5, 0, 0, 1, 2, -2, 4])
private let labels = Tensor(shape: [2, 2], int64s: [2, -5, 1, 0])

private func crossEntropy(_ reduction: String, logProb: Bool) throws -> [Tensor] {
    var b = GraphBuilder(name: "sce")
    let x = b.input("scores", scores.type)
    let l = b.input("labels", labels.type)
    let w = b.constant("weights", Tensor(shape: [3], floats: [0.5, 2, 1]))
    let outs = try b.node(.softmaxCrossEntropyLoss, "loss", [x, l, w],
                          ["reduction": .string(reduction), "ignore_index": .int(-5)],
                          outputNames: logProb ? ["loss", "log_prob"] : ["loss"])
    for o in outs { b.output(o) }
    return try Program.compile(b.graph).run(["scores": scores, "labels": labels])
}

// Expected values from onnxruntime (opset 13), tolerance 1e-6 relative.
@Test func softmaxCrossEntropyMatchesOnnxRuntimeForEveryReduction() throws {
    #expect(isClose(try crossEntropy("mean", logProb: false)[0].floatValues, [0.83981031], tolerance: 1e-6))
    #expect(isClose(try crossEntropy("sum", logProb: false)[0].floatValues, [2.93933606], tolerance: 1e-6))
    let none = try crossEntropy("none", logProb: true)
    #expect(none[0].shape == [2, 2])
    #expect(isClose(none[0].floatValues, [0.16984604, 0, 0.69802433, 2.07146573], tolerance: 1e-6))
    #expect(isClose(Array(none[1].floatValues.prefix(4)), [-2.16984606, -0.24131133, -3.16984606, -3.24131131],
                    tolerance: 1e-6))
}

@Test func badLabelIsReportedByNodeName() throws {
    var b = GraphBuilder(name: "nll")
    let x = b.input("logp", TensorType(.float32, [1, 3]))
    let l = b.input("labels", TensorType(.int64, [1]))
    b.output(try b.add(.negativeLogLikelihoodLoss, "nll", [x, l]))
    let program = try Program.compile(b.graph)
    let logp = Tensor(shape: [1, 3], floats: [-1, -2, -3])
    #expect(try program.run(["logp": logp, "labels": Tensor(shape: [1], int64s: [1])])[0].floatValues == [2])
    let error = #expect(throws: RuntimeError.self) {
        try program.run(["logp": logp, "labels": Tensor(shape: [1], int64s: [3])])
    }
    #expect(error?.subject == "nll")
}

@Test func int64DataMovesThroughShapeOpsAtRunTime() throws {
    var b = GraphBuilder(name: "int-moves")
    let x = b.input("x", TensorType(.int64, [2, 3]))
    let t = try b.add(.transpose, "t", [x])                                           // [3, 2]
    let idx = b.constant("idx", .int64Vector([-1, 0]))
    let g = try b.add(.gather, "g", [t, idx], ["axis": .int(0)])                      // rows 2, 0
    let c = try b.add(.concat, "c", [g, g], ["axis": .int(1)])                        // [2, 4]
    let s = try b.add(.slice, "s", [c, b.constant("st", .int64Vector([-1])), b.constant("en", .int64Vector([-100])),
                                    b.constant("ax", .int64Vector([1])), b.constant("sp", .int64Vector([-2]))])
    b.output(try b.add(.add, "sum", [s, b.constant("one", Tensor(shape: [1], int64s: [100]))]))
    let program = try Program.compile(b.graph)
    let y = try program.run(["x": Tensor(shape: [2, 3], int64s: [1, 2, 3, 4, 5, 6])])[0]
    // t = [[1,4],[2,5],[3,6]]; g = [[3,6],[1,4]]; c = [[3,6,3,6],[1,4,1,4]]; s = columns 3, 1.
    #expect(y == Tensor(shape: [2, 2], int64s: [106, 106, 104, 104]))
}

@Test func padReflectAndReduceMeanRunTogether() throws {
    var b = GraphBuilder(name: "pad-reduce")
    let x = b.input("x", TensorType(.float32, [1, 3]))
    let p = try b.add(.pad, "p", [x, b.constant("pads", .int64Vector([0, 2, 0, 1]))], ["mode": .string("reflect")])
    b.output(p)
    b.output(try b.add(.reduceMean, "m", [p, b.constant("axes", .int64Vector([-1]))], ["keepdims": .int(0)]))
    let out = try Program.compile(b.graph).run(["x": Tensor(shape: [1, 3], floats: [1, 2, 3])])
    #expect(out[0].floatValues == [3, 2, 1, 2, 3, 2])
    #expect(out[1].shape == [1])
    #expect(out[1].floatValues == [13.0 / 6.0])
}

@Test func dropoutCopiesAndCastTruncates() throws {
    var b = GraphBuilder(name: "dropout-cast")
    let x = b.input("x", TensorType(.float32, [3]))
    let d = try b.node(.dropout, "drop", [x], ["ratio": .float(0.5)], outputNames: ["kept", "mask"])
    b.output(d[0])
    b.output(d[1])
    b.output(try b.add(.cast, "ints", [d[0]], ["to": .string("i64")]))
    let out = try Program.compile(b.graph).run(["x": Tensor(shape: [3], floats: [1.5, -2.5, 3])])
    #expect(out[0].floatValues == [1.5, -2.5, 3])
    #expect(out[1] == Tensor(shape: [3], storage: .bool([true, true, true])))
    #expect(out[2] == Tensor(shape: [3], int64s: [1, -2, 3]))
}

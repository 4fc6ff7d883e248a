import Autodiff
import GraphIR
import Testing

@Suite("VJP registry")
struct VJPRegistryTests {
    @Test("every op has a rule, or is marked non-differentiable or unsupported (exactly one)")
    func everyOpIsClassified() {
        for op in OpKind.allCases {
            let marks = [VJPRegistry.rule(for: op) != nil, VJPRegistry.nonDifferentiable.contains(op),
                         VJPRegistry.unsupported[op] != nil].filter { $0 }.count
            #expect(marks == 1, "\(op.rawValue) has \(marks) classifications; give it a VJP rule or a mark")
        }
    }

    @Test("operand inputs, BN statistics and loss weights never receive gradients")
    func nonDifferentiableSlots() {
        let reshape = Node(name: "r", op: .reshape, inputs: [ValueID(0), ValueID(1)], outputs: [ValueID(2)])
        #expect(VJPRegistry.nonDifferentiableInputs(of: reshape) == [1])
        let bn = Node(name: "bn", op: .batchNormalization, inputs: (0..<5).map { ValueID($0) }, outputs: [ValueID(5)])
        #expect(VJPRegistry.nonDifferentiableInputs(of: bn) == [3, 4])
        #expect(VJPRegistry.nonDifferentiableOutputs(of: bn) == [1, 2])
        let sce = Node(name: "l", op: .softmaxCrossEntropyLoss, inputs: (0..<3).map { ValueID($0) }, outputs: [ValueID(3)])
        #expect(VJPRegistry.nonDifferentiableInputs(of: sce) == [1, 2])
    }

    @Test("differentiating through an unsupported op names the node and the reason")
    func unsupportedOpThrows() throws {
        var t = OpGraph("gather")
        let x = t.input("x", [4, 3])
        let idx = t.constant("idx", .int64Vector([2, 0]))
        let y = try t.node(.gather, "pick", [x, idx], ["axis": .int(0)])
        let s = try t.node(.reduceSum, "s", [y], ["keepdims": .int(0)])
        #expect(throws: AutodiffError.self) { try Gradient.build(graph: t.graph, of: s, withRespectTo: [x]) }
        do {
            _ = try Gradient.build(graph: t.graph, of: s, withRespectTo: [x])
        } catch let e as AutodiffError {
            #expect(e.node == "pick")
            #expect(e.message.contains("scatter-add"))
        }
    }
}

import Autodiff
import GraphIR
import Models
import Testing

/// What `Gradient.build` appends: names, pruning, fan-in, seeds, errors.
@Suite("Gradient graph structure")
struct GradientStructureTests {
    /// tiny-resnet (8x8, batch 2) with a scalar: SCE of the logits against fixed labels.
    static func tinyResNetWithLoss() throws -> (graph: Graph, loss: ValueID, feeds: [String: RefTensor]) {
        var g = try TinyNets.tinyResNet(inputSize: 8, batch: .known(2), weights: .seeded(7))
        let logits = try #require(g.value(named: "predictions/logits"))
        let labels = g.addValue(Value(name: "labels", type: TensorType(.int64, [2]), role: .input))
        g.inputs.append(labels)
        let loss = try appendNode(&g, .softmaxCrossEntropyLoss, "loss", [logits, labels])[0]
        g.outputs = [loss]
        var rng = TestRandom(31)
        let feeds = ["input_1": rng.tensor([2, 3, 8, 8]), "labels": RefTensor(shape: [2], data: [1, 0])]
        return (g, loss, feeds)
    }

    @Test("parameter gradients only: no backward work upstream of the first parameter")
    func pruning() throws {
        let (g, loss, _) = try Self.tinyResNetWithLoss()
        let params = g.parameters.filter { g[$0].trainable }
        let (built, grads) = try Gradient.build(graph: g, of: loss, withRespectTo: params)
        try built.verify()
        let backward = built.nodes[g.nodes.count...]
        // conv1_conv reads the image: its weight gradient is needed, its input gradient is not.
        #expect(!backward.contains { $0.op == .convGradInput && $0.name.hasPrefix("grad/conv1_conv/") })
        #expect(backward.contains { $0.op == .convGradWeight && $0.name.hasPrefix("grad/conv1_conv/") })
        // Every gradient is addressable as grad/<parameter>, with the parameter's type.
        for (p, gp) in zip(params, grads) {
            #expect(built[gp].name == "grad/\(g[p].name)")
            #expect(built[gp].type == g[p].type)
        }
        // The moving statistics are not trainable, so nothing differentiates them.
        #expect(built.value(named: "grad/conv1_bn/moving_mean") == nil)
    }

    @Test("a residual block's fan-in is summed with Add; the seed is a constant 1")
    func fanInAndSeed() throws {
        let (g, loss, _) = try Self.tinyResNetWithLoss()
        let pool = try #require(g.value(named: "pool1_pool"))
        let (built, grads) = try Gradient.build(graph: g, of: loss, withRespectTo: [pool])
        // pool1_pool feeds both the shortcut conv and the first block conv.
        let sum = try #require(built[grads[0]].producer.map { built[$0] })
        #expect(sum.op == .add)
        #expect(built[grads[0]].name == "grad/pool1_pool")
        let seed = try #require(built.value(named: "grad/loss"))
        #expect(built[seed].role == .constant)
        #expect(built[seed].data == Tensor(shape: [], floats: [1]))
    }

    @Test("Grad-CAM query: the gradient at an intermediate feature map matches finite differences")
    func intermediateTarget() throws {
        let (g, loss, feeds) = try Self.tinyResNetWithLoss()
        let features = try #require(g.value(named: "conv2_block1_out"))
        try checkGradients(g, of: loss, wrt: [features], feeds: feeds, eps: 1e-6,
                           tolerance: Tolerance(absolute: 1e-7, relative: 1e-5))
        let (built, _) = try Gradient.build(graph: g, of: loss, withRespectTo: [features])
        // Nothing before the feature map is differentiated.
        #expect(!built.nodes[g.nodes.count...].contains { $0.op == .convGradInput || $0.op == .convGradWeight })
    }

    @Test("a value the scalar does not depend on gets a zero constant gradient")
    func unconnected() throws {
        var t = OpGraph("two", seed: 2)
        let x = t.input("x", [3]), z = t.input("z", [3])
        let y = try t.node(.relu, "y", [x])
        _ = try t.node(.neg, "unused", [z])
        let s = try t.node(.reduceSum, "s", [y], ["keepdims": .int(0)])
        let (built, grads) = try Gradient.build(graph: t.graph, of: s, withRespectTo: [z])
        #expect(built[grads[0]].role == .constant)
        #expect(built[grads[0]].data == Tensor(shape: [3], floats: [0, 0, 0]))
    }

    @Test("errors: a non-scalar target and an integer wrt value are rejected with their names")
    func errors() throws {
        var t = OpGraph("bad", seed: 2)
        let x = t.input("x", [3])
        let y = try t.node(.relu, "y", [x])
        #expect(throws: AutodiffError(node: "y", message: "can only differentiate a one-element float value, found f32[3]")) {
            try Gradient.build(graph: t.graph, of: y, withRespectTo: [x])
        }
        let labels = t.labels("labels", [3], [0, 1, 2])
        let s = try t.node(.reduceSum, "s", [y], ["keepdims": .int(0)])
        #expect(throws: AutodiffError.self) { try Gradient.build(graph: t.graph, of: s, withRespectTo: [labels]) }
    }
}

@Suite("Backward ops in the IR")
struct BackwardOpIRTests {
    @Test("a training graph with every kind of backward node prints and parses back to the same text")
    func textRoundTrip() throws {
        let model = try TinyNets.tinyResNet(inputSize: 8, batch: .known(2), weights: .seeded(1))
        let logits = try #require(model.value(named: "predictions/logits"))
        let training = try TrainingGraph.build(model: model, logits: logits)
        let ops = Set(training.graph.nodes.map(\.op))
        #expect(ops.isSuperset(of: [.convGradInput, .convGradWeight, .maxPoolGrad, .batchNormalizationGrad,
                                    .activationGrad, .broadcastLike]))
        let text = training.graph.textDescription
        #expect(try Graph.parse(text: text).textDescription == text)
    }

    @Test("backward-op shape inference rejects a gradient that disagrees with the forward op")
    func inconsistentShapes() {
        let dy = TensorType(.float32, [1, 4, 3, 3]), w = TensorType(.float32, [4, 2, 3, 3])
        let a: Attributes = ["pads": .ints([1, 1, 1, 1]), "input_spatial_shape": .ints([3, 3])]
        #expect(throws: Never.self) { try OpKind.convGradInput.inferOutputTypes(InferenceContext(inputs: [dy, w], attributes: a)) }
        var wrong = a
        wrong["input_spatial_shape"] = .ints([5, 5])
        #expect(throws: ShapeError.self) { try OpKind.convGradInput.inferOutputTypes(InferenceContext(inputs: [dy, w], attributes: wrong)) }
        let x = TensorType(.float32, [1, 4, 8, 8])
        #expect(throws: ShapeError.self) {
            try OpKind.maxPoolGrad.inferOutputTypes(InferenceContext(inputs: [dy, x], attributes: ["kernel_shape": .ints([2, 2])]))
        }
        #expect(throws: ShapeError.self) {
            try OpKind.activationGrad.inferOutputTypes(InferenceContext(inputs: [x, x], attributes: ["activation": .string("Gelu")]))
        }
    }
}

import Evaluation
import GraphIR
import Models
import Runtime
import Testing

@Suite struct WeightTransferTests {
    @Test func sameNamesCopyEveryTensor() throws {
        let source = try TinyNets.tinyCNN(inputSize: 16, weights: .seeded(5))
        let target = try TinyNets.tinyCNN(inputSize: 16, weights: .seeded(0))
        let (filled, report) = WeightTransfer.transfer(from: source, onto: target)
        #expect(report.byName == source.parameters.count && report.byStructure == 0 && report.unmatched.isEmpty)
        #expect(filled == source)
    }

    @Test func renamedTensorsAreMatchedByShapeInGraphOrder() throws {
        var source = try TinyNets.tinyCNN(inputSize: 16, weights: .seeded(5))
        let expected = source
        for v in source.parameters { source[v].name = "exported/" + source[v].name + ":0" }
        // Nodes named without the layer either (numbered, as some exporters do).
        for n in source.nodes.indices { source.nodes[n].name = "node_\(n)" }
        let target = try TinyNets.tinyCNN(inputSize: 16, weights: .seeded(0))
        let (filled, report) = WeightTransfer.transfer(from: source, onto: target)
        #expect(report.byName == 0 && report.byStructure == target.parameters.count && report.unusedSource == 0)
        for v in target.parameters { #expect(filled[v].data == expected[v].data, "\(target[v].name)") }
    }

    @Test("tf2onnx names (TensorFlow ops, not Keras variables) match through the node that reads each tensor")
    func tf2onnxNamesMatchByLayerAndRole() throws {
        var source = try TinyNets.tinyResNet(inputSize: 16, weights: .seeded(5))
        let expected = source
        // tf2onnx: `model/<layer>/Conv2D/ReadVariableOp:0` for a kernel, BN's gamma and beta as
        // `ReadVariableOp:0` / `ReadVariableOp_1:0`, the statistics under FusedBatchNormV3;
        // nodes named after the TensorFlow op inside the layer.
        let tensorNames = ["kernel": "Conv2D/ReadVariableOp:0", "bias": "BiasAdd/ReadVariableOp:0",
                           "gamma": "ReadVariableOp:0", "beta": "ReadVariableOp_1:0",
                           "moving_mean": "FusedBatchNormV3/ReadVariableOp:0",
                           "moving_variance": "FusedBatchNormV3/ReadVariableOp_1:0"]
        for v in source.parameters {
            let parts = source[v].name.split(separator: "/")
            let layer = parts[0], role = String(parts[1])
            source[v].name = "model/\(layer)/" + (tensorNames[role] ?? role)
        }
        for n in source.nodes.indices { source.nodes[n].name = "model/\(source.nodes[n].name)/BiasAdd" }
        let target = try TinyNets.tinyResNet(inputSize: 16, weights: .seeded(0))
        let (filled, report) = WeightTransfer.transfer(from: source, onto: target)
        #expect(report.byName == target.parameters.count && report.byStructure == 0 && report.unusedSource == 0)
        for v in target.parameters { #expect(filled[v].data == expected[v].data, "\(target[v].name)") }
    }

    @Test func aBackboneFileLeavesTheNewHeadSeededAndSaysSo() throws {
        let backbone = try VGG.vgg16(inputSize: 32, weights: .seeded(5))
        let target = try VGG.vgg16(inputSize: 32, weights: .seeded(0)).withClassifierHead(classes: 2, weights: .seeded(0))
        let (_, report) = WeightTransfer.transfer(from: backbone, onto: target)
        #expect(report.unmatched == ["predictions/kernel", "predictions/bias"])
        #expect(report.summary.contains("2 unmatched (predictions/kernel, predictions/bias)"))
    }
}

/// A source whose BatchNorm was folded into the convolution (as tf2onnx exports MobileNetV2):
/// the target's BN becomes the identity plus the folded bias, so both compute the same.
@Suite struct FoldedBatchNormTransferTests {
    @Test func foldedBatchNormBecomesIdentityPlusBias() throws {
        var s = GraphBuilder(name: "exported", weights: .seeded(3))
        let sx = s.input("input_1", TensorType(.float32, [1, 2, 5, 5]))
        let sw = s.parameter("model/c1/Conv2D_weights_fused_bn", shape: [4, 2, 3, 3], initializer: .glorotUniform)
        let sb = s.parameter("model/c1/Conv2D_bias_fused_bn", shape: [4], initializer: .uniform(low: -0.5, high: 0.5))
        s.output(try s.add(.relu, "model/c1_relu/Relu", [try s.add(.conv, "model/c1/Conv2D", [sx, sw, sb],
                                                                    ["pads": .ints([1, 1, 1, 1])])]))
        var t = GraphBuilder(name: "zoo", weights: .seeded(9))
        let tx = t.input("input_1", TensorType(.float32, [1, 2, 5, 5]))
        let tw = t.parameter("c1/kernel", shape: [4, 2, 3, 3], initializer: .glorotUniform)
        let conv = try t.add(.conv, "c1", [tx, tw], ["pads": .ints([1, 1, 1, 1])])
        let bnParams = ["gamma", "beta", "moving_mean", "moving_variance"].map {
            t.parameter("c1_bn/\($0)", shape: [4], initializer: .uniform(low: 0.5, high: 1.5))
        }
        let bn = try t.add(.batchNormalization, "c1_bn", [conv] + bnParams, ["epsilon": .float(1e-3)])
        t.output(try t.add(.relu, "c1_relu", [bn]))
        let (filled, report) = WeightTransfer.transfer(from: s.graph, onto: t.graph)
        #expect(report.byName == 1 && report.foldedBatchNormParameters == 4 && report.unmatched.isEmpty)
        #expect(report.unusedSource == 0)
        #expect(filled[bnParams[1]].data == s.graph[sb].data)
        let x = Tensor(shape: [1, 2, 5, 5], floats: (0..<50).map { Float($0 % 7) * 0.3 - 0.9 })
        let expected = try Program.compile(s.graph).run(["input_1": x])[0].floatValues
        let actual = try Program.compile(filled).run(["input_1": x])[0].floatValues
        let worst = zip(actual, expected).map { abs($0 - $1) }.max() ?? 0
        #expect(worst <= 1e-5 * (expected.map(abs).max() ?? 1))
    }
}

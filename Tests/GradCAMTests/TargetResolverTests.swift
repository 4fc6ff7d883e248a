import GraphIR
import Models
import Testing
@testable import GradCAM

/// Target names: exact, exporter paths, aliases, and helpful errors.
struct TargetResolverTests {
    /// A chain of 4-D ReLUs named like an imported graph, then GAP.
    func importedGraph(_ names: [String]) throws -> Graph {
        var b = GraphBuilder(name: "imported")
        var x = b.input("input_1", TensorType(.float32, [1, 2, 4, 4]))
        for name in names { x = try b.add(.relu, name, [x]) }
        b.output(try b.add(.globalAveragePool, "pool", [x]))
        return b.graph
    }

    @Test func keras2onnxPathsResolveByLayerName() throws {
        let g = try importedGraph(["model/conv5_block3_add/add:0", "model/conv5_block3_out/Relu:0", "model/avg_pool/x:0"])
        #expect(g[try TargetResolver.resolve("conv5_block3_out", in: g)].name == "model/conv5_block3_out/Relu:0")
        #expect(g[try TargetResolver.resolve("model/conv5_block3_add/add:0", in: g)].name == "model/conv5_block3_add/add:0")
    }

    /// PyTorch exports name values by module path; `layer4` is the last value of the
    /// stage, i.e. the last bottleneck's output. With bare numeric names the alias finds
    /// the value fed to the global pooling.
    @Test func pytorchLayer4IsTheLastBlockOutput() throws {
        let g = try importedGraph(["/layer4/layer4.1/relu/Relu_output_0", "/layer4/layer4.2/relu_2/Relu_output_0"])
        #expect(g[try TargetResolver.resolve("layer4", in: g)].name == "/layer4/layer4.2/relu_2/Relu_output_0")
        let numeric = try importedGraph(["491", "493"])
        #expect(numeric[try TargetResolver.resolve("layer4", in: numeric)].name == "493")
        let usual = try #require(TargetResolver.usualTarget(in: numeric))
        #expect(numeric[usual].name == "493")
    }

    @Test func unknownNamesSuggestTheNearest() throws {
        let g = try TestNets.gapNet()
        do {
            _ = try TargetResolver.resolve("feature", in: g)
            Issue.record("expected an error")
        } catch let e as GradCAMError {
            #expect(e.subject == "feature")
            #expect(e.message.contains("nearest: features"))
        }
        #expect(TargetResolver.nearestNames(to: "conv1_rel", in: g, count: 5).first == "conv1_relu")
        #expect(TargetResolver.nearestNames(to: "x", in: g, count: 5).count == 5)
    }

    @Test func candidatesAreTheFourDimensionalActivations() throws {
        let g = try TestNets.gapNet()
        let names = TargetResolver.candidates(in: g).map { g[$0].name }
        #expect(names == ["conv1_conv", "conv1_bn", "conv1_relu", "conv2_conv", "conv2_bn", "features", "avg_pool"])
        let usual = try #require(TargetResolver.usualTarget(in: g))
        #expect(g[usual].name == "features")
    }

    @Test("block outputs: ResNet50's 16 convN_blockM_out plus the stem, VGG16's stage ends, no pads")
    func blockOutputsOfZooModels() throws {
        let resnet = try Zoo.build("resnet50-modified")
        let names = TargetResolver.blockOutputs(in: resnet).map { resnet[$0].name }
        #expect(names.first == "conv1_relu")
        #expect(names.filter { $0.hasSuffix("_out") }.count == 16)
        #expect(names.last == "conv5_block3_out")
        #expect(names.count == 17)
        let vgg = try Zoo.build("vgg16")
        #expect(TargetResolver.blockOutputs(in: vgg).map { vgg[$0].name }
                == ["block1_conv2", "block2_conv2", "block3_conv3", "block4_conv3", "block5_conv3", "block5_pool"])
        let mobile = try Zoo.build("mobilenetv2")
        let mobileNames = TargetResolver.blockOutputs(in: mobile).map { mobile[$0].name }
        #expect(mobileNames.contains("block_2_add") && mobileNames.last == "out_relu")
        #expect(!mobileNames.contains { $0.hasSuffix("_pad") })
    }

    @Test("a headless backbone's usual target is its output, not a squeeze-and-excitation pool's input")
    func usualTargetOfABackbone() throws {
        let efficientnet = try Zoo.build("efficientnetb0")
        #expect(efficientnet[try #require(TargetResolver.usualTarget(in: efficientnet))].name == "top_activation")
        let resnet = try Zoo.build("resnet50-modified")
        #expect(resnet[try #require(TargetResolver.usualTarget(in: resnet))].name == "conv5_block3_out")
    }

    @Test func editDistanceCountsSingleEdits() {
        #expect(TargetResolver.editDistance(Array("kitten".utf8), Array("sitting".utf8)) == 3)
        #expect(TargetResolver.editDistance([], Array("abc".utf8)) == 3)
    }
}

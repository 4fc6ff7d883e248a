import GraphIR
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

    @Test func editDistanceCountsSingleEdits() {
        #expect(TargetResolver.editDistance(Array("kitten".utf8), Array("sitting".utf8)) == 3)
        #expect(TargetResolver.editDistance([], Array("abc".utf8)) == 3)
    }
}

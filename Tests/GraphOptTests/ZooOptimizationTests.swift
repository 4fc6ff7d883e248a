import GraphIR
import Models
import Testing
@testable import GraphOpt

/// The standard pipeline on the zoo: every pass verifies and round-trips, and the
/// structure that comes out is the one the runtime and Grad-CAM count on.
@Suite("Passes: zoo networks")
struct ZooOptimizationTests {
    @Test func resNet50LosesEveryBatchNormAndKeepsItsFeatureLayer() throws {
        let g = try Zoo.entry(named: "resnet50").graph(inputSize: 32, weights: .seeded(1))
        let (optimized, stats) = try optimize(g, pinned: ["conv5_block3_out"])
        #expect(count(.batchNormalization, in: optimized) == 0)
        #expect(count(.conv, in: optimized) + count(.fusedConv, in: optimized) == 53)
        #expect(stats["fold-batchnorm"] == 53)
        // 16 blocks end in conv + add + relu; the other 37 convs fuse with their ReLU or
        // (the 4 projection shortcuts) stay plain convs with folded BN.
        #expect(stats["fuse-conv-add"] == 16)
        #expect(count(.add, in: optimized) == 0 && count(.relu, in: optimized) == 0)
        #expect(optimized.value(named: "conv5_block3_out") != nil)
        #expect(optimized.outputs.map { optimized[$0].name } == ["conv5_block3_out"])
    }

    @Test func pinnedBlockAddSurvivesFusion() throws {
        let g = try Zoo.entry(named: "resnet50").graph(inputSize: 32, weights: .seeded(1))
        let (optimized, _) = try optimize(g, pinned: ["conv4_block6_add"])
        let add = try #require(optimized.value(named: "conv4_block6_add"))
        // The add value is produced by the fused conv; its ReLU stays separate.
        #expect(optimized[add].producer.map { optimized[$0].op } == .fusedConv)
        #expect(optimized.value(named: "conv4_block6_out") != nil)
        #expect(count(.relu, in: optimized) == 1)
    }

    @Test(arguments: ["mobilenetv2", "efficientnetb0", "vgg16", "tiny-cnn"])
    func standardPipelineVerifiesOnEveryNetwork(_ name: String) throws {
        let entry = try Zoo.entry(named: name)
        let g = try entry.graph(inputSize: 32, weights: .seeded(2))
        let (optimized, _) = try optimize(g, pinned: [entry.featureLayer])
        #expect(count(.batchNormalization, in: optimized) == 0)
        #expect(optimized.value(named: entry.featureLayer) != nil)
        #expect(optimized.nodes.count < g.nodes.count)
    }

    @Test func structureOnlyGraphsPassThroughWithoutFolding() throws {
        let g = try Zoo.entry(named: "resnet50").graph(inputSize: 32)
        let (optimized, stats) = try optimize(g)
        #expect(stats["fold-batchnorm"] == 0)
        #expect(count(.batchNormalization, in: optimized) == 53)
    }
}

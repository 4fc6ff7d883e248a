import GraphIR
import GraphOpt
import Testing
@testable import GradCAM

/// Queries on a forward pass with BN folded and convolutions fused.
///
/// Autodiff cannot differentiate FusedConv (it hides the pre-activation value), so the
/// query keeps the part between the target and the score canonical: every operand and
/// result of a node on that path is pinned, and rewrites never fuse across a pinned
/// value. Everything upstream of the target is folded and fused freely.
struct OptimizedForwardTests {
    func maps(_ query: GradientQuery, _ method: CAMMethod) throws -> [[Float]] {
        let result = try query.run(TestNets.images(count: 3, seed: 9), classes: .given([0, 1, 2]))
        return try (0..<3).map { try GradCAM.map(result.targets[0], image: $0, method: method).values }
    }

    func expectSameMaps(_ a: [[Float]], _ b: [[Float]], _ label: String) {
        for (x, y) in zip(a, b) {
            let error = zip(x, y).map { abs($0 - $1) }.max() ?? 1
            #expect(error < 1e-4, "\(label): max heatmap difference \(error)")
        }
    }

    @Test(arguments: ["features", "conv1_relu"])
    func onlyTheLayersBeforeTheTargetAreFused(target: String) throws {
        let layout = try QueryGraph(model: try TestNets.gapNet(), targets: [target], batch: 2, score: .logits,
                                    forwardPasses: Pipeline.standardInference.names)
        let nodes = layout.graph.nodes
        #expect(nodes.contains { $0.op == .fusedConv && $0.name == "conv1_relu" })
        if target == "conv1_relu" {
            // conv2 lies between target and score: it stays a plain Conv + BN for Autodiff.
            #expect(nodes.contains { $0.op == .batchNormalization && $0.name == "conv2_bn" })
            #expect(nodes.contains { $0.op == .convGradInput })
        } else {
            #expect(!nodes.contains { $0.op == .batchNormalization })
        }
    }

    /// BN folded into the convolutions (executable by every runtime): same heatmaps.
    @Test(arguments: ["features", "conv1_relu"], CAMMethod.allCases)
    func foldedBatchNormGivesTheSameHeatmaps(target: String, method: CAMMethod) throws {
        let model = try TestNets.gapNet()
        let plain = try GradientQuery(model: model, targets: [target], batch: 3)
        let folded = try GradientQuery(model: model, targets: [target], batch: 3,
                                       options: .init(forwardPasses: ["fold-batchnorm", "eliminate-dead-code"]))
        #expect(folded.graph.nodes.filter { $0.op == .batchNormalization }.count == (target == "features" ? 0 : 1))
        expectSameMaps(try maps(plain, method), try maps(folded, method), "\(target) \(method)")
    }

    @Test(arguments: ["features", "conv1_relu"], CAMMethod.allCases)
    func fusedForwardGivesTheSameHeatmaps(target: String, method: CAMMethod) throws {
        let model = try TestNets.gapNet()
        let plain = try GradientQuery(model: model, targets: [target], batch: 3)
        let optimized = try GradientQuery(model: model, targets: [target], batch: 3, options: .init(optimizeForward: true))
        #expect(optimized.graph.nodes.contains { $0.op == .fusedConv })
        expectSameMaps(try maps(plain, method), try maps(optimized, method), "\(target) \(method)")
    }

    /// The same with the optimization done by the caller: `Pipeline.standardInference`
    /// with the target pinned folds and fuses everything but the head (GAP, Flatten,
    /// Gemm), which Autodiff differentiates as is.
    @Test
    func pipelineWithPinnedTargetThenQuery() throws {
        let model = try TestNets.gapNet()
        let (folded, _) = try Pipeline.standardInference.run(model, pinned: ["features"])
        #expect(folded.nodes.filter { $0.op == .fusedConv }.count == 2)
        let a = try maps(try GradientQuery(model: model, targets: ["features"], batch: 3), .gradCAM)
        let b = try maps(try GradientQuery(model: folded, targets: ["features"], batch: 3), .gradCAM)
        expectSameMaps(a, b, "pinned pipeline")
    }
}

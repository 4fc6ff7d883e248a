import GraphIR
import Models
import Runtime
import Testing
@testable import GraphOpt

/// Optimized graphs compute what the original computes: both run on the runtime with the
/// same seeded weights (BN statistics randomized so folding is not the identity) and the
/// same seeded input, compared at 1e-4 relative tolerance.
@Suite("Passes: numeric equivalence on tiny-resnet")
struct NumericEquivalenceTests {
    static let batch = 2, size = 16

    static func tinyResNet() throws -> Graph {
        let g = try Zoo.entry(named: "tiny-resnet").graph(inputSize: size, weights: .seeded(3))
        return OptTestGraphs.randomizingBatchNorm(g)
    }

    static func image() -> Tensor {
        var rng = SeededRandom(seed: 9)
        let n = batch * 3 * size * size
        return Tensor(shape: [batch, 3, size, size], floats: (0..<n).map { _ in 2 * rng.nextUnitFloat() - 1 })
    }

    /// Runs `graph` as given (no optimization in the runtime, every value in a buffer of
    /// its own) and returns its outputs followed by the `observed` values.
    static func run(_ graph: Graph, observing observed: [String]) throws -> [Tensor] {
        let input = graph[graph.inputs[0]].name
        let program = try Program.compile(graph, inputShapes: [input: [batch, 3, size, size]], options: .unoptimized)
        let outputs = try program.run([input: image()])
        return try outputs + observed.map { try program.values(named: $0) }
    }

    static func expectClose(_ a: [Tensor], _ b: [Tensor], tolerance: Float = 1e-4) {
        #expect(a.count == b.count)
        for (x, y) in zip(a, b) {
            #expect(x.shape == y.shape)
            let worst = zip(x.floatValues, y.floatValues).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? 0
            #expect(worst <= tolerance, "largest relative difference \(worst)")
        }
    }

    @Test func cleanupAndBatchNormFoldingPreserveOutputsAndPinnedFeatures() throws {
        let original = try Self.tinyResNet()
        let observed = ["conv2_block1_out", "conv1_bn", "conv2_block1_3_bn"]
        let (optimized, stats) = try optimize(original, try Pipeline(names: [
            "fold-constants", "remove-identity", "collapse-reshapes", "eliminate-dead-code", "fold-batchnorm",
            "eliminate-dead-code",
        ]), pinned: ["conv2_block1_out"])
        #expect(count(.batchNormalization, in: optimized) == 0)
        #expect(stats["fold-batchnorm"] == count(.batchNormalization, in: original))
        Self.expectClose(try Self.run(optimized, observing: observed), try Self.run(original, observing: observed))
    }

    @Test func standardInferencePreservesOutputsAndPinnedFeatures() throws {
        let original = try Self.tinyResNet()
        let (optimized, _) = try optimize(original, pinned: ["conv2_block1_out"])
        // Every conv becomes a FusedConv except the shortcut projection: with its BN folded
        // in, it stays a Conv whose output is the residual Z of the block's last FusedConv.
        #expect(count(.fusedConv, in: optimized) == count(.conv, in: original) - 1)
        let shortcut = optimized.nodes.filter { $0.op == .conv }
        #expect(shortcut.count == 1)
        #expect(optimized.nodes.contains { $0.op == .fusedConv && $0.inputs.count > 3 && $0.inputs[3] == shortcut.first?.outputs[0] })
        Self.expectClose(try Self.run(optimized, observing: ["conv2_block1_out"]),
                         try Self.run(original, observing: ["conv2_block1_out"]))
    }
}

import GraphIR
import Models
import Testing
@testable import Runtime

/// Optimized, planned programs compute what the graph as written computes: zoo networks
/// with seeded weights (BN statistics randomized so folding is not the identity) on a
/// seeded input, outputs and the Grad-CAM feature layer compared at 1e-4 relative.
@Suite("Zoo: optimized and planned equals unoptimized")
struct ZooEquivalenceTests {
    static func randomizingBatchNorm(_ graph: Graph) -> Graph {
        var g = graph
        for node in g.nodes where node.op == .batchNormalization {
            let ranges: [(Float, Float)] = [(0.5, 1.5), (-0.5, 0.5), (-0.5, 0.5), (0.5, 2)]
            for (k, (lo, hi)) in zip(1...4, ranges) {
                guard let v = node.inputs[k], let n = g[v].type.shape.elementCount else { continue }
                var rng = SeededRandom(seed: 5, stream: g[v].name)
                g[v].data = Tensor(shape: [n], floats: (0..<n).map { _ in lo + (hi - lo) * rng.nextUnitFloat() })
            }
        }
        return g
    }

    /// Largest `|a - b| / max(1, |b|)`.
    static func worstRelative(_ a: Tensor, _ b: Tensor) -> Float {
        zip(a.floatValues, b.floatValues).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? 0
    }

    @Test(arguments: ["tiny-cnn", "tiny-resnet", "mobilenetv2", "resnet50"])
    func optimizedPlannedProgramMatchesTheGraphAsWritten(name: String) throws {
        let entry = try Zoo.entry(named: name)
        let size = name.hasPrefix("tiny") ? 16 : 32, batch = 2
        let graph = Self.randomizingBatchNorm(try entry.graph(inputSize: size, weights: .seeded(1)))
        let input = graph[graph.inputs[0]].name
        let shape = graph[graph.inputs[0]].type.shape.dims.enumerated().map { i, d in i == 0 ? batch : d.value ?? size }
        var rng = SeededRandom(seed: 4)
        let image = Tensor(shape: shape, floats: (0..<shape.reduce(1, *)).map { _ in 2 * rng.nextUnitFloat() - 1 })

        let reference = try Program.compile(graph, inputShapes: [input: shape], options: .unoptimized)
        let optimized = try Program.compile(graph, inputShapes: [input: shape],
                                            options: CompileOptions(pinned: [entry.featureLayer]))
        let expected = try reference.run([input: image]), actual = try optimized.run([input: image])
        #expect(actual.count == expected.count)
        for (a, e) in zip(actual, expected) {
            #expect(a.shape == e.shape)
            #expect(Self.worstRelative(a, e) <= 1e-4, "\(name): output differs")
        }
        let feature = try optimized.values(named: entry.featureLayer)
        #expect(Self.worstRelative(feature, try reference.values(named: entry.featureLayer)) <= 1e-4)

        #expect(optimized.stepCount < reference.stepCount)
        let stats = optimized.memoryStats
        // The tiny nets are dominated by their never-reused input and outputs.
        let sharing = name.hasPrefix("tiny") ? 1 : 2
        #expect(stats.arenaBytes < stats.naiveBytes / sharing, "\(name): \(stats.formatted())")
        // Folding BN into the convs drops its four per-channel vectors for one bias.
        #expect(stats.weightsBytes > 0 && stats.weightsBytes < reference.memoryStats.weightsBytes)
    }
}

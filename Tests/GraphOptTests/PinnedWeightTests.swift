import GraphIR
import Testing
@testable import GraphOpt

/// A pinned parameter is one that someone reads or writes by name after compile (a
/// weight that training updates, or that a validation program receives by copy). No
/// rewrite may bake its current value into a derived weight or constant.
@Suite("Rewrites: pinned parameters")
struct PinnedWeightTests {
    @Test("a pinned conv kernel or BN statistic blocks BatchNormalization folding; the rest of the graph still folds",
          arguments: ["conv1_conv/kernel", "conv1_conv/bias", "conv1_bn/gamma", "conv1_bn/moving_variance"])
    func pinnedWeightBlocksBatchNormFolding(pinned: String) throws {
        let (g, stats) = try optimize(try OptTestGraphs.convBatchNormRelu(), pinned: [pinned])
        #expect(stats["fold-batchnorm"] == 0)
        #expect(count(.batchNormalization, in: g) == 1)
        #expect(g.value(named: pinned).map { g[$0].role } == .parameter)
        #expect(!g.values.contains { $0.name.contains("bn_folded") })
    }

    @Test("an unpinned frozen conv and BN still fold")
    func unpinnedWeightsFold() throws {
        let (g, stats) = try optimize(try OptTestGraphs.convBatchNormRelu(), pinned: ["conv1_relu"])
        #expect(stats["fold-batchnorm"] == 1 && count(.batchNormalization, in: g) == 0)
    }

    /// `state:updated = Mul(state, 0.9)`, the shape of Adam's `beta1_power` update.
    func decayedState() throws -> Graph {
        var b = GraphBuilder(name: "decay", weights: .seeded(1))
        let state = b.parameter("state", shape: [], initializer: .ones, trainable: false)
        let decay = b.constant("decay", .scalar(0.9))
        b.output(try b.add(.mul, "state:updated", [state, decay]))
        return b.graph
    }

    @Test("fold-constants evaluates over an unpinned parameter but not over a pinned one (a state updated each run)")
    func pinnedParameterIsNotConstantFolded() throws {
        let folded = try optimize(try decayedState(), passes: ["fold-constants"])
        #expect(count(.mul, in: folded) == 0)
        let kept = try optimize(try decayedState(), passes: ["fold-constants"], pinned: ["state"])
        #expect(count(.mul, in: kept) == 1)
        #expect(kept.value(named: "state").map { kept[$0].role } == .parameter)
    }
}

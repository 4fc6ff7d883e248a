import Autodiff
import GraphIR
import Models
import Testing

/// A whole small residual network: every trainable parameter's gradient (sampled
/// elements) against central differences of the loss, in double precision.
@Suite("tiny-resnet gradients")
struct TinyResNetGradientTests {
    @Test("all trainable parameters of tiny-resnet (8x8, batch 2, seeded) match finite differences")
    func parameterGradients() throws {
        let (g, loss, feeds) = try GradientStructureTests.tinyResNetWithLoss()
        let params = g.parameters.filter { g[$0].trainable }
        #expect(params.count == 22)  // 5 convs and 5 BNs (2 each) and the dense layer
        // eps 1e-6: small enough that no ReLU or max-pool decision flips between the two
        // evaluations at these random weights; tolerance allows the O(eps^2) truncation.
        try checkGradients(g, of: loss, wrt: params, feeds: feeds, eps: 1e-6,
                           tolerance: Tolerance(absolute: 1e-7, relative: 1e-5), samples: 12)
    }
}

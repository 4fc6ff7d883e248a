import Autodiff
import GraphIR
import Testing

/// SoftmaxCrossEntropyLoss and NegativeLogLikelihoodLoss VJPs, with class weights,
/// every reduction and an ignored label.
@Suite("Loss gradients")
struct LossGradientTests {
    @Test("SoftmaxCrossEntropyLoss with class weights", arguments: ["mean", "sum", "none"])
    func softmaxCrossEntropy(_ reduction: String) throws {
        var t = OpGraph("sce", seed: 19)
        let scores = t.input("scores", [4, 3], range: (-2, 2))
        let labels = t.labels("labels", [4], [2, 0, 1, 2])
        let weights = t.constant("weights", Tensor(shape: [3], floats: [0.5, 2, 1.25]))
        let loss = try t.node(.softmaxCrossEntropyLoss, "loss", [scores, labels, weights], ["reduction": .string(reduction)])
        try t.check(loss, wrt: [scores])
    }

    @Test("SoftmaxCrossEntropyLoss over spatial positions with an ignored label, and its log_prob output")
    func spatialIgnoreAndLogProb() throws {
        var t = OpGraph("sce", seed: 20)
        let scores = t.input("scores", [2, 3, 2], range: (-2, 2))
        let labels = t.labels("labels", [2, 2], [1, -1, 0, 2])
        let outs = try appendNode(&t.graph, .softmaxCrossEntropyLoss, "loss", [scores, labels],
                                  ["ignore_index": .int(-1)], outputs: 2)
        try t.check(outs[0], wrt: [scores])
        // A loss that reads both outputs: gradients from log_prob are added too.
        let sum = try t.node(.reduceSum, "log_prob_sum", [outs[1]], ["keepdims": .int(0)])
        let both = try t.node(.add, "both", [outs[0], sum])
        try t.check(both, wrt: [scores])
    }

    @Test("NegativeLogLikelihoodLoss of a LogSoftmax equals SCE's gradient path")
    func negativeLogLikelihood() throws {
        var t = OpGraph("nll", seed: 21)
        let scores = t.input("scores", [3, 4], range: (-2, 2))
        let labels = t.labels("labels", [3], [3, 0, 1])
        let weights = t.constant("weights", Tensor(shape: [4], floats: [1, 2, 3, 0.5]))
        let logp = try t.node(.logSoftmax, "logp", [scores], ["axis": .int(1)])
        let loss = try t.node(.negativeLogLikelihoodLoss, "loss", [logp, labels, weights])
        try t.check(loss, wrt: [scores, logp])
    }
}

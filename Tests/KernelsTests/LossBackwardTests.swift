import Foundation
import Testing
@testable import Kernels

@Suite("Loss backward")
struct LossBackwardTests {
    // Scores [batch 3, classes 4]; the last label is ignored (-1).
    let scores = KernelTestData.random(12, seed: 41).map { $0 * 3 }
    let labels: [Int64] = [2, 0, -1]
    let weights: [Float] = [0.5, 1, 2, 1.5]

    /// The forward loss in double for a perturbed score vector.
    func loss(_ s: [Double], reduction: LossReduction, softmaxFirst: Bool) -> Double {
        var total = 0.0, weightSum = 0.0
        for n in 0..<3 where labels[n] != -1 {
            let row = Array(s[(n * 4)..<(n * 4 + 4)])
            let logp: [Double]
            if softmaxFirst {
                let m = row.max()!, lse = m + log(row.map { exp($0 - m) }.reduce(0, +))
                logp = row.map { $0 - lse }
            } else {
                logp = row
            }
            let c = Int(labels[n])
            total -= Double(weights[c]) * logp[c]
            weightSum += Double(weights[c])
        }
        return reduction == .mean ? total / weightSum : total
    }

    func numericGradient(reduction: LossReduction, softmaxFirst: Bool, scale: Double) -> [Float] {
        let s = scores.map(Double.init), h = 1e-6
        return s.indices.map { i in
            var plus = s, minus = s
            plus[i] += h
            minus[i] -= h
            return Float(scale * (loss(plus, reduction: reduction, softmaxFirst: softmaxFirst)
                - loss(minus, reduction: reduction, softmaxFirst: softmaxFirst)) / (2 * h))
        }
    }

    @Test("softmax cross-entropy: matches central differences (mean and sum, class weights, ignore_index)",
          arguments: [LossReduction.mean, .sum])
    func softmaxCrossEntropy(reduction: LossReduction) throws {
        let p = LossParams(batch: 3, classes: 4, spatial: 1, reduction: reduction, ignoreIndex: -1)
        var d = [Float](repeating: .nan, count: 12)
        let error = softmaxCrossEntropyLossBackward(dLoss: [0.7], scores: scores, labels: labels, weights: weights, p, gradScores: &d)
        #expect(error == nil)
        #expect(KernelTestData.worstRelativeError(d, numericGradient(reduction: reduction, softmaxFirst: true, scale: 0.7)) < 1e-4)
        #expect(d[8..<12].allSatisfy { $0 == 0 }, "the ignored row gets no gradient")
    }

    @Test("negative log-likelihood: -dLoss * w / weight-sum at the label, per-position dLoss for 'none'")
    func negativeLogLikelihood() throws {
        let mean = LossParams(batch: 3, classes: 4, spatial: 1, reduction: .mean, ignoreIndex: -1)
        var d = [Float](repeating: .nan, count: 12)
        #expect(negativeLogLikelihoodLossBackward(dLoss: [1], labels: labels, weights: weights, mean, gradLogProb: &d) == nil)
        #expect(KernelTestData.worstRelativeError(d, numericGradient(reduction: .mean, softmaxFirst: false, scale: 1)) < 1e-4)
        let none = LossParams(batch: 3, classes: 4, spatial: 1, reduction: .none, ignoreIndex: -1)
        #expect(negativeLogLikelihoodLossBackward(dLoss: [2, 3, 4], labels: labels, weights: nil, none, gradLogProb: &d) == nil)
        #expect(d == [0, 0, -2, 0, -3, 0, 0, 0, 0, 0, 0, 0])
    }

    @Test("a label outside the classes is reported with its position")
    func badLabel() {
        let p = LossParams(batch: 3, classes: 4, spatial: 1, reduction: .mean, ignoreIndex: nil)
        var d = [Float](repeating: 0, count: 12)
        let error = softmaxCrossEntropyLossBackward(dLoss: [1], scores: scores, labels: [1, 4, 0], weights: nil, p, gradScores: &d)
        #expect(error == LossLabelError(position: 1, label: 4))
    }
}

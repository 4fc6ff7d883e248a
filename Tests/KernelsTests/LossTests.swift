import Foundation
import Testing
@testable import Kernels

// logProb for batch 2, classes 3, spatial 2 laid out [n][c][d].
private let logProb: [Float] = [
    -1, -2,   -3, -4,   -5, -6,     // n = 0
    -7, -8,   -9, -10,  -11, -12,   // n = 1
]
private let labels: [Int64] = [0, 2,  1, -1]   // [n][d]; -1 is ignored below

private func nll(_ reduction: LossReduction, weights: [Float]? = nil, ignore: Int64? = -1) -> [Float] {
    let p = LossParams(batch: 2, classes: 3, spatial: 2, reduction: reduction, ignoreIndex: ignore)
    var loss = [Float](repeating: .nan, count: reduction == .none ? 4 : 1)
    let error: LossLabelError?
    if let weights {
        error = weights.withUnsafeBufferPointer {
            negativeLogLikelihoodLoss(logProb: logProb, labels: labels, weights: $0.baseAddress, p, loss: &loss)
        }
    } else {
        error = negativeLogLikelihoodLoss(logProb: logProb, labels: labels, weights: nil, p, loss: &loss)
    }
    #expect(error == nil)
    return loss
}

@Test func nllPicksTheLabelledLogProbabilityAndSkipsIgnoredPositions() {
    // Picks: (n0,d0,c0) = -1, (n0,d1,c2) = -6, (n1,d0,c1) = -9, (n1,d1) ignored.
    #expect(nll(.none) == [1, 6, 9, 0])
    #expect(nll(.sum) == [16])
    #expect(nll(.mean) == [16 / 3])   // divided by the 3 non-ignored positions
}

@Test func nllMeanWithWeightsDividesBySumOfNonIgnoredWeights() {
    let w: [Float] = [0.5, 2, 4]
    #expect(nll(.none, weights: w) == [0.5, 24, 18, 0])
    #expect(nll(.mean, weights: w) == [(0.5 + 24 + 18) / (0.5 + 4 + 2)])
}

@Test func nllReportsLabelsOutsideTheClassRange() {
    let p = LossParams(batch: 2, classes: 3, spatial: 2, reduction: .sum, ignoreIndex: nil)
    var loss: [Float] = [0]
    let error = negativeLogLikelihoodLoss(logProb: logProb, labels: labels, weights: nil, p, loss: &loss)
    #expect(error == LossLabelError(position: 3, label: -1))
}

@Test func softmaxCrossEntropyEqualsNllOfLogSoftmax() {
    // Two samples, three classes, no spatial axes.
    let scores: [Float] = [1, 2, 3, 0, 0, 0]
    let p = LossParams(batch: 2, classes: 3, spatial: 1, reduction: .mean, ignoreIndex: nil)
    var loss: [Float] = [0], logProb = [Float](repeating: 0, count: 6)
    #expect(softmaxCrossEntropyLoss(scores: scores, labels: [2, 0], weights: nil, p, loss: &loss, logProb: &logProb) == nil)
    let lse = Foundation.log(M_E + M_E * M_E + M_E * M_E * M_E)
    let expected = Float(((lse - 3) + Foundation.log(3.0)) / 2)
    #expect(abs(loss[0] - expected) < 1e-6)
    #expect(abs(logProb[0] - Float(1 - lse)) < 1e-6)
}

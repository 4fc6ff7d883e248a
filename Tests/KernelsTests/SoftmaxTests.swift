import Foundation
import Testing
@testable import Kernels

@Test func softmaxAlongMiddleAxisMatchesHandComputation() {
    // Shape [1, 3, 2], axis 1: columns (0, 1, 2) and (10, 10, 10).
    let x: [Float] = [0, 10, 1, 10, 2, 10]
    var y = [Float](repeating: 0, count: 6)
    softmax(x, &y, SoftmaxShape(shape: [1, 3, 2], axis: 1), log: false)
    let e = [1, M_E, M_E * M_E], s = e.reduce(0, +)
    let expected: [Float] = [Float(e[0] / s), 1 / 3, Float(e[1] / s), 1 / 3, Float(e[2] / s), 1 / 3]
    #expect(zip(y, expected).allSatisfy { abs($0 - $1) < 1e-6 })
}

@Test func logSoftmaxIsStableForHugeLogits() {
    let x: [Float] = [1000, 1001, 1002]
    var y = [Float](repeating: 0, count: 3)
    softmax(x, &y, SoftmaxShape(outer: 1, axis: 3, inner: 1), log: true)
    // log-softmax is shift invariant: same as for (0, 1, 2).
    let logSum = Foundation.log(1 + M_E + M_E * M_E)
    let expected = [0.0, 1, 2].map { Float($0 - logSum) }
    #expect(zip(y, expected).allSatisfy { abs($0 - $1) < 1e-5 })
    softmax(x, &y, SoftmaxShape(outer: 1, axis: 3, inner: 1), log: false)
    #expect(abs(y.reduce(0, +) - 1) < 1e-6)
}

import Foundation
import Testing
@testable import Kernels

private let inputs: [Float] = [-4, -1, -0.5, 0, 0.5, 1, 4]

private func apply(_ op: UnaryOp, _ x: [Float] = inputs) -> [Float] {
    var y = [Float](repeating: .nan, count: x.count)
    unaryFloat(op, x, &y, count: x.count)
    return y
}

private func close(_ a: [Float], _ b: [Float], tolerance: Float = 1e-6) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= tolerance * max(1, abs($1)) }
}

@Test func piecewiseLinearActivationsAreExact() {
    #expect(apply(.relu) == [0, 0, 0, 0, 0.5, 1, 4])
    #expect(apply(.leakyRelu(alpha: 0.1)) == [-0.4, -0.1, -0.05, 0, 0.5, 1, 4])
    #expect(apply(.clip(min: -1, max: 0.5)) == [-1, -1, -0.5, 0, 0.5, 0.5, 0.5])
    #expect(apply(.hardSigmoid(alpha: 0.2, beta: 0.5)) == [0, 0.3, 0.4, 0.5, 0.6, 0.7, 1])
    #expect(apply(.neg) == inputs.map { -$0 })
    // HardSwish: x * clamp(x/6 + 1/2, 0, 1); tolerance 1 ulp-ish for the 1/6 product.
    #expect(close(apply(.hardSwish), inputs.map { $0 * min(max($0 / 6 + 0.5, 0), 1) }))
}

@Test func transcendentalsMatchFoundationWithin1e6() {
    let d = inputs.map(Double.init)
    #expect(close(apply(.sigmoid), d.map { Float(1 / (1 + Foundation.exp(-$0))) }))
    #expect(close(apply(.swish(alpha: 1.5)), d.map { Float($0 / (1 + Foundation.exp(-1.5 * $0))) }))
    #expect(close(apply(.tanh), d.map { Float(Foundation.tanh($0)) }))
    #expect(close(apply(.exp), d.map { Float(Foundation.exp($0)) }))
    let positive: [Float] = [0.25, 1, 4, 9]
    #expect(close(apply(.log, positive), positive.map { Foundation.log($0) }))
    #expect(apply(.sqrt, positive) == [0.5, 1, 2, 3])
    #expect(apply(.reciprocal, positive) == [4, 1, 0.25, 1 / 9])
}

@Test func sigmoidDoesNotOverflowForLargeInputs() {
    #expect(apply(.sigmoid, [-1000, 1000]) == [0, 1])
}

@Test func castSaturatesInsteadOfTrapping() {
    var y = [Int64](repeating: 7, count: 4)
    castFloatToInt64([2.9, -2.9, .nan, 1e30], &y, count: 4)
    #expect(y == [2, -2, 0, .max])
}

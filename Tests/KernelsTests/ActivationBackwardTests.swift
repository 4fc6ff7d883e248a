import Foundation
import Testing
@testable import Kernels

@Suite("Activation backward")
struct ActivationBackwardTests {
    /// Points away from every kink, so central differences are exact enough.
    let x: [Float] = [-4.1, -2.6, -0.7, -0.2, 0.3, 0.9, 2.2, 3.6]

    static let all: [(String, [Float], UnaryOp)] = [
        ("Relu", [], .relu), ("LeakyRelu", [0.1], .leakyRelu(alpha: 0.1)), ("Clip", [-1, 1], .clip(min: -1, max: 1)),
        ("Sigmoid", [], .sigmoid), ("HardSigmoid", [0.2, 0.5], .hardSigmoid(alpha: 0.2, beta: 0.5)),
        ("Swish", [1.5], .swish(alpha: 1.5)), ("HardSwish", [], .hardSwish),
    ]

    @Test("dX = dY * f'(X) matches central differences of the forward activation",
          arguments: all.indices)
    func matchesForward(index: Int) throws {
        let (name, params, forward) = Self.all[index]
        let activation = try #require(ActivationGradient(name: name, parameters: params))
        let dy = KernelTestData.random(x.count, seed: 31)
        var dx = [Float](repeating: .nan, count: x.count)
        activationBackward(activation, gradOutput: dy, input: x, gradInput: &dx, count: x.count)
        let h: Float = 1e-3
        var plus = [Float](repeating: 0, count: x.count), minus = plus
        unaryFloat(forward, x.map { $0 + h }, &plus, count: x.count)
        unaryFloat(forward, x.map { $0 - h }, &minus, count: x.count)
        let numeric = x.indices.map { dy[$0] * (plus[$0] - minus[$0]) / (2 * h) }
        #expect(KernelTestData.worstRelativeError(dx, numeric) < 2e-3, "\(name)")
    }

    @Test("kinks take the right piece: Relu'(0) = 0, Clip' = 1 on the closed interval")
    func kinks() throws {
        var dx = [Float](repeating: .nan, count: 3)
        activationBackward(.relu, gradOutput: [1, 1, 1], input: [0, -0, 1e-30], gradInput: &dx, count: 3)
        #expect(dx == [0, 0, 1])
        activationBackward(.clip(min: -1, max: 1), gradOutput: [2, 2, 2], input: [-1, 1, 1.0001], gradInput: &dx, count: 3)
        #expect(dx == [2, 2, 0])
        #expect(ActivationGradient(name: "Clip", parameters: []) == nil)
        #expect(ActivationGradient(name: "Gelu", parameters: []) == nil)
    }
}

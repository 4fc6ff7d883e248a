import Foundation
import Testing
@testable import Kernels

@Suite("BatchNorm backward")
struct BatchNormBackwardTests {
    // x is [batch 2, channels 3, spatial 4].
    let x = KernelTestData.random(24, seed: 21).map { $0 * 2 + 0.5 }
    let dy = KernelTestData.random(24, seed: 22)
    let scale: [Float] = [1.5, -0.5, 0.75]
    let epsilon: Float = 1e-3

    /// Flat indices of channel `c` in `[2, 3, 4]`.
    func channelIndices(_ c: Int) -> [Int] {
        var out: [Int] = []
        for n in 0..<2 { for s in 0..<4 { out.append((n * 3 + c) * 4 + s) } }
        return out
    }

    /// `sum(dy * BN_training(x))` in double: its gradient with respect to x is dX.
    func objective(_ x: [Double]) -> Double {
        var total = 0.0
        for c in 0..<3 {
            let idx = channelIndices(c)
            let mean = idx.reduce(0) { $0 + x[$1] } / 8
            let variance = idx.reduce(0) { $0 + (x[$1] - mean) * (x[$1] - mean) } / 8
            for i in idx { total += Double(dy[i]) * Double(scale[c]) * (x[i] - mean) / (variance + Double(epsilon)).squareRoot() }
        }
        return total
    }

    func run(training: Bool, mean: [Float]? = nil, variance: [Float]? = nil) throws -> (dx: [Float], dScale: [Float], dBias: [Float]) {
        var dx = [Float](repeating: .nan, count: 24), dScale = [Float](repeating: .nan, count: 3), dBias = dScale
        try BatchNorm.backward(gradOutput: dy, x: x, scale: scale, mean: mean, variance: variance, epsilon: epsilon,
                               training: training, batch: 2, channels: 3, spatial: 4,
                               gradInput: &dx, gradScale: &dScale, gradBias: &dBias)
        return (dx, dScale, dBias)
    }

    @Test("training mode: dX matches central differences of the batch-statistics forward pass")
    func trainingMatchesFiniteDifferences() throws {
        let (dx, _, dBias) = try run(training: true)
        let xd = x.map(Double.init), h = 1e-6
        let numeric = xd.indices.map { i -> Float in
            var plus = xd, minus = xd
            plus[i] += h
            minus[i] -= h
            return Float((objective(plus) - objective(minus)) / (2 * h))
        }
        #expect(KernelTestData.worstRelativeError(dx, numeric) < 1e-4)
        let expectedBias: [Float] = (0..<3).map { c in channelIndices(c).reduce(Float(0)) { $0 + dy[$1] } }
        #expect(KernelTestData.worstRelativeError(dBias, expectedBias) < 1e-5)
        // The batch statistics make dX sum to zero per channel.
        for c in 0..<3 {
            let sum = channelIndices(c).reduce(0.0) { $0 + Double(dx[$1]) }
            #expect(abs(sum) < 1e-5)
        }
    }

    @Test("inference mode: dX = dY * scale / sqrt(var + eps), dScale = sum(dY * xhat)")
    func inference() throws {
        let mean: [Float] = [0.5, -1, 0], variance: [Float] = [2, 0.5, 1]
        let (dx, dScale, _) = try run(training: false, mean: mean, variance: variance)
        var expectedScale = [Double](repeating: 0, count: 3)
        let expected = x.indices.map { i -> Float in
            let c = (i / 4) % 3
            let invStd = 1 / (Double(variance[c]) + Double(epsilon)).squareRoot()
            expectedScale[c] += Double(dy[i]) * (Double(x[i]) - Double(mean[c])) * invStd
            return Float(Double(dy[i]) * Double(scale[c]) * invStd)
        }
        #expect(KernelTestData.worstRelativeError(dx, expected) < KernelTestData.tolerance)
        #expect(KernelTestData.worstRelativeError(dScale, expectedScale.map(Float.init)) < KernelTestData.tolerance)
    }

    @Test("inference mode without statistics is a parameter error")
    func missingStatistics() {
        #expect(throws: KernelParameterError.self) { try run(training: false) }
    }
}

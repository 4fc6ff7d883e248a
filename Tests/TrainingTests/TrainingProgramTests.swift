import Autodiff
import Foundation
import GraphIR
import Models
import Testing
@testable import Training

@Suite("TrainingProgram")
struct TrainingProgramTests {
    /// tiny-cnn with a static batch of 4 and plain SGD, so that a step with learning
    /// rate 0 computes gradients without moving the weights. The gradients that the
    /// finite-difference test reads are pinned: the memory plan reuses unpinned bytes.
    func makeProgram() throws -> (TrainingProgram, Tensor, Tensor) {
        let model = try TinyNets.tinyCNN(inputSize: 8, batch: .known(4), weights: .seeded(9))
        let training = try TrainingGraph.build(model: model, logits: model.outputs[0], optimizer: .sgd(learningRate: .constant(0)))
        let program = try TrainingProgram(compiling: training, batch: 4, inputShape: [3, 8, 8],
                                          pinned: Set(Self.checkedParameters.map { "grad/\($0)" }))
        let data = try SyntheticBlobs.source(count: 4, size: 8, seed: 3)
        let (images, labels) = try data.batch(at: [0, 1, 2, 3])
        return (program, images, oneHot(labels, classes: 2))
    }

    static let checkedParameters = ["conv1_conv/kernel", "conv1_bn/gamma", "conv2_conv/bias", "predictions/kernel"]

    @Test("gradients through conv, BN (training mode), ReLU, max pool, GAP and dense match central differences")
    func gradientsMatchFiniteDifferences() throws {
        let (program, images, labels) = try makeProgram()
        _ = try program.step(images: images, labels: labels, learningRate: 0)
        let names = Self.checkedParameters
        let parameterNames = Set(program.program.parameterNames)
        for name in names where !parameterNames.contains(name) {
            Issue.record("no parameter \(name); parameters: \(parameterNames.sorted())")
        }
        for name in names where parameterNames.contains(name) {
            let analytic = try program.program.contents(named: "grad/\(name)").floatValues
            let original = try #require(program.parameters()[name])
            for index in [0, original.elementCount / 2, original.elementCount - 1] {
                func loss(_ delta: Float) throws -> Double {
                    var values = original.floatValues
                    values[index] += delta
                    try program.setParameters([name: Tensor(shape: original.shape, floats: values)])
                    return Double(try program.step(images: images, labels: labels, learningRate: 0).loss)
                }
                let h: Float = 1e-2
                let numeric = (try loss(h) - loss(-h)) / Double(2 * h)
                try program.setParameters([name: original])
                #expect(abs(numeric - Double(analytic[index])) <= 2e-3 + 0.05 * abs(numeric),
                        "\(name)[\(index)]: numeric \(numeric), analytic \(analytic[index])")
            }
        }
    }

    @Test("a step updates weights, moving statistics and the iteration counter; lr 0 keeps weights")
    func stateUpdates() throws {
        let (program, images, labels) = try makeProgram()
        let before = program.parameters()
        _ = try program.step(images: images, labels: labels, learningRate: 0)
        let still = program.parameters()
        #expect(still["conv1_conv/kernel"] == before["conv1_conv/kernel"])
        #expect(still["conv1_bn/moving_mean"] != before["conv1_bn/moving_mean"])
        #expect(program.iterations == 1)
        _ = try program.step(images: images, labels: labels, learningRate: 0.1)
        #expect(program.parameters()["conv1_conv/kernel"] != before["conv1_conv/kernel"])
        #expect(program.iterations == 2)
    }

    @Test("setParameters rejects a wrong shape, naming the parameter")
    func rejectsWrongShape() throws {
        let (program, _, _) = try makeProgram()
        #expect {
            try program.setParameters(["conv1_conv/kernel": Tensor(shape: [1], floats: [0])])
        } throws: { "\($0)".contains("conv1_conv/kernel") }
    }
}

import Autodiff
import GraphIR
import Models
import Runtime
import Testing
@testable import Training

/// `TrainingBenchmark` times whole steps of a model's training graph and accounts for its
/// memory: what `graphcam bench --train` prints.
@Suite("Training benchmark")
struct TrainingBenchmarkTests {
    @Test("times each measured step, counts the trainable parameters and the Adam state of exactly those")
    func measuresStepsAndCountsState() throws {
        // tiny-cnn with only its head trainable: frozen parameters get no optimizer state.
        let model = try TinyNets.tinyCNN(inputSize: 8, weights: .seeded(3))
        var headOnly = model
        for p in model.parameters { headOnly[p].trainable = model[p].name.hasPrefix("predictions") }
        let trainable = headOnly.parameters.filter { headOnly[$0].trainable }
            .reduce(0) { $0 + (headOnly[$1].type.shape.staticDims?.reduce(1, *) ?? 0) }
        #expect(trainable > 0)
        let all = model.parameters.reduce(0) { $0 + (model[$1].type.shape.staticDims?.reduce(1, *) ?? 0) }

        // Unoptimized, so that the weights region holds every model weight as written (the
        // optimizer would fold the frozen BN weights into their convs).
        let result = try TrainingBenchmark(batch: 4, warmup: 1, iterations: 3, optimize: false).run(model: headOnly)
        #expect(result.timings.milliseconds.count == 3)
        #expect(result.timings.milliseconds.allSatisfy { $0 > 0 })
        #expect(result.trainableParameters == trainable)
        // Adam: m and v per trainable float, plus the two f32 beta powers.
        #expect(result.optimizerStateBytes == 8 * trainable + 8)
        #expect(result.modelParameterBytes == 4 * all)
        #expect(result.memory.weightsBytes >= result.modelParameterBytes + result.optimizerStateBytes)
        #expect(result.plannedBytes == result.memory.arenaBytes + result.memory.weightsBytes)
        #expect(result.lastLoss.isFinite && result.lastLoss > 0)
        #expect(abs(result.imagesPerSecond - 4 / result.secondsPerStep) < 1e-6 * result.imagesPerSecond)
    }

    @Test("with a frozen backbone the optimized step runs fewer kernels and reaches the same loss")
    func optimizedStepIsShorter() throws {
        var model = try TinyNets.tinyCNN(inputSize: 8, weights: .seeded(3))
        for p in model.parameters { model[p].trainable = model[p].name.hasPrefix("predictions") }
        let optimized = try TrainingBenchmark(batch: 4, warmup: 1, iterations: 2).run(model: model)
        let plain = try TrainingBenchmark(batch: 4, warmup: 1, iterations: 2, optimize: false).run(model: model)
        #expect(optimized.stepCount < plain.stepCount, "\(optimized.stepCount) vs \(plain.stepCount) steps")
        #expect(abs(optimized.lastLoss - plain.lastLoss) <= 1e-5 * plain.lastLoss)
    }

    @Test("the same seed gives the same data, so the same loss after the same steps")
    func seededData() throws {
        let model = try TinyNets.tinyCNN(inputSize: 8, weights: .seeded(3))
        let bench = TrainingBenchmark(batch: 2, warmup: 0, iterations: 2, seed: 9)
        #expect(try bench.run(model: model).lastLoss == (try bench.run(model: model).lastLoss))
    }

    @Test("a zero batch or zero iterations is refused with the values at fault")
    func refusesBadSettings() throws {
        let model = try TinyNets.tinyCNN(inputSize: 8, weights: .seeded(3))
        #expect(throws: TrainingError.self) { try TrainingBenchmark(batch: 0).run(model: model) }
        #expect(throws: TrainingError.self) { try TrainingBenchmark(batch: 2, iterations: 0).run(model: model) }
    }
}

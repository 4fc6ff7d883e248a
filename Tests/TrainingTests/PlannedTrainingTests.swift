import Autodiff
import GraphIR
import Models
import Runtime
import Testing
@testable import Training

/// Training graphs run in a memory-planned arena: values share bytes, backward convs get
/// planned scratch, and only pinned values, outputs and states stay readable.
@Suite("Planned training programs")
struct PlannedTrainingTests {
    /// tiny-cnn (batch 4) with Adam, its training graph, one batch and the feed for a step.
    func makeTraining() throws -> (model: Graph, training: TrainingGraph, feed: [String: Tensor]) {
        let model = try TinyNets.tinyCNN(inputSize: 8, batch: .known(4), weights: .seeded(5))
        let training = try TrainingGraph.build(model: model, logits: model.outputs[0], optimizer: .adam())
        let (images, labels) = try SyntheticBlobs.source(count: 4, size: 8, seed: 11).batch(at: [0, 1, 2, 3])
        let g = training.graph
        let feed = [g[model.inputs[0]].name: images, g[training.labels].name: oneHot(labels, classes: 2),
                    g[training.learningRate].name: Tensor.scalar(Float(0.05))]
        return (model, training, feed)
    }

    /// Float state updates as `(state, newValue)` names (the integer iteration counter folds).
    func floatUpdates(_ training: TrainingGraph) -> [(state: String, newValue: String)] {
        training.updates.filter { training.graph[$0.state].type.dtype == .float32 }
            .map { (training.graph[$0.state].name, training.graph[$0.newValue].name) }
    }

    @Test("two planned steps give bit-identical weights, optimizer state and gradients to an unplanned program")
    func plannedMatchesUnplanned() throws {
        let (_, training, feed) = try makeTraining()
        let gradient = "grad/conv1_conv/kernel"
        let planned = try Program.compile(training.graph, options: CompileOptions(optimize: false, pinned: [gradient]))
        let plain = try Program.compile(training.graph, options: .unoptimized)
        // The backward graph shares memory, and its im2col convs (forward and backward) have scratch.
        #expect(planned.memoryStats.arenaBytes < planned.memoryStats.naiveBytes)
        #expect(planned.memoryStats.largestScratchBytes > 0)
        for program in [planned, plain] {
            let copies = try program.stateCopies(floatUpdates(training))
            for _ in 0..<2 { try program.runStep(feed, applying: copies) }
        }
        #expect(planned.parameterNames == plain.parameterNames)
        #expect(planned.parameters() == plain.parameters())
        #expect(try planned.contents(named: gradient) == plain.contents(named: gradient))
    }

    @Test("an unpinned intermediate cannot be read or assigned to a state; the error names the pin it needs")
    func unpinnedIntermediatesAreRefused() throws {
        let (_, training, feed) = try makeTraining()
        let program = try Program.compile(training.graph, options: CompileOptions(optimize: false))
        try program.runStep(feed, applying: program.stateCopies([]))
        let gradient = "grad/conv2_conv/kernel"
        #expect { try program.contents(named: gradient) } throws: { "\($0)".contains("pinned: [\"\(gradient)\"]") }
        #expect { try program.stateCopies([("conv2_conv/kernel", gradient)]) } throws: {
            "\($0)".contains(gradient) && "\($0)".contains("pin")
        }
    }

    @Test("the validation program receives every weight and moving statistic of the training program")
    func validationProgramGetsEveryParameter() throws {
        let (model, training, feed) = try makeTraining()
        let trainer = try TrainingProgram(compiling: training, batch: 4, inputShape: [3, 8, 8])
        let images = try #require(feed[model[model.inputs[0]].name])
        let labels = try #require(feed[training.graph[training.labels].name])
        _ = try trainer.step(images: images, labels: labels, learningRate: 0.05)
        let validation = try InferenceProgram(model: model, batch: 4, inputShape: [3, 8, 8])
        let names = validation.program.parameterNames
        #expect(names.contains("conv1_bn/moving_mean") && names.contains("predictions/kernel"))
        #expect(validation.program.copyParameters(from: trainer.program) == names.count)
        let trained = trainer.parameters()
        for (name, value) in validation.program.parameters() {
            #expect(value == trained[name], "\(name) differs after sync")
        }
    }
}

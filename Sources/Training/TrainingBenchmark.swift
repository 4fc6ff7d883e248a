import Autodiff
import Dispatch
import GraphIR
import Runtime

/// Times whole training steps (forward, loss, backward, optimizer update, state copies)
/// of a model on seeded random data, and reports what the compiled step holds in memory.
///
/// ```swift
/// let model = try Zoo.entry(named: "resnet50-modified").graph(inputSize: 112, weights: .seeded(0))
///     .settingTrainable(TrainableRecipe(parsing: "last10+bn")!, backboneOutput: "conv5_block3_out")
/// let result = try TrainingBenchmark(batch: 16, warmup: 2, iterations: 10).run(model: model)
/// print(result.timings.median / 1000, "s per step")
/// ```
public struct TrainingBenchmark: Sendable {
    /// Images per step.
    public var batch: Int
    /// Unmeasured steps before timing (the first step also touches every page of the arena).
    public var warmup: Int
    /// Measured steps.
    public var iterations: Int
    /// The update rule (its learning-rate schedule is evaluated per step).
    public var optimizer: Optimizer
    public var loss: TrainingLoss
    /// Seed of the random images and labels.
    public var seed: UInt64
    /// Compile the step with the optimizer (`TrainingProgram(compiling:...optimize:)`);
    /// false times the graph as written.
    public var optimize: Bool
    /// Also time each kernel step (`Result.profile`).
    public var profile = false

    public init(batch: Int, warmup: Int = 2, iterations: Int = 10, optimizer: Optimizer = .adam(),
                loss: TrainingLoss = .crossEntropy(), seed: UInt64 = 1, optimize: Bool = true) {
        self.optimize = optimize
        self.batch = batch
        self.warmup = warmup
        self.iterations = iterations
        self.optimizer = optimizer
        self.loss = loss
        self.seed = seed
    }

    /// What one benchmark measured.
    public struct Result {
        /// Milliseconds of each measured step.
        public var timings: BenchmarkTimings
        /// Seconds to build the training graph and compile it.
        public var compileSeconds: Double
        /// Elements of the parameters that train.
        public var trainableParameters: Int
        /// Bytes of every float parameter of the model (frozen and trainable).
        public var modelParameterBytes: Int
        /// Bytes of optimizer state (`optimizer/...`: Adam moments, beta powers).
        public var optimizerStateBytes: Int
        /// The compiled step's memory: arena (activations, gradients, scratch) and weights
        /// region (model parameters, optimizer state, BN moving statistics).
        public var memory: MemoryStats
        /// Kernel steps of the compiled program.
        public var stepCount: Int
        /// Loss of the last measured step (finite when the step computes sensibly).
        public var lastLoss: Float
        public var batch: Int
        /// Median time of each kernel step, when asked for (`TrainingBenchmark.profile`).
        public var profile: [StepProfile] = []

        /// Median seconds per step.
        public var secondsPerStep: Double { timings.median / 1000 }
        /// Images per second at the median step time.
        public var imagesPerSecond: Double { timings.median > 0 ? Double(batch) * 1000 / timings.median : 0 }
        /// Arena plus weights region: everything the step plans.
        public var plannedBytes: Int { memory.totalBytes }
    }

    /// Builds the training graph of `model` (trainable: the parameters whose `trainable`
    /// flag is set; logits: its first output, or the Softmax input), compiles it for
    /// `batch`, and times `warmup + iterations` steps on one random batch.
    ///
    /// - Throws: `TrainingError` when the model has no image input or output, or the
    ///   errors of building and compiling the training graph.
    public func run(model: Graph) throws -> Result {
        guard batch >= 1, iterations >= 1, warmup >= 0 else {
            throw TrainingError("batch and iterations must be >= 1 and warmup >= 0 (got \(batch), \(iterations), \(warmup))")
        }
        guard let output = model.outputs.first, let image = model.inputs.first else {
            throw TrainingError("model '\(model.name)' needs an input and an output")
        }
        let sample = model[image].type.shape.dims.dropFirst().compactMap(\.value)
        guard sample.count + 1 == model[image].type.shape.dims.count else {
            throw TrainingError("input '\(model[image].name)' of model '\(model.name)' needs static sample dims, "
                                + "has \(model[image].type.shape)")
        }
        let compileStart = DispatchTime.now().uptimeNanoseconds
        var fixed = model
        if case .symbolic(let name)? = model[image].type.shape.dims.first {
            fixed = try model.specialized([name: batch])
        }
        let training = try TrainingGraph.build(model: fixed, logits: output, loss: loss, optimizer: optimizer)
        let program = try TrainingProgram(compiling: training, batch: batch, inputShape: sample, optimize: optimize)
        let compileSeconds = Double(DispatchTime.now().uptimeNanoseconds - compileStart) / 1e9

        let (images, labels) = randomBatch(sample: sample, classes: program.classCount)
        var last: Float = 0
        for _ in 0..<warmup { last = try program.step(images: images, labels: labels).loss }
        var times: [Double] = []
        for _ in 0..<iterations {
            let start = DispatchTime.now().uptimeNanoseconds
            last = try program.step(images: images, labels: labels).loss
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }

        let profile = self.profile ? try program.profile(images: images, labels: labels, iterations: iterations) : []
        let g = training.graph
        var modelBytes = 0, optimizerBytes = 0
        for p in g.parameters where g[p].type.dtype == .float32 {
            let bytes = (g[p].type.shape.staticDims?.reduce(1, *) ?? 0) * 4
            if g[p].name.hasPrefix("optimizer/") { optimizerBytes += bytes } else { modelBytes += bytes }
        }
        let trainable = training.trainable.reduce(0) { $0 + (g[$1].type.shape.staticDims?.reduce(1, *) ?? 0) }
        return Result(timings: BenchmarkTimings(milliseconds: times), compileSeconds: compileSeconds,
                      trainableParameters: trainable, modelParameterBytes: modelBytes, optimizerStateBytes: optimizerBytes,
                      memory: program.program.memoryStats, stepCount: program.program.stepCount, lastLoss: last, batch: batch,
                      profile: profile)
    }

    /// Images uniform in [-1, 1) and one-hot labels of random classes.
    func randomBatch(sample: [Int], classes: Int) -> (images: Tensor, labels: Tensor) {
        var rng = SeededRandom(seed: seed, stream: "train-bench")
        let count = batch * sample.reduce(1, *)
        let images = Tensor(shape: [batch] + sample, floats: (0..<count).map { _ in 2 * rng.nextUnitFloat() - 1 })
        var oneHot = [Float](repeating: 0, count: batch * max(1, classes))
        for i in 0..<batch where classes > 0 { oneHot[i * classes + Int(rng.next() % UInt64(classes))] = 1 }
        return (images, Tensor(shape: [batch, max(1, classes)], floats: oneHot))
    }
}

extension TrainingProgram {
    /// Classes of the one-hot `labels` input (its last dimension).
    public var classCount: Int { training.graph[training.labels].type.shape.dims.last?.value ?? 0 }
}

import GraphIR
import Runtime

/// The model compiled for evaluation (BatchNormalization in inference mode, using the
/// moving statistics), sharing the weights of a `TrainingProgram` by copying them buffer
/// to buffer before each evaluation (`sync(from:)`, no allocation).
///
/// Optimized like any inference program, except for the weights that `sync` overwrites:
/// they are pinned, so no pass bakes them into a folded copy that a copy by name would
/// miss. A frozen conv and its frozen BatchNormalization therefore fold (the training
/// program cannot change them), while a trained layer keeps its conv, BN and names.
///
/// Static shapes: the program has a fixed batch; `predict` pads a smaller last batch with
/// zeros and drops the padded rows (inference-mode BN treats samples independently, so
/// padding does not change the real rows).
public final class InferenceProgram {
    public let program: Program
    public let batch: Int
    public let imageInputName: String
    /// The output read as class probabilities (the model's first output).
    public let outputName: String
    let sampleCount: Int

    /// Compiles `model` for `batch` images of `inputShape`.
    ///
    /// - `synchronized`: names of the parameters a later `sync(from:)` will overwrite;
    ///   nil pins every float parameter (nothing folds into derived weights, which is safe
    ///   without knowing the training program; fusions that keep the weights still apply).
    /// - `optimize: false` compiles the graph as written (a reference for comparisons).
    public init(model: Graph, batch: Int, inputShape: [Int], synchronized: Set<String>? = nil,
                optimize: Bool = true) throws {
        guard model.inputs.count == 1, let image = model.inputs.first, let output = model.outputs.first else {
            throw TrainingError("the model must have one input and at least one output")
        }
        guard batch >= 1 else { throw TrainingError("batch must be >= 1, found \(batch)") }
        imageInputName = model[image].name
        outputName = model[output].name
        let parameters = model.parameters.filter { model[$0].type.dtype == .float32 }.map { model[$0].name }
        let pinned = synchronized.map { names in parameters.filter(names.contains) } ?? parameters
        program = try Program.compile(model, inputShapes: [imageInputName: [batch] + inputShape],
                                      options: CompileOptions(optimize: optimize, pinned: Set(pinned), planMemory: true))
        self.batch = batch
        sampleCount = inputShape.reduce(1, *)
    }

    /// Compiles `model` to evaluate the weights that `training` updates: its states are the
    /// parameters `sync(from:)` copies; every other weight is frozen and may fold.
    public convenience init(model: Graph, batch: Int, inputShape: [Int], sharingWeightsOf training: TrainingProgram) throws {
        try self.init(model: model, batch: batch, inputShape: inputShape, synchronized: training.stateNames)
    }

    /// Copies the current weights and moving statistics of `training` into this program.
    public func sync(from training: TrainingProgram) {
        program.copyParameters(from: training.program)
    }

    /// Class probabilities `[n, K]` (row-major) for `n <= batch` images `[n] + inputShape`.
    public func predict(_ images: Tensor) throws -> (probabilities: [Float], classes: Int) {
        guard let n = images.shape.first, n >= 1, n <= batch, images.elementCount == n * sampleCount else {
            throw TrainingError("predict takes 1...\(batch) images of \(sampleCount) values, got \(images.shape)")
        }
        var fed = images
        if n < batch {
            var values = images.floatValues
            values += Array(repeating: 0, count: (batch - n) * sampleCount)
            fed = Tensor(shape: [batch] + images.shape.dropFirst(), floats: values)
        }
        let outputs = try program.run([imageInputName: fed])
        let probabilities = outputs[0].floatValues
        let classes = probabilities.count / batch
        return (Array(probabilities.prefix(n * classes)), classes)
    }
}

import GraphIR
import Runtime

/// The model compiled for evaluation (BatchNormalization in inference mode, using the
/// moving statistics), sharing the weights of a `TrainingProgram` by copying them buffer
/// to buffer before each evaluation (`sync(from:)`, no allocation).
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

    public init(model: Graph, batch: Int, inputShape: [Int]) throws {
        guard model.inputs.count == 1, let image = model.inputs.first, let output = model.outputs.first else {
            throw TrainingError("the model must have one input and at least one output")
        }
        guard batch >= 1 else { throw TrainingError("batch must be >= 1, found \(batch)") }
        imageInputName = model[image].name
        outputName = model[output].name
        // Unoptimized (but planned): BN folding would fold the weights into new values that
        // `copyParameters(from:)` cannot match by name to the training program's parameters.
        program = try Program.compile(model, inputShapes: [imageInputName: [batch] + inputShape],
                                      options: CompileOptions(optimize: false, planMemory: true))
        self.batch = batch
        sampleCount = inputShape.reduce(1, *)
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

import GraphIR
import GraphOpt
import Runtime

/// Activations and class-score gradients at chosen layers, for a batch of images, from
/// one compiled program: the forward pass plus the backward pass from the class score
/// down to the target layers and no further.
///
/// ```swift
/// let model = try Zoo.entry(named: "resnet50-modified").graph(weights: .seeded(1))
/// let query = try GradientQuery(model: model, targets: ["conv5_block3_out"], batch: 16)
/// let result = try query.run(images, classes: .predicted)
/// let cam = try GradCAM.map(result.targets[0], image: 0, method: .gradCAM)
/// ```
public final class GradientQuery {
    /// Whose score each image's gradient is taken of.
    public enum Classes: Sendable, Equatable {
        /// The class with the highest score of each image.
        case predicted
        /// One class index per image.
        case given([Int])
    }

    /// Options of a query.
    public struct Options: Sendable {
        /// Differentiate the logits (default) or the probabilities.
        public var score: QueryScore
        /// Graph passes (GraphOpt names) run on the forward pass everywhere except between
        /// the targets and the score, which the backward pass differentiates and so must
        /// stay canonical. Empty: the graph as given.
        public var forwardPasses: [String]

        /// - Parameter optimizeForward: run `Pipeline.standardInference` (BN folded into
        ///   convs, residual adds and activations fused) on the forward pass; `forwardPasses`
        ///   overrides the list.
        public init(score: QueryScore = .logits, optimizeForward: Bool = false, forwardPasses: [String]? = nil) {
            self.score = score
            self.forwardPasses = forwardPasses ?? (optimizeForward ? Pipeline.standardInference.names : [])
        }
    }

    /// The compiled program; its graph is the query graph (forward, score, backward).
    public let program: Program
    /// The fixed batch of the program; `run` accepts 1...batch images.
    public let batch: Int
    /// `[C, H, W]` of one image.
    public let imageShape: [Int]
    public let classCount: Int
    /// Resolved value names of the targets, in the order asked.
    public let targetNames: [String]
    /// Name of the differentiated score's source (the logits by default).
    public let scoreSourceName: String
    let layout: QueryGraph

    /// Builds and compiles the query.
    ///
    /// - Parameters:
    ///   - model: one image input `[N, C, H, W]` and class scores `[N, K]` as first output
    ///     (a Softmax head is looked through for logits), with weights.
    ///   - targets: value names, resolved by `TargetResolver` (exact, path component, alias).
    /// - Throws: `GradCAMError` for an unknown target (with the nearest names) or a model
    ///   of the wrong form; `AutodiffError`/`RuntimeError` naming the node at fault.
    public init(model: Graph, targets: [String], batch: Int, options: Options = Options()) throws {
        layout = try QueryGraph(model: model, targets: targets, batch: batch, score: options.score,
                                forwardPasses: options.forwardPasses)
        program = try Program.compile(layout.graph, inputShapes: [layout.imageInput: [batch] + layout.imageShape])
        self.batch = batch
        imageShape = layout.imageShape
        classCount = layout.classCount
        targetNames = layout.targetNames
        scoreSourceName = layout.logitsName
    }

    /// The compiled graph (forward + score + backward), e.g. to check what a query computes.
    public var graph: Graph { program.graph }

    /// Runs the query on `images` `[n, C, H, W]` (1 <= n <= batch; a smaller batch is
    /// padded with zeros, which does not change the real rows in inference mode).
    public func run(_ images: Tensor, classes: Classes = .predicted) throws -> QueryResult {
        let sample = imageShape.reduce(1, *)
        guard images.dtype == .float32, images.shape.count == 4, Array(images.shape.dropFirst()) == imageShape,
              let n = images.shape.first, n >= 1, n <= batch else {
            throw GradCAMError("images", "expected float32 [1...\(batch)] + \(imageShape), found \(images.type)")
        }
        var mask = [Float](repeating: 0, count: batch * classCount)
        var usePredicted = [Float](repeating: 0, count: batch)
        switch classes {
        case .predicted:
            for i in 0..<n { usePredicted[i] = 1 }
        case .given(let list):
            guard list.count == n else { throw GradCAMError("classes", "\(list.count) classes given for \(n) images") }
            for (i, k) in list.enumerated() {
                guard k >= 0, k < classCount else { throw GradCAMError("classes", "class \(k) of image \(i) is outside 0..<\(classCount)") }
                mask[i * classCount + k] = 1
            }
        }
        var fed = images
        if n < batch {
            fed = Tensor(shape: [batch] + imageShape,
                         floats: images.floatValues + [Float](repeating: 0, count: (batch - n) * sample))
        }
        let outputs = try program.run([
            layout.imageInput: fed,
            QueryGraph.maskName: Tensor(shape: [batch, classCount], floats: mask),
            QueryGraph.predictedFlagName: Tensor(shape: [batch, 1, 1, 1], floats: usePredicted),
        ])
        var k = 0
        func next() -> Tensor { defer { k += 1 }; return outputs[k] }
        let probabilities = layout.probabilitiesName.map { _ in Array(next().floatValues.prefix(n * classCount)) }
        let logits = Array(next().floatValues.prefix(n * classCount))
        let activations = targetNames.map { _ in next() }
        let gradients = targetNames.map { _ in next() }
        let predicted = (0..<n).map { i in argmax(logits[(i * classCount)..<((i + 1) * classCount)]) }
        let chosen: [Int]
        if case .given(let list) = classes { chosen = list } else { chosen = predicted }
        let targets = zip(targetNames, zip(activations, gradients)).map { name, pair in
            TargetValues(name: name, count: n, activation: pair.0, gradient: pair.1)
        }
        return QueryResult(count: n, classCount: classCount, logits: logits, probabilities: probabilities,
                           predicted: predicted, classes: chosen,
                           scores: (0..<n).map { logits[$0 * classCount + chosen[$0]] }, targets: targets)
    }

    private func argmax(_ row: ArraySlice<Float>) -> Int {
        var best = row.startIndex
        for i in row.indices where row[i] > row[best] { best = i }
        return best - row.startIndex
    }
}

/// What a `GradientQuery` run returns, for `count` images.
public struct QueryResult: Sendable {
    public var count: Int
    public var classCount: Int
    /// `[count, K]` row-major: the differentiated score source (logits by default, or
    /// the probabilities when the query differentiates those).
    public var logits: [Float]
    /// `[count, K]` class probabilities, when the model ends in a Softmax.
    public var probabilities: [Float]?
    /// The class with the highest score per image.
    public var predicted: [Int]
    /// The class whose score was differentiated per image.
    public var classes: [Int]
    /// The differentiated score per image (`logits[i, classes[i]]`).
    public var scores: [Float]
    /// One entry per target, in the order asked.
    public var targets: [TargetValues]

    /// The entry of a target by its resolved name.
    public func target(named name: String) -> TargetValues? { targets.first { $0.name == name } }
}

/// The activation `A` and gradient `dScore/dA` of one target, `[count, C, H, W]` row-major.
public struct TargetValues: Sendable {
    public var name: String
    public var shape: [Int]
    public var activation: [Float]
    public var gradient: [Float]

    init(name: String, count: Int, activation: Tensor, gradient: Tensor) {
        let perImage = activation.shape.dropFirst().reduce(1, *)
        self.init(name: name, shape: [count] + activation.shape.dropFirst(),
                  activation: Array(activation.floatValues.prefix(count * perImage)),
                  gradient: Array(gradient.floatValues.prefix(count * perImage)))
    }

    /// A target from raw arrays (tests, other sources of activations).
    public init(name: String, shape: [Int], activation: [Float], gradient: [Float]) {
        self.name = name
        self.shape = shape
        self.activation = activation
        self.gradient = gradient
    }

    /// Values per image.
    public var sizePerImage: Int { shape.dropFirst().reduce(1, *) }

    /// Image `i`'s activation and gradient, as slices.
    public func image(_ i: Int) -> (activation: ArraySlice<Float>, gradient: ArraySlice<Float>) {
        let size = sizePerImage
        return (activation[(i * size)..<((i + 1) * size)], gradient[(i * size)..<((i + 1) * size)])
    }
}

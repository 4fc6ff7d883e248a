import GraphIR

/// Labeled images addressed by index, so the training loop can shuffle them. Datasets
/// (decoded, resized, augmented images) adopt this; `InMemoryBatchSource` serves tests.
public protocol BatchSource {
    /// Number of samples.
    var count: Int { get }
    /// One image's shape, `[C, H, W]`.
    var sampleShape: [Int] { get }
    /// Number of classes; labels are in `0..<classCount`.
    var classCount: Int { get }
    /// The images `[indices.count, C, H, W]` (float32) and their labels, in `indices` order.
    func batch(at indices: [Int]) throws -> (images: Tensor, labels: [Int])
}

/// Samples held in memory: `images` is `[count] + sampleShape`, flattened row-major.
public struct InMemoryBatchSource: BatchSource {
    public let sampleShape: [Int]
    public let classCount: Int
    public let images: [Float]
    public let labels: [Int]

    public init(images: [Float], labels: [Int], sampleShape: [Int], classCount: Int) throws {
        let size = sampleShape.reduce(1, *)
        guard size > 0, images.count == labels.count * size else {
            throw TrainingError("\(images.count) image values do not hold \(labels.count) samples of shape \(sampleShape)")
        }
        if let bad = labels.first(where: { $0 < 0 || $0 >= classCount }) {
            throw TrainingError("label \(bad) is outside 0..<\(classCount)")
        }
        self.images = images
        self.labels = labels
        self.sampleShape = sampleShape
        self.classCount = classCount
    }

    public var count: Int { labels.count }

    public func batch(at indices: [Int]) throws -> (images: Tensor, labels: [Int]) {
        let size = sampleShape.reduce(1, *)
        var values: [Float] = []
        values.reserveCapacity(indices.count * size)
        for i in indices {
            guard i >= 0, i < count else { throw TrainingError("sample index \(i) is outside 0..<\(count)") }
            values += images[(i * size)..<((i + 1) * size)]
        }
        return (Tensor(shape: [indices.count] + sampleShape, floats: values), indices.map { labels[$0] })
    }
}

/// `[n, classes]` one-hot float rows, the `labels` input of a training graph.
public func oneHot(_ labels: [Int], classes: Int) -> Tensor {
    var values = [Float](repeating: 0, count: labels.count * classes)
    for (row, label) in labels.enumerated() where label >= 0 && label < classes { values[row * classes + label] = 1 }
    return Tensor(shape: [labels.count, classes], floats: values)
}

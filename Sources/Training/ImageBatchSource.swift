import Datasets
import Foundation
import GraphIR
import Imaging

/// Batches of model-ready images from one split of a `Dataset`: decode (Imaging), square and
/// resize (cached in memory by default), augment (training role only), gray -> RGB, normalize,
/// `[N, 3, S, S]` float32.
///
/// ```swift
/// let split = try DataSplit.make(dataset, plan: .trainValidationTest(), seed: 1)
/// let train = try ImageBatchSource(dataset: dataset, images: FileImageSource(),
///                                  sampleIndices: split.sampleIndices(in: "train", of: dataset),
///                                  role: .training(seed: 7), preprocessing: .init(size: 112, normalization: .caffe))
/// let validation = try ImageBatchSource(dataset: dataset, images: FileImageSource(),
///                                       sampleIndices: split.sampleIndices(in: "validation", of: dataset),
///                                       role: .evaluation, preprocessing: train.preprocessing)
/// try trainer.fit(training: train, validation: validation)
/// ```
///
/// Reproducibility: the augmentation of a sample depends only on (seed, epoch, dataset sample
/// index), so batches are identical whether computed in the background or on demand, on any
/// number of threads. The trainer announces each epoch (`BatchPlanning`) and a background
/// producer prepares up to `Loading.prefetchDepth` batches ahead while the model trains.
public final class ImageBatchSource: BatchPlanning, @unchecked Sendable {
    /// What the images are for. Only training augments, and only a training role carries an
    /// augmentation, so validation and test images can never be augmented.
    public enum Role: Sendable, Equatable {
        /// Randomly augmented with `augmentation`, differently each epoch, reproducibly from `seed`.
        case training(augmentation: Augmentation = .paper, seed: UInt64)
        /// Validation, test, inference: exactly the preprocessed image, the same every epoch.
        case evaluation
    }

    /// How images are loaded; none of it changes the batches' contents.
    public struct Loading: Sendable, Equatable {
        /// Keep decoded, resized images in memory (MIAS at 112: 322 x 112 x 112 floats, 16 MB).
        public var cachesPreparedImages: Bool
        /// Batches prepared ahead in the background; 0 prepares each batch when asked.
        public var prefetchDepth: Int
        /// Worker threads preparing the images of one batch.
        public var threads: Int

        public init(cachesPreparedImages: Bool = true, prefetchDepth: Int = 2, threads: Int = 1) {
            self.cachesPreparedImages = cachesPreparedImages
            self.prefetchDepth = prefetchDepth
            self.threads = threads
        }
    }

    public let dataset: Dataset
    /// Dataset sample index of each position `0..<count`.
    public let sampleIndices: [Int]
    public let role: Role
    public let preprocessing: ImagePreprocessing
    public let loading: Loading
    private let pipeline: ImagePipeline
    private let augmenter: Augmenter?
    private let augmentationSeed: UInt64

    private let stateLock = NSLock()
    private var currentEpoch = 1
    private var prefetcher: BatchPrefetcher<PreparedBatch>?

    /// Throws when a sample index is outside the dataset, a label is outside its classes, or
    /// the size is not positive; images themselves are read later (errors name the file).
    public init(dataset: Dataset, images: any ImageSource, sampleIndices: [Int], role: Role,
                preprocessing: ImagePreprocessing = ImagePreprocessing(), loading: Loading = Loading()) throws {
        guard preprocessing.size > 0 else { throw TrainingError("image size \(preprocessing.size) is not positive") }
        if let bad = sampleIndices.first(where: { !dataset.samples.indices.contains($0) }) {
            throw TrainingError("sample index \(bad) is outside dataset '\(dataset.name)' (\(dataset.samples.count) samples)")
        }
        if let bad = sampleIndices.first(where: { !dataset.classNames.indices.contains(dataset.samples[$0].label) }) {
            throw TrainingError("sample '\(dataset.samples[bad].id)' has label \(dataset.samples[bad].label), outside 0..<\(dataset.classNames.count)")
        }
        self.dataset = dataset
        self.sampleIndices = sampleIndices
        self.role = role
        self.preprocessing = preprocessing
        self.loading = loading
        pipeline = ImagePipeline(dataset: dataset, images: images, preprocessing: preprocessing,
                                 caches: loading.cachesPreparedImages)
        switch role {
        case .training(let augmentation, let seed):
            augmenter = augmentation == Augmentation.none ? nil : Augmenter(augmentation)
            augmentationSeed = seed
        case .evaluation:
            augmenter = nil
            augmentationSeed = 0
        }
    }

    deinit { prefetcher?.cancel() }

    public var count: Int { sampleIndices.count }
    public var sampleShape: [Int] { preprocessing.sampleShape }
    public var classCount: Int { dataset.classNames.count }
    /// Label of each position.
    public var labels: [Int] { sampleIndices.map { dataset.samples[$0].label } }

    /// The epoch whose augmentation `batch(at:)` uses (1 until the trainer announces one).
    public var epoch: Int { stateLock.withLock { currentEpoch } }

    /// The batch at `positions` for the current epoch: the prefetched one when it was announced,
    /// else computed now (the same values either way).
    public func batch(at positions: [Int]) throws -> (images: Tensor, labels: [Int]) {
        let (epoch, prefetcher) = stateLock.withLock { (currentEpoch, self.prefetcher) }
        if let prefetcher {
            if let prepared = try prefetcher.next(expecting: positions) { return prepared.result }
            // Asked off-plan: the plan no longer predicts the requests, so stop preparing it.
            if !prefetcher.isExhausted { endEpoch() }
        }
        return try prepare(positions, epoch: epoch).result
    }

    /// The batch at `positions` as epoch `epoch` sees it, computed on the calling thread.
    public func batch(at positions: [Int], epoch: Int) throws -> (images: Tensor, labels: [Int]) {
        try prepare(positions, epoch: epoch).result
    }

    /// The model-ready image of one position in `epoch`, before RGB expansion and normalization
    /// (for inspection, reports and tests).
    public func image(at position: Int, epoch: Int) throws -> Image {
        let index = try sampleIndex(at: position)
        return try pipeline.image(sampleIndex: index, augmenter: augmenter,
                                  augmentationSeed: augmentationSeed(sampleIndex: index, epoch: epoch))
    }

    public func beginEpoch(_ epoch: Int, batches: [[Int]]) {
        endEpoch()
        stateLock.withLock { currentEpoch = epoch }
        guard loading.prefetchDepth > 0, !batches.isEmpty else { return }
        let started = BatchPrefetcher<PreparedBatch>(plan: batches, depth: loading.prefetchDepth) { [pipeline, augmenter, augmentationSeed, sampleIndices, preprocessing, loading] b in
            try Self.prepare(batches[b], epoch: epoch, pipeline: pipeline, augmenter: augmenter, seed: augmentationSeed,
                             sampleIndices: sampleIndices, sampleShape: preprocessing.sampleShape, threads: loading.threads)
        }
        stateLock.withLock { prefetcher = started }
    }

    public func endEpoch() {
        let stopping = stateLock.withLock {
            defer { prefetcher = nil }
            return prefetcher
        }
        stopping?.cancel()
    }

    /// The per-epoch key the augmentation seeds of that epoch's samples derive from.
    public static func epochSeed(seed: UInt64, epoch: Int) -> UInt64 {
        AugmentationRNG.sampleSeed(epochSeed: seed, sampleIndex: epoch)
    }

    // MARK: - Preparing

    private func sampleIndex(at position: Int) throws -> Int {
        guard sampleIndices.indices.contains(position) else {
            throw TrainingError("sample position \(position) is outside 0..<\(count)")
        }
        return sampleIndices[position]
    }

    private func augmentationSeed(sampleIndex: Int, epoch: Int) -> UInt64? {
        guard augmenter != nil else { return nil }
        return AugmentationRNG.sampleSeed(epochSeed: Self.epochSeed(seed: augmentationSeed, epoch: epoch),
                                          sampleIndex: sampleIndex)
    }

    private func prepare(_ positions: [Int], epoch: Int) throws -> PreparedBatch {
        try Self.prepare(positions, epoch: epoch, pipeline: pipeline, augmenter: augmenter, seed: augmentationSeed,
                         sampleIndices: sampleIndices, sampleShape: sampleShape, threads: loading.threads)
    }

    /// Static so the background producer captures only immutable values, never the source.
    private static func prepare(_ positions: [Int], epoch: Int, pipeline: ImagePipeline, augmenter: Augmenter?,
                                seed: UInt64, sampleIndices: [Int], sampleShape: [Int], threads: Int) throws -> PreparedBatch {
        var indices: [Int] = []
        indices.reserveCapacity(positions.count)
        for position in positions {
            guard sampleIndices.indices.contains(position) else {
                throw TrainingError("sample position \(position) is outside 0..<\(sampleIndices.count)")
            }
            indices.append(sampleIndices[position])
        }
        let seeds = augmenter.map { _ in
            indices.map { AugmentationRNG.sampleSeed(epochSeed: epochSeed(seed: seed, epoch: epoch), sampleIndex: $0) }
        }
        let values = try pipeline.makeBatch(sampleIndices: indices, augmenter: augmenter, seeds: seeds, threads: threads)
        return PreparedBatch(shape: [positions.count] + sampleShape, values: values,
                             labels: indices.map { pipeline.dataset.samples[$0].label })
    }
}

/// One finished batch, handed from the producer thread to the consumer.
struct PreparedBatch: Sendable {
    var shape: [Int]
    var values: [Float]
    var labels: [Int]

    var result: (images: Tensor, labels: [Int]) { (Tensor(shape: shape, floats: values), labels) }
}

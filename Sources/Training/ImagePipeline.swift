import Datasets
import Dispatch
import Foundation
import Imaging

/// A sample that could not be loaded: names the sample and its file, then Imaging's reason
/// (which names the file again, with the byte offset when known).
public struct ImageLoadError: Error, CustomStringConvertible, Sendable {
    public var sampleID: String
    /// The file path, or nil for in-memory images.
    public var file: String?
    public var reason: String

    public var description: String {
        "cannot load sample '\(sampleID)'" + (file.map { " from \($0)" } ?? "") + ": \(reason)"
    }
}

/// The work behind `ImageBatchSource`, shared with its background producer: load, prepare
/// (cached), augment, normalize into batch buffers. Every result depends only on its inputs
/// (sample, augmentation seed), never on thread or order, so batches are reproducible.
final class ImagePipeline: @unchecked Sendable {
    let dataset: Dataset
    let images: any ImageSource
    let preprocessing: ImagePreprocessing
    /// Prepared (squared, resized) images by dataset sample index; nil when caching is off.
    private var cache: [Int: Image]?
    private let cacheLock = NSLock()

    init(dataset: Dataset, images: any ImageSource, preprocessing: ImagePreprocessing, caches: Bool) {
        self.dataset = dataset
        self.images = images
        self.preprocessing = preprocessing
        self.cache = caches ? [:] : nil
    }

    /// The decoded, squared and resized image of dataset sample `index` (from the cache when on).
    func prepared(sampleIndex index: Int) throws -> Image {
        let cached: Image?? = cacheLock.withLock { cache.map { $0[index] } }
        if case .some(.some(let image)) = cached { return image }
        let sample = dataset.samples[index]
        let image: Image
        do {
            image = try preprocessing.prepare(images.image(for: sample, in: dataset))
        } catch {
            throw ImageLoadError(sampleID: sample.id, file: dataset.fileURL(of: sample)?.path,
                                 reason: String(describing: error))
        }
        // Two threads may prepare the same sample; both results are equal, either may stay.
        if case .some = cached { cacheLock.withLock { cache?[index] = image } }
        return image
    }

    /// The model-ready image of one sample: prepared, then augmented when `augmentationSeed` is set.
    func image(sampleIndex index: Int, augmenter: Augmenter?, augmentationSeed: UInt64?) throws -> Image {
        let image = try prepared(sampleIndex: index)
        guard let augmenter, let augmentationSeed else { return image }
        return augmenter.apply(image, seed: augmentationSeed)
    }

    /// Fills a `[sampleIndices.count, 3, S, S]` buffer using up to `threads` workers; the first
    /// failure (in sample order) is thrown.
    func makeBatch(sampleIndices: [Int], augmenter: Augmenter?, seeds: [UInt64]?, threads: Int) throws -> [Float] {
        let stride = preprocessing.sampleCount
        var values = [Float](repeating: 0, count: sampleIndices.count * stride)
        let workers = max(1, min(threads, sampleIndices.count))
        let failures = FailureSlots(count: sampleIndices.count)
        values.withUnsafeMutableBufferPointer { buffer in
            let base = SendablePointer(buffer.baseAddress)
            let work: @Sendable (Int) -> Void = { worker in
                var slot = worker
                while slot < sampleIndices.count {
                    do {
                        let image = try self.image(sampleIndex: sampleIndices[slot], augmenter: augmenter,
                                                   augmentationSeed: seeds?[slot])
                        let target = UnsafeMutableBufferPointer(start: base.pointer.map { $0 + slot * stride }, count: stride)
                        try self.preprocessing.write(image, into: target)
                    } catch {
                        failures.record(error, at: slot)
                    }
                    slot += workers
                }
            }
            if workers == 1 { work(0) } else { DispatchQueue.concurrentPerform(iterations: workers, execute: work) }
        }
        if let error = failures.first { throw error }
        return values
    }
}

/// A batch buffer's base address handed to workers that write disjoint slots.
private struct SendablePointer: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Float>?
    init(_ pointer: UnsafeMutablePointer<Float>?) { self.pointer = pointer }
}

/// Per-slot errors written by concurrent workers.
private final class FailureSlots: @unchecked Sendable {
    private var errors: [(any Error)?]
    private let lock = NSLock()
    init(count: Int) { errors = Array(repeating: nil, count: count) }
    func record(_ error: any Error, at slot: Int) { lock.withLock { errors[slot] = error } }
    var first: (any Error)? { lock.withLock { errors.lazy.compactMap { $0 }.first } }
}

import Datasets
import Foundation
import GraphIR
import Imaging
import Models
import Testing
@testable import Training

/// The image pipeline from a `Dataset` to `[N, 3, S, S]` batches: what is augmented (training
/// only), what is reproducible (everything, from the seed), and that background prefetching
/// changes nothing but timing.
@Suite("ImageBatchSource on synthetic images")
struct ImageBatchSourceTests {
    /// 12 gray 48x48 images, two classes; batches are 24x24 (area downscale) with tf normalization.
    static let synthetic = try? Synthetic.generate(.init(count: 12, size: 48, seed: 4))
    static let preprocessing = ImagePreprocessing(size: 24, normalization: .tf)

    func source(_ role: ImageBatchSource.Role, loading: ImageBatchSource.Loading = .init(),
                positions: [Int] = Array(0..<12)) throws -> ImageBatchSource {
        let data = try #require(Self.synthetic)
        return try ImageBatchSource(dataset: data.dataset, images: data, sampleIndices: positions, role: role,
                                    preprocessing: Self.preprocessing, loading: loading)
    }

    @Test("evaluation batches are bit-identical in every epoch and equal the plain preprocessing")
    func evaluationIsNeverAugmented() throws {
        let data = try #require(Self.synthetic)
        let validation = try source(.evaluation)
        let first = try validation.batch(at: [3, 0, 7], epoch: 1)
        #expect(first.images.shape == [3, 3, 24, 24])
        #expect(try validation.batch(at: [3, 0, 7], epoch: 9).images.rawBytes == first.images.rawBytes)
        validation.beginEpoch(4, batches: [[3, 0, 7]])
        #expect(try validation.batch(at: [3, 0, 7]).images.rawBytes == first.images.rawBytes)
        validation.endEpoch()

        // By hand: area resize 48 -> 24, gray to RGB, x / 127.5 - 1, CHW.
        var expected: [Float] = []
        for index in [3, 0, 7] {
            let resized = try data.images[index].resized(width: 24, height: 24, method: .area)
            expected += try resized.expandedToRGB().tensorCHW(.tf)
        }
        #expect(first.images.floatValues == expected)
        #expect(first.labels == [3, 0, 7].map { data.dataset.samples[$0].label })
    }

    @Test("training batches change every epoch, repeat for the same seed, and differ for another seed")
    func trainingAugmentationIsSeeded() throws {
        let a = try source(.training(seed: 11)), b = try source(.training(seed: 11)), other = try source(.training(seed: 12))
        let positions = Array(0..<6)
        let epoch1 = try a.batch(at: positions, epoch: 1).images.rawBytes
        let epoch2 = try a.batch(at: positions, epoch: 2).images.rawBytes
        #expect(epoch1 != epoch2)
        #expect(try b.batch(at: positions, epoch: 2).images.rawBytes == epoch2)
        #expect(try other.batch(at: positions, epoch: 2).images.rawBytes != epoch2)
        // Order and company do not matter: a sample's augmentation is its own.
        let single = try a.batch(at: [4], epoch: 2).images.floatValues
        let stride = 3 * 24 * 24
        #expect(Array(try a.batch(at: positions, epoch: 2).images.floatValues[(4 * stride)..<(5 * stride)]) == single)
        // Augmentation `.none` in a training role is the evaluation preprocessing.
        let plain = try source(.training(augmentation: .none, seed: 11))
        #expect(try plain.batch(at: positions, epoch: 3).images.rawBytes
                == source(.evaluation).batch(at: positions, epoch: 1).images.rawBytes)
    }

    @Test("prefetching on 3 threads without the cache yields exactly the synchronous batches")
    func prefetchEqualsSynchronous() throws {
        let synchronous = try source(.training(seed: 5), loading: .init(cachesPreparedImages: true, prefetchDepth: 0))
        let background = try source(.training(seed: 5), loading: .init(cachesPreparedImages: false, prefetchDepth: 2, threads: 3))
        let plan = [[5, 1, 9, 2], [0, 11, 3, 4], [8, 7, 6, 10]]
        for epoch in [1, 2] {
            background.beginEpoch(epoch, batches: plan)
            for batch in plan {
                let got = try background.batch(at: batch)
                let want = try synchronous.batch(at: batch, epoch: epoch)
                #expect(got.images.rawBytes == want.images.rawBytes && got.labels == want.labels)
            }
            background.endEpoch()
        }
        // An off-plan request is computed on demand, and the same.
        background.beginEpoch(3, batches: plan)
        #expect(try background.batch(at: [1, 2]).images.rawBytes == synchronous.batch(at: [1, 2], epoch: 3).images.rawBytes)
        #expect(try background.batch(at: plan[0]).images.rawBytes == synchronous.batch(at: plan[0], epoch: 3).images.rawBytes)
        background.endEpoch()
    }

    @Test("ending an epoch early stops the producer; a long plan never runs ahead of its bound")
    func cancellationIsClean() throws {
        let background = try source(.training(seed: 1), loading: .init(cachesPreparedImages: false, prefetchDepth: 1))
        let plan = (0..<200).map { [$0 % 12] }
        background.beginEpoch(1, batches: plan)
        _ = try background.batch(at: plan[0])
        background.endEpoch()  // returns once the producer thread has exited
        background.endEpoch()
        #expect(try background.batch(at: [0], epoch: 1).images.shape == [1, 3, 24, 24])
    }

    @Test("positions outside the split and unknown sample indices are errors, not crashes")
    func badPositions() throws {
        let data = try #require(Self.synthetic)
        let part = try source(.evaluation, positions: [2, 4])
        #expect(part.count == 2 && part.labels == [2, 4].map { data.dataset.samples[$0].label })
        #expect(throws: TrainingError.self) { try part.batch(at: [2]) }
        #expect(throws: TrainingError.self) { try source(.evaluation, positions: [12]) }
    }

    @Test("with the trainer, prefetching and on-demand loading train to the same weights, bytewise")
    func trainerUsesThePrefetcher() throws {
        func train(_ loading: ImageBatchSource.Loading) throws -> [String: Tensor] {
            let model = try TinyNets.tinyCNN(inputSize: 24, weights: .seeded(2))
            let trainer = try Trainer(model: model, sampleShape: [3, 24, 24],
                                      configuration: TrainingConfiguration(epochs: 2, batchSize: 4, seed: 3, progress: .silent))
            let training = try source(.training(seed: 9), loading: loading, positions: Array(0..<9))
            let validation = try source(.evaluation, loading: loading, positions: [9, 10, 11])
            let report = try trainer.fit(training: training, validation: validation)
            #expect(report.history.count == 2 && training.epoch == 2)
            return trainer.program.parameters()
        }
        let prefetched = try train(.init(prefetchDepth: 2, threads: 2))
        let onDemand = try train(.init(cachesPreparedImages: false, prefetchDepth: 0))
        #expect(prefetched.keys.sorted() == onDemand.keys.sorted())
        for (name, tensor) in prefetched { #expect(tensor.rawBytes == onDemand[name]?.rawBytes, "\(name) differs") }
    }
}

import Foundation
import GraphIR
import Testing
@testable import Training

@Suite("Checkpoints")
struct CheckpointTests {
    let sample = Checkpoint(
        tensors: ["conv/kernel": Tensor(shape: [2, 3], floats: [1, -2, 3.5, 0, .pi, -0]),
                  "optimizer/iterations": Tensor(shape: [], int64s: [12])],
        epoch: 3, randomState: 0xDEAD_BEEF_1234_5678,
        history: [EpochMetrics(epoch: 1, trainLoss: 0.7, trainAccuracy: 0.5, learningRate: 1e-3, seconds: 1.5)],
        bestEpoch: 1, bestLoss: 0.7, epochsWithoutImprovement: 2)

    func temporaryStore() throws -> CheckpointStore {
        try CheckpointStore(directory: FileManager.default.temporaryDirectory
            .appendingPathComponent("graphcam-ckpt-\(UUID().uuidString)"))
    }

    @Test("CRC-32C has the standard check value")
    func crcCheckValue() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
    }

    @Test("encode then decode gives the same checkpoint")
    func roundTrip() throws {
        #expect(try Checkpoint.decode(sample.encoded(), file: "x") == sample)
    }

    @Test("a flipped byte or a truncated file is refused with an error naming the file")
    func damagedFiles() throws {
        var flipped = sample.encoded()
        flipped[40] ^= 0x10
        let truncated = Array(sample.encoded().dropLast(9))
        for bytes in [flipped, truncated] {
            #expect {
                _ = try Checkpoint.decode(bytes, file: "/runs/last.ckpt")
            } throws: { error in
                "\(error)".contains("/runs/last.ckpt") && "\(error)".contains("checksum")
            }
        }
    }

    @Test("saving keeps the previous checkpoint; a corrupted latest falls back to it")
    func fallsBackToPrevious() throws {
        let store = try temporaryStore()
        defer { try? FileManager.default.removeItem(at: store.directory) }
        var second = sample
        second.epoch = 4
        try store.saveLast(sample)
        try store.saveLast(second)
        #expect(try CheckpointStore.load(store.previousURL).epoch == 3)
        #expect(try store.loadLatest()?.epoch == 4)
        // Truncate the latest, as an interrupted copy would.
        let bytes = try Data(contentsOf: store.lastURL)
        try bytes.prefix(bytes.count / 2).write(to: store.lastURL)
        #expect(throws: TrainingError.self) { try CheckpointStore.load(store.lastURL) }
        var warnings: [String] = []
        #expect(try store.loadLatest(warn: { warnings.append($0) })?.epoch == 3)
        #expect(warnings.count == 1 && warnings[0].contains("last.ckpt"))
        #expect(!FileManager.default.fileExists(atPath: store.lastURL.path + ".tmp"))
    }

    @Test("an empty directory has no checkpoint")
    func empty() throws {
        let store = try temporaryStore()
        defer { try? FileManager.default.removeItem(at: store.directory) }
        #expect(try store.loadLatest() == nil)
    }
}

import Foundation
import GraphIR
import Training

/// A synthetic two-class image task: class 1 images hold a bright Gaussian blob at a
/// random position, class 0 images only noise. Deterministic for a seed.
enum SyntheticBlobs {
    static func source(count: Int, size: Int = 16, seed: UInt64) throws -> InMemoryBatchSource {
        var random = SeededRandom(seed: seed, stream: "blobs")
        var images: [Float] = [], labels: [Int] = []
        for i in 0..<count {
            let label = i % 2
            let cy = Float(2 + Int(random.next() % UInt64(size - 4)))
            let cx = Float(2 + Int(random.next() % UInt64(size - 4)))
            for _ in 0..<3 {
                for y in 0..<size {
                    for x in 0..<size {
                        var v = 0.2 * (random.nextUnitFloat() - 0.5)
                        if label == 1 {
                            let d2 = (Float(y) - cy) * (Float(y) - cy) + (Float(x) - cx) * (Float(x) - cx)
                            v += 2 * expf(-d2 / 4)
                        }
                        images.append(v)
                    }
                }
            }
            labels.append(label)
        }
        return try InMemoryBatchSource(images: images, labels: labels, sampleShape: [3, size, size], classCount: 2)
    }
}

import GraphIR
import Models
import Testing
import Training
@testable import GradCAM

/// End to end: train a small GAP net to tell images with a bright blob ("lesion") from plain
/// noise, then check that Grad-CAM points at the blob.
struct LesionLocalizationTests {
    static let size = 32
    static let radius = 3.0

    /// Dark noisy background; class 1 adds a bright disc of radius 3 at a random place.
    struct Sample {
        var pixels: [Float]  // [3, size, size], in [0, 1]
        var label: Int
        var center: (x: Double, y: Double)
    }

    static func samples(_ count: Int, seed: UInt64) -> [Sample] {
        var rng = SeededRandom(seed: seed, stream: "lesions")
        let s = size
        return (0..<count).map { i in
            let label = i % 2
            let cx = 5 + Double(rng.next() % UInt64(s - 10)), cy = 5 + Double(rng.next() % UInt64(s - 10))
            var plane = (0..<(s * s)).map { _ in 0.1 + 0.15 * rng.nextUnitFloat() }
            if label == 1 {
                for y in 0..<s { for x in 0..<s {
                    let d = ((Double(x) - cx) * (Double(x) - cx) + (Double(y) - cy) * (Double(y) - cy)).squareRoot()
                    if d <= radius { plane[y * s + x] = 0.8 + 0.2 * rng.nextUnitFloat() }
                } }
            }
            return Sample(pixels: plane + plane + plane, label: label, center: (cx, cy))
        }
    }

    static func source(_ samples: [Sample]) throws -> InMemoryBatchSource {
        try InMemoryBatchSource(images: samples.flatMap(\.pixels), labels: samples.map(\.label),
                                sampleShape: [3, size, size], classCount: 2)
    }

    @Test(.timeLimit(.minutes(1)))
    func gradCAMPeakFallsOnTheLesion() throws {
        let model = try TestNets.lesionNet(size: Self.size)
        let trainer = try Trainer(model: model, sampleShape: [3, Self.size, Self.size],
                                  configuration: TrainingConfiguration(epochs: 30, batchSize: 32, seed: 5, progress: .silent))
        let test = Self.samples(64, seed: 2)
        _ = try trainer.fit(training: try Self.source(Self.samples(320, seed: 1)))
        let accuracy = try trainer.evaluate(try Self.source(test)).accuracy
        #expect(accuracy >= 0.9, "test accuracy \(accuracy)")

        let trained = TestNets.withParameters(model, trainer.program.parameters())
        let query = try GradientQuery(model: trained, targets: ["features"], batch: 32)
        var hits = 0, lesions = 0
        for start in stride(from: 0, to: test.count, by: 32) {
            let chunk = Array(test[start..<(start + 32)])
            let result = try query.run(Tensor(shape: [32, 3, Self.size, Self.size], floats: chunk.flatMap(\.pixels)))
            for (i, sample) in chunk.enumerated() where sample.label == 1 && result.predicted[i] == 1 {
                let cam = try GradCAM.map(result.targets[0], image: i)
                // features is [16, 16] after one 2x2 pool: image point p is at (p - 0.5) / 2.
                let circle = Circle(x: (sample.center.x - 0.5) / 2, y: (sample.center.y - 0.5) / 2, radius: Self.radius / 2)
                lesions += 1
                if Localization.pointingGame(cam.values, width: cam.width, height: cam.height, circle: circle, margin: 1) { hits += 1 }
            }
        }
        #expect(lesions >= 25)
        #expect(Double(hits) >= 0.9 * Double(lesions), "peak on the lesion in \(hits) of \(lesions) images")
    }
}

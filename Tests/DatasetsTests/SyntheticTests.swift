import Foundation
import Testing
@testable import Datasets
import Imaging

@Suite struct SyntheticTests {
    static let options = Synthetic.Options(count: 24, size: 96, seed: 3)
    static let generated = try? Synthetic.generate(options)

    @Test func describesItselfAsSynthetic() throws {
        let data = try #require(Self.generated)
        #expect(data.dataset.name == "synthetic")
        #expect(data.dataset.classNames == ["normal", "lesion"])
        #expect(data.dataset.notes.first?.hasPrefix("synthetic") == true)
        #expect(DataSummary.text(for: data.dataset).contains("SYNTHETIC"))
    }

    @Test func deterministicAndSeedDependent() throws {
        let data = try #require(Self.generated)
        let again = try Synthetic.generate(Self.options)
        #expect(again.images == data.images)
        #expect(again.dataset.samples == data.dataset.samples)
        var other = Self.options
        other.seed = 4
        #expect(try Synthetic.generate(other).images != data.images)
        // Image i does not depend on how many images are generated.
        var fewer = Self.options
        fewer.count = 5
        let first = try Synthetic.generate(fewer)
        let sameLabel = zip(first.dataset.samples, data.dataset.samples).prefix(5).allSatisfy { $0.label == $1.label }
        if sameLabel { #expect(first.images == Array(data.images.prefix(5))) }
    }

    @Test func classesBalancedAndTwoImagesPerPatient() throws {
        let data = try #require(Self.generated)
        #expect(data.dataset.classCounts == [12, 12])
        #expect(data.dataset.patients.count == 12)
        #expect(data.dataset.patients.allSatisfy { $0.sampleIndices.count == 2 })
        var odd = Self.options
        odd.count = 7
        #expect(try Synthetic.generate(odd).dataset.classCounts.reduce(0, +) == 7)
        #expect(try abs(Synthetic.generate(odd).dataset.classCounts[0] - 3) <= 1)
    }

    @Test func onlyLesionImagesHaveOneCircle() throws {
        let data = try #require(Self.generated)
        for sample in data.dataset.samples {
            #expect(sample.lesions.count == sample.label)
        }
    }

    /// Every pixel of the lesion circle lies inside the breast mask, and the lesion's core is
    /// brighter than a ring of tissue just outside it (by at least 0.1 x 255 on the 0...255 scale).
    @Test func lesionInsideBreastAndBrighterThanSurroundings() throws {
        let data = try #require(Self.generated)
        let n = Self.options.size
        for (index, sample) in data.dataset.samples.enumerated() {
            guard let circle = sample.lesions.first else { continue }
            let image = data.images[index], mask = data.breastMasks[index]
            var core: [Float] = [], ring: [Float] = []
            for row in 0..<n {
                for col in 0..<n {
                    let d = ((Double(col) - circle.column) * (Double(col) - circle.column)
                             + (Double(row) - circle.row) * (Double(row) - circle.row)).squareRoot()
                    if d <= circle.radius {
                        #expect(mask[row * n + col], "\(sample.id): lesion pixel (\(row), \(col)) outside the breast")
                    }
                    if d <= 0.4 * circle.radius { core.append(image[col, row, 0]) }
                    if d > circle.radius + 1, d <= circle.radius + 5, mask[row * n + col] { ring.append(image[col, row, 0]) }
                }
            }
            let coreMean = core.reduce(0, +) / Float(max(core.count, 1))
            let ringMean = ring.reduce(0, +) / Float(max(ring.count, 1))
            #expect(!core.isEmpty && !ring.isEmpty)
            #expect(coreMean > ringMean + 0.1 * 255, "\(sample.id): core \(coreMean) vs ring \(ringMean)")
        }
    }

    /// The breast is brighter than the background and touches the chest-wall edge:
    /// left for the first image of a patient, right (mirrored) for the second.
    @Test func breastShapeAndSides() throws {
        let data = try #require(Self.generated)
        let n = Self.options.size
        for index in 0..<4 {
            let mask = data.breastMasks[index], image = data.images[index]
            let middle = n / 2
            let chestWall = index % 2 == 0 ? 0 : n - 1
            let far = n - 1 - chestWall
            #expect(mask[middle * n + chestWall])
            #expect(!mask[middle * n + far])
            #expect(!mask[0 * n + far] && !mask[(n - 1) * n + far])
            let inside = zip(image.pixels, mask).filter { $1 }.map { $0.0 }
            let outside = zip(image.pixels, mask).filter { !$1 }.map { $0.0 }
            let insideMean = inside.reduce(0, +) / Float(inside.count)
            let outsideMean = outside.reduce(0, +) / Float(outside.count)
            #expect(insideMean > outsideMean + 0.2 * 255)
            #expect(image.channels == 1 && image.width == n && image.height == n)
            #expect(image.pixels.allSatisfy { (0...255).contains($0) })
        }
    }

    @Test func servesItsOwnPixels() throws {
        let data = try #require(Self.generated)
        let sample = data.dataset.samples[5]
        #expect(try data.image(for: sample, in: data.dataset) == data.images[5])
        var stranger = sample
        stranger.location = .file(path: "x.png")
        #expect(throws: DatasetError.self) { try data.image(for: stranger, in: data.dataset) }
        #expect(throws: DatasetError.self) { try Synthetic.generate(.init(count: 0)) }
    }

    @Test func splitsByPatient() throws {
        let data = try Synthetic.generate(.init(count: 100, size: 32, seed: 1))
        let split = try DataSplit.make(data.dataset, plan: .trainValidationTest(), seed: 1)
        assertNoPatientInTwoSplits(split, data.dataset)
        #expect(maxDeviation(split, data.dataset) <= 1.0 + 1e-9)
    }
}

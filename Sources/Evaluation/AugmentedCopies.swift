import Datasets
import Imaging

/// The reference study's augment-before-split data: every image becomes `copies`
/// samples (copy 0 the original, the others `Augmentation.paper` draws), each its own
/// "patient", so a patient-level split of this dataset is an image-level split of the
/// copies, and copies of one image can land in training and test alike.
public struct AugmentedCopies: ImageSource {
    public let base: Dataset
    public let baseImages: any ImageSource
    public let dataset: Dataset
    let origin: [String: (sample: Int, copy: Int)]
    let seed: UInt64

    public init(base: Dataset, images: any ImageSource, copies: Int, seed: UInt64) throws {
        guard copies >= 1 else { throw EvaluationError("augmented copies must be >= 1, found \(copies)") }
        var samples: [Sample] = []
        var origin: [String: (Int, Int)] = [:]
        for (i, s) in base.samples.enumerated() {
            for c in 0..<copies {
                let id = c == 0 ? s.id : "\(s.id)~aug\(c)"
                // Augmented copies move the lesion, so only the original keeps its circles.
                samples.append(Sample(id: id, location: s.location, label: s.label, patientID: id,
                                      lesions: c == 0 ? s.lesions : []))
                origin[id] = (i, c)
            }
        }
        self.base = base
        baseImages = images
        dataset = Dataset(name: base.name + "-augmented-x\(copies)", classNames: base.classNames, samples: samples,
                          root: base.root, notes: base.notes + ["each image augmented into \(copies) copies before splitting"])
        self.origin = origin
        self.seed = seed
    }

    public func image(for sample: Sample, in dataset: Dataset) throws -> Image {
        guard let (index, copy) = origin[sample.id] else {
            throw EvaluationError("sample '\(sample.id)' is not an augmented copy of dataset '\(base.name)'")
        }
        let original = try baseImages.image(for: base.samples[index], in: base)
        guard copy > 0 else { return original }
        let copySeed = AugmentationRNG.sampleSeed(epochSeed: seed, sampleIndex: index &* 1_000 &+ copy)
        return Augmenter(.paper).apply(original, seed: copySeed)
    }
}

/// An experiment error; the message names the model, file or option at fault.
public struct EvaluationError: Error, CustomStringConvertible, Equatable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

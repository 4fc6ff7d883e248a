import Foundation

/// How the data are split into training, validation and test images.
public enum SplitProtocol: String, Sendable, Codable, CaseIterable {
    /// Patient-level 60/20/20 split of the original images; only the training images are
    /// augmented, randomly, anew each epoch.
    case leakageFree = "leakage-free"
    /// The reference study's order: each image is first augmented into several copies,
    /// then the copies are split at image level, so copies of one image (and images of
    /// one patient) land in training and test alike. For comparison only: its test
    /// scores are optimistic.
    case paperAugmentBeforeSplit = "paper-augment-before-split"
}

/// Everything that defines an experiment; saved as `RUNDIR/config.json` so `--resume`
/// continues exactly the same run.
public struct ExperimentConfiguration: Sendable, Codable, Equatable {
    /// The DATASET argument: synthetic | mias[:PATH] | cdd-cesm:PATH | manifest:FILE | folder.
    public var dataset: String
    /// A `ClassificationTask` raw value; the experiment needs two classes.
    public var task: String
    /// Zoo model names, trained and evaluated in this order.
    public var models: [String]
    /// `TrainableRecipe` text for models whose zoo graph has the study's head
    /// (`resnet50-modified`, the tiny nets); backbones given a new head train the head only.
    public var recipe: String
    public var epochs: Int
    public var batchSize: Int
    public var imageSize: Int
    public var seed: UInt64
    public var splitProtocol: SplitProtocol
    /// Copies per image under `paperAugmentBeforeSplit` (the original counts as one).
    public var augmentedCopies: Int
    public var bootstrapResamples: Int
    /// Gallery examples per outcome (TP, FP, TN, FN) and model.
    public var galleryPerOutcome: Int
    /// Side of the gallery and localization images (longer side, pixels).
    public var displaySize: Int
    /// Model name -> pretrained weights file; empty: seeded random weights.
    public var weights: [String: String]
    /// Synthetic dataset: image count and side.
    public var syntheticCount: Int
    public var syntheticSize: Int

    public init(dataset: String, task: String = "normal-vs-abnormal", models: [String], recipe: String = "paper",
                epochs: Int = 10, batchSize: Int = 16, imageSize: Int = 112, seed: UInt64 = 0,
                splitProtocol: SplitProtocol = .leakageFree, augmentedCopies: Int = 5, bootstrapResamples: Int = 1000,
                galleryPerOutcome: Int = 3, displaySize: Int = 256, weights: [String: String] = [:],
                syntheticCount: Int = 400, syntheticSize: Int = 128) {
        self.dataset = dataset
        self.task = task
        self.models = models
        self.recipe = recipe
        self.epochs = epochs
        self.batchSize = batchSize
        self.imageSize = imageSize
        self.seed = seed
        self.splitProtocol = splitProtocol
        self.augmentedCopies = augmentedCopies
        self.bootstrapResamples = bootstrapResamples
        self.galleryPerOutcome = galleryPerOutcome
        self.displaySize = displaySize
        self.weights = weights
        self.syntheticCount = syntheticCount
        self.syntheticSize = syntheticSize
    }

    /// Whether the weights are seeded random rather than pretrained.
    public var usesRandomWeights: Bool { weights.isEmpty }
}

/// Files of a run directory.
public struct RunDirectory: Sendable {
    public let url: URL
    public init(_ url: URL) { self.url = url }

    public var configuration: URL { url.appendingPathComponent("config.json") }
    public var split: URL { url.appendingPathComponent("split.json") }
    public var metrics: URL { url.appendingPathComponent("metrics.json") }
    public var predictions: URL { url.appendingPathComponent("predictions.csv") }
    public var report: URL { url.appendingPathComponent("report.html") }
    public var gradcam: URL { url.appendingPathComponent("gradcam") }
    public func model(_ name: String) -> URL { url.appendingPathComponent("models").appendingPathComponent(name) }
    public func result(_ name: String) -> URL { model(name).appendingPathComponent("result.json") }
    public func checkpoints(_ name: String) -> URL { model(name).appendingPathComponent("checkpoints") }
}

import Foundation

/// Options of `Trainer.fit`.
///
/// Batching policy (static shapes): training drops the last partial batch of each epoch
/// (the samples it leaves out change with every shuffle, so all are seen); validation
/// evaluates every sample, padding the last batch with zeros and ignoring the padded
/// rows (inference-mode BatchNormalization treats each sample on its own).
public struct TrainingConfiguration: Sendable {
    public var epochs: Int
    public var batchSize: Int
    /// Seeds the shuffling; the same seed, data and initial weights give the same run.
    public var seed: UInt64
    /// Early stopping: stop after this many epochs without a better monitored loss (the
    /// validation loss, or the training loss without validation). nil never stops early.
    public var patience: Int?
    /// Where `last.ckpt`, `last.ckpt.prev` and `best.ckpt` go; nil saves nothing.
    public var checkpointDirectory: URL?
    /// Continue from the newest usable checkpoint in `checkpointDirectory`, if any.
    public var resume: Bool
    /// Where the training curves are written as CSV after each epoch.
    public var curvesCSV: URL?
    /// At the end, load the weights of the best epoch back into the program.
    public var restoreBestWeights: Bool
    public var validationBatchSize: Int
    public var progress: ProgressMode

    public init(epochs: Int, batchSize: Int, seed: UInt64 = 0, patience: Int? = nil, checkpointDirectory: URL? = nil,
                resume: Bool = false, curvesCSV: URL? = nil, restoreBestWeights: Bool = false,
                validationBatchSize: Int? = nil, progress: ProgressMode = .automatic) {
        self.epochs = epochs
        self.batchSize = batchSize
        self.seed = seed
        self.patience = patience
        self.checkpointDirectory = checkpointDirectory
        self.resume = resume
        self.curvesCSV = curvesCSV
        self.restoreBestWeights = restoreBestWeights
        self.validationBatchSize = validationBatchSize ?? batchSize
        self.progress = progress
    }
}

/// What `Trainer.fit` did.
public struct TrainingReport: Sendable {
    public var history: [EpochMetrics]
    /// 1-based epoch with the best monitored loss (0 when no epoch ran).
    public var bestEpoch: Int
    public var stoppedEarly: Bool
    /// The epoch training resumed after (0 for a fresh start).
    public var resumedAfterEpoch: Int
}

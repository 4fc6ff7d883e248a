import Foundation
import GraphIR

/// Everything needed to continue training bit-identically: every state tensor (weights,
/// optimizer moments and counters, BatchNormalization moving statistics), the number of
/// completed epochs, the shuffling generator's state, the curves so far and the
/// early-stopping bookkeeping.
public struct Checkpoint: Equatable {
    public var tensors: [String: Tensor]
    /// Completed epochs.
    public var epoch: Int
    /// `SeededRandom.state` of the shuffling generator after `epoch` epochs.
    public var randomState: UInt64
    public var history: [EpochMetrics]
    /// The epoch whose monitored loss was best so far (0: none yet), and that loss.
    public var bestEpoch: Int
    public var bestLoss: Double
    /// Epochs since the best one (early-stopping patience counter).
    public var epochsWithoutImprovement: Int

    public init(tensors: [String: Tensor], epoch: Int, randomState: UInt64, history: [EpochMetrics] = [],
                bestEpoch: Int = 0, bestLoss: Double = .infinity, epochsWithoutImprovement: Int = 0) {
        self.tensors = tensors
        self.epoch = epoch
        self.randomState = randomState
        self.history = history
        self.bestEpoch = bestEpoch
        self.bestLoss = bestLoss
        self.epochsWithoutImprovement = epochsWithoutImprovement
    }

    static let metaPrefix = "meta/"

    /// The checkpoint as named tensors: the states plus `meta/...` entries.
    var allTensors: [(String, Tensor)] {
        var meta: [String: Tensor] = [
            "meta/epoch": Tensor(shape: [], int64s: [Int64(epoch)]),
            "meta/random_state": Tensor(shape: [], int64s: [Int64(bitPattern: randomState)]),
            "meta/best_epoch": Tensor(shape: [], int64s: [Int64(bestEpoch)]),
            "meta/best_loss": Tensor(shape: [], storage: .float64([bestLoss])),
            "meta/epochs_without_improvement": Tensor(shape: [], int64s: [Int64(epochsWithoutImprovement)]),
            "meta/history": Tensor(shape: [history.count, EpochMetrics.columnCount],
                                   storage: .float64(history.flatMap(\.row))),
        ]
        meta.merge(tensors) { a, _ in a }
        return meta.sorted { $0.key < $1.key }
    }

    init(allTensors: [String: Tensor], file: String) throws {
        func int(_ name: String) throws -> Int64 {
            guard let t = allTensors[name], case .int64(let v) = t.storage, v.count == 1 else {
                throw TrainingError("checkpoint '\(file)': missing or malformed '\(name)'")
            }
            return v[0]
        }
        guard let best = allTensors["meta/best_loss"], case .float64(let bestValue) = best.storage, bestValue.count == 1,
              let history = allTensors["meta/history"], case .float64(let rows) = history.storage,
              history.shape.count == 2, history.shape[1] == EpochMetrics.columnCount else {
            throw TrainingError("checkpoint '\(file)': missing or malformed 'meta/best_loss' or 'meta/history'")
        }
        self.init(tensors: allTensors.filter { !$0.key.hasPrefix(Checkpoint.metaPrefix) },
                  epoch: Int(try int("meta/epoch")), randomState: UInt64(bitPattern: try int("meta/random_state")),
                  history: stride(from: 0, to: rows.count, by: EpochMetrics.columnCount).map {
                      EpochMetrics(row: Array(rows[$0..<($0 + EpochMetrics.columnCount)]))
                  },
                  bestEpoch: Int(try int("meta/best_epoch")), bestLoss: bestValue[0],
                  epochsWithoutImprovement: Int(try int("meta/epochs_without_improvement")))
    }
}

/// One epoch's numbers (a row of the training curves).
public struct EpochMetrics: Equatable, Sendable {
    /// 1-based.
    public var epoch: Int
    public var trainLoss: Double
    public var trainAccuracy: Double
    /// nil without a validation set.
    public var validationLoss: Double?
    public var validationAccuracy: Double?
    /// The learning rate of the epoch's last step.
    public var learningRate: Double
    /// Wall-clock seconds of the epoch (training and validation).
    public var seconds: Double

    public init(epoch: Int, trainLoss: Double, trainAccuracy: Double, validationLoss: Double? = nil,
                validationAccuracy: Double? = nil, learningRate: Double, seconds: Double) {
        self.epoch = epoch
        self.trainLoss = trainLoss
        self.trainAccuracy = trainAccuracy
        self.validationLoss = validationLoss
        self.validationAccuracy = validationAccuracy
        self.learningRate = learningRate
        self.seconds = seconds
    }

    static let columnCount = 7
    public static let csvHeader = "epoch,train_loss,train_accuracy,val_loss,val_accuracy,learning_rate,seconds"

    var row: [Double] {
        [Double(epoch), trainLoss, trainAccuracy, validationLoss ?? .nan, validationAccuracy ?? .nan, learningRate, seconds]
    }

    init(row r: [Double]) {
        self.init(epoch: Int(r[0]), trainLoss: r[1], trainAccuracy: r[2], validationLoss: r[3].isNaN ? nil : r[3],
                  validationAccuracy: r[4].isNaN ? nil : r[4], learningRate: r[5], seconds: r[6])
    }

    /// The CSV line (empty cells for missing validation numbers).
    public var csvLine: String {
        func f(_ v: Double?) -> String { v.map { String(format: "%.6g", $0) } ?? "" }
        return "\(epoch),\(f(trainLoss)),\(f(trainAccuracy)),\(f(validationLoss)),\(f(validationAccuracy)),\(f(learningRate)),\(String(format: "%.3f", seconds))"
    }
}

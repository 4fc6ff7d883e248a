import GraphIR

/// Which parameters of a backbone-plus-head model a fine-tuning run updates, in Keras
/// terms. The head (every Keras layer after the backbone's output layer) is always
/// trainable; weights Keras never trains (BN moving statistics, Normalization
/// statistics) never are.
public enum TrainableRecipe: Sendable, Equatable {
    /// Everything Keras can train.
    case all
    /// Only the head: the backbone is frozen, BatchNormalization included.
    case headOnly
    /// The last `n` Keras layers of the backbone (counting `InputLayer`, as
    /// `model.layers[-n:]` does) and, with `plusBatchNorm`, the gamma and beta of every
    /// BatchNormalization layer.
    case lastLayers(Int, plusBatchNorm: Bool)
}

extension Graph {
    /// A copy whose parameters' `trainable` flags follow `recipe`. `backboneOutput` names
    /// the backbone's last Keras layer (e.g. `conv5_block3_out`); layers after it are
    /// the head. Parameters outside any Keras layer keep their flag.
    public func settingTrainable(_ recipe: TrainableRecipe, backboneOutput: String) throws -> Graph {
        let layers = kerasLayers
        guard let end = layers.firstIndex(where: { $0.name == backboneOutput }) else {
            throw ModelError(layer: backboneOutput, message: "graph '\(name)' has no Keras layer of this name to end the backbone")
        }
        if case .lastLayers(let n, _) = recipe, n < 0 {
            throw ModelError(layer: backboneOutput, message: "cannot unfreeze a negative number of layers (\(n))")
        }
        var g = self
        for (j, layer) in layers.enumerated() {
            let inHead = j > end
            for p in layer.parameters {
                let weight = KerasLayer.weightName(of: self[p].name)
                let trainable: Bool
                if layer.kind.nonTrainableWeights.contains(weight) {
                    trainable = false
                } else if inHead {
                    trainable = true
                } else {
                    switch recipe {
                    case .all:
                        trainable = true
                    case .headOnly:
                        trainable = false
                    case .lastLayers(let n, let plusBatchNorm):
                        trainable = j > end - n
                            || (plusBatchNorm && layer.kind == .batchNormalization && ["gamma", "beta"].contains(weight))
                    }
                }
                g[p].trainable = trainable
            }
        }
        return g
    }

    /// The reference study's recipe: the last `n` backbone layers, every BN gamma/beta,
    /// and the head are trainable.
    public func settingTrainable(lastLayers n: Int, plusBatchNorm: Bool, backboneOutput: String) throws -> Graph {
        try settingTrainable(.lastLayers(n, plusBatchNorm: plusBatchNorm), backboneOutput: backboneOutput)
    }

    /// Only the head is trainable.
    public func settingOnlyHeadTrainable(backboneOutput: String) throws -> Graph {
        try settingTrainable(.headOnly, backboneOutput: backboneOutput)
    }
}

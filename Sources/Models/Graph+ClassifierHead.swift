import GraphIR

extension Graph {
    /// Whether the first output is already class scores `[N, classes]` (rank 2), as for
    /// `resnet50-modified` and the tiny nets.
    public var hasClassifierHead: Bool {
        guard let out = outputs.first else { return false }
        return self[out].type.shape.rank == 2
    }

    /// The backbone with the reference study's head: `GlobalAveragePooling2D` named
    /// `avg_pool`, then `Dense(classes, softmax)` named `predictions` (logits at
    /// `predictions/logits`), as in `ResNet.modifiedResNet50`. The head replaces the
    /// first output, a `[N, C, H, W]` feature map (an `include_top=False` backbone). A
    /// graph that already ends in `[N, classes]` scores is returned unchanged.
    /// `weights` draws the new head's parameters (Glorot-uniform kernel, zero bias).
    public func withClassifierHead(classes: Int, weights: WeightMode) throws -> Graph {
        if hasClassifierHead { return self }
        guard let features = outputs.first else {
            throw ModelError(layer: name, message: "graph has no output to put a classifier head on")
        }
        guard self[features].type.shape.rank == 4 else {
            throw ModelError(layer: self[features].name,
                             message: "a classifier head needs a [N, C, H, W] feature map, found \(self[features].type.shape)")
        }
        var k = KerasBuilder(extending: self, weights: weights)
        let pooled = try k.globalAveragePooling2D(features, name: "avg_pool")
        let scores = try k.dense(pooled, units: classes, activation: .softmax, name: "predictions")
        var g = k.graph
        g.outputs = [scores]
        return g
    }
}

import GraphIR

/// Small networks for the GradCAM tests, built with `GraphBuilder` and seeded weights.
enum TestNets {
    /// image [N,3,S,S] -> conv1 (3x3, 4) -> conv1_bn -> conv1_relu -> conv2 (3x3, 6)
    /// -> conv2_bn -> features (ReLU) -> avg_pool (GAP) -> flatten -> logits (Gemm,
    /// W [6, classes]) -> predictions (Softmax).
    ///
    /// BN statistics are non-trivial (seeded, variance in [0.5, 1.5]) so folding them
    /// into the convolutions really changes the weights.
    static func gapNet(size: Int = 8, classes: Int = 3, seed: UInt64 = 7) throws -> Graph {
        var b = GraphBuilder(name: "gap-net", weights: .seeded(seed))
        let x = b.input("image", TensorType(.float32, [.symbolic("N"), 3, .known(size), .known(size)]))
        let same: Attributes = ["pads": .ints([1, 1, 1, 1]), "kernel_shape": .ints([3, 3])]
        func convBNReLU(_ x: ValueID, _ inChannels: Int, _ filters: Int, _ name: String, _ reluName: String) throws -> ValueID {
            let w = b.parameter("\(name)/kernel", shape: [filters, inChannels, 3, 3], initializer: .heNormal)
            let bias = b.parameter("\(name)/bias", shape: [filters], initializer: .normal(mean: 0, stddev: 0.1))
            let conv = try b.add(.conv, "\(name)_conv", [x, w, bias], same)
            let gamma = b.parameter("\(name)_bn/gamma", shape: [filters], initializer: .uniform(low: 0.5, high: 1.5))
            let beta = b.parameter("\(name)_bn/beta", shape: [filters], initializer: .normal(mean: 0.1, stddev: 0.2))
            let mean = b.parameter("\(name)_bn/moving_mean", shape: [filters], initializer: .normal(mean: 0, stddev: 0.2),
                                   trainable: false)
            let variance = b.parameter("\(name)_bn/moving_variance", shape: [filters], initializer: .uniform(low: 0.5, high: 1.5),
                                       trainable: false)
            let bn = try b.add(.batchNormalization, "\(name)_bn", [conv, gamma, beta, mean, variance], ["epsilon": .float(1e-3)])
            return try b.add(.relu, reluName, [bn])
        }
        var h = try convBNReLU(x, 3, 4, "conv1", "conv1_relu")
        h = try convBNReLU(h, 4, 6, "conv2", "features")
        let pooled = try b.add(.globalAveragePool, "avg_pool", [h])
        let flat = try b.add(.flatten, "flatten", [pooled], ["axis": .int(1)])
        let w = b.parameter("dense/kernel", shape: [6, classes], initializer: .glorotUniform)
        let bias = b.parameter("dense/bias", shape: [classes], initializer: .normal(mean: 0, stddev: 0.1))
        let logits = try b.add(.gemm, "logits", [flat, w, bias])
        b.output(try b.add(.softmax, "predictions", [logits], ["axis": .int(1)]))
        return b.graph
    }

    /// A small GAP classifier without BatchNormalization, for training in tests:
    /// conv1 (3x3, 8) -> ReLU -> 2x2 max pool -> conv2 (3x3, 16) -> `features` (ReLU,
    /// [N, 16, S/2, S/2]) -> GAP -> Flatten -> Gemm -> Softmax.
    static func lesionNet(size: Int, seed: UInt64 = 1) throws -> Graph {
        var b = GraphBuilder(name: "lesion-net", weights: .seeded(seed))
        let x = b.input("image", TensorType(.float32, [.symbolic("N"), 3, .known(size), .known(size)]))
        let same: Attributes = ["pads": .ints([1, 1, 1, 1]), "kernel_shape": .ints([3, 3])]
        let w1 = b.parameter("conv1/kernel", shape: [8, 3, 3, 3], initializer: .heNormal)
        let b1 = b.parameter("conv1/bias", shape: [8], initializer: .zeros)
        var h = try b.add(.relu, "conv1_relu", [try b.add(.conv, "conv1", [x, w1, b1], same)])
        h = try b.add(.maxPool, "pool1", [h], ["kernel_shape": .ints([2, 2]), "strides": .ints([2, 2])])
        let w2 = b.parameter("conv2/kernel", shape: [16, 8, 3, 3], initializer: .heNormal)
        let b2 = b.parameter("conv2/bias", shape: [16], initializer: .zeros)
        h = try b.add(.relu, "features", [try b.add(.conv, "conv2", [h, w2, b2], same)])
        let flat = try b.add(.flatten, "flatten", [try b.add(.globalAveragePool, "avg_pool", [h])], ["axis": .int(1)])
        let w = b.parameter("dense/kernel", shape: [16, 2], initializer: .glorotUniform)
        let bias = b.parameter("dense/bias", shape: [2], initializer: .zeros)
        b.output(try b.add(.softmax, "predictions", [try b.add(.gemm, "logits", [flat, w, bias])], ["axis": .int(1)]))
        return b.graph
    }

    /// `count` seeded images [count, 3, size, size] with values in [-1, 1].
    static func images(count: Int, size: Int = 8, seed: UInt64 = 3) -> Tensor {
        var rng = SeededRandom(seed: seed, stream: "images")
        return Tensor(shape: [count, 3, size, size], floats: (0..<(count * 3 * size * size)).map { _ in rng.nextUnitFloat() * 2 - 1 })
    }

    /// The graph with parameter data replaced by name (e.g. weights after training).
    static func withParameters(_ graph: Graph, _ values: [String: Tensor]) -> Graph {
        var g = graph
        for i in g.values.indices where g.values[i].role == .parameter {
            if let t = values[g.values[i].name] { g.values[i].data = t }
        }
        return g
    }
}

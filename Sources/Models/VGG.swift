import GraphIR

/// Keras `keras.applications.vgg16` / `vgg19` with `include_top=False`: five blocks of
/// 3x3 "same" ReLU convolutions, each closed by a 2x2 max pool; output `block5_pool`.
public enum VGG {
    /// VGG16: 2, 2, 3, 3, 3 convolutions per block (14,714,688 parameters).
    public static func vgg16(inputSize: Int = 112, batch: Dim = .symbolic("N"),
                             weights: WeightMode = .none) throws -> Graph {
        try build(name: "vgg16", convsPerBlock: [2, 2, 3, 3, 3], inputSize: inputSize, batch: batch, weights: weights)
    }

    /// VGG19: 2, 2, 4, 4, 4 convolutions per block (20,024,384 parameters).
    public static func vgg19(inputSize: Int = 112, batch: Dim = .symbolic("N"),
                             weights: WeightMode = .none) throws -> Graph {
        try build(name: "vgg19", convsPerBlock: [2, 2, 4, 4, 4], inputSize: inputSize, batch: batch, weights: weights)
    }

    static let filtersPerBlock = [64, 128, 256, 512, 512]

    static func build(name: String, convsPerBlock: [Int], inputSize: Int, batch: Dim,
                      weights: WeightMode) throws -> Graph {
        var k = KerasBuilder(name: name, weights: weights)
        var x = try k.input(size: inputSize, batch: batch)
        for (b, (filters, convs)) in zip(filtersPerBlock, convsPerBlock).enumerated() {
            for c in 0..<convs {
                x = try k.conv2D(x, filters: filters, kernel: 3, padding: .same, activation: .relu,
                                 name: "block\(b + 1)_conv\(c + 1)")
            }
            x = try k.maxPooling2D(x, poolSize: 2, strides: 2, name: "block\(b + 1)_pool")
        }
        k.output(x)
        return k.graph
    }
}

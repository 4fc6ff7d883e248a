import GraphIR

/// Keras `keras.applications.resnet` ResNet50 (v1, bias in every convolution, BN
/// epsilon 1.001e-5), channels-first.
public enum ResNet {
    /// Keras ResNet's BatchNormalization epsilon.
    static let epsilon: Float = 1.001e-5

    /// ResNet50 with `include_top=False`: output `conv5_block3_out`
    /// (`[N, 2048, ceil(S/32), ceil(S/32)]`). 175 Keras layers including `input_1`.
    public static func resnet50(inputSize: Int = 112, batch: Dim = .symbolic("N"),
                                weights: WeightMode = .none) throws -> Graph {
        var k = KerasBuilder(name: "resnet50", weights: weights)
        let x = try k.input(size: inputSize, batch: batch)
        k.output(try backbone50(&k, x))
        return k.graph
    }

    /// The ResNet50 stem and four stacks, returning `conv5_block3_out`.
    static func backbone50(_ k: inout KerasBuilder, _ input: ValueID) throws -> ValueID {
        var x = try k.zeroPadding2D(input, padding: 3, name: "conv1_pad")
        x = try k.conv2D(x, filters: 64, kernel: 7, strides: 2, name: "conv1_conv")
        x = try k.batchNormalization(x, epsilon: epsilon, name: "conv1_bn")
        x = try k.activation(x, .relu, name: "conv1_relu")
        x = try k.zeroPadding2D(x, padding: 1, name: "pool1_pad")
        x = try k.maxPooling2D(x, poolSize: 3, strides: 2, name: "pool1_pool")
        x = try stack(&k, x, filters: 64, blocks: 3, stride: 1, name: "conv2")
        x = try stack(&k, x, filters: 128, blocks: 4, stride: 2, name: "conv3")
        x = try stack(&k, x, filters: 256, blocks: 6, stride: 2, name: "conv4")
        return try stack(&k, x, filters: 512, blocks: 3, stride: 2, name: "conv5")
    }

    /// Keras `stack1`: one projection block then identity blocks.
    static func stack(_ k: inout KerasBuilder, _ input: ValueID, filters: Int, blocks: Int,
                      stride: Int, name: String) throws -> ValueID {
        guard blocks >= 1 else { throw ModelError(layer: name, message: "a stack needs at least one block, found \(blocks)") }
        var x = try block(&k, input, filters: filters, stride: stride, convShortcut: true, name: "\(name)_block1")
        for i in 1..<blocks {
            x = try block(&k, x, filters: filters, stride: 1, convShortcut: false, name: "\(name)_block\(i + 1)")
        }
        return x
    }

    /// Keras `block1` (bottleneck). Layers are declared in Keras's `model.layers` order,
    /// which sorts by depth: the shortcut `_0_conv` comes after `_2_relu`, and `_0_bn`
    /// between `_3_conv` and `_3_bn`.
    static func block(_ k: inout KerasBuilder, _ input: ValueID, filters: Int, kernel: Int = 3,
                      stride: Int, convShortcut: Bool, name: String) throws -> ValueID {
        var x = try k.conv2D(input, filters: filters, kernel: 1, strides: stride, name: "\(name)_1_conv")
        x = try k.batchNormalization(x, epsilon: epsilon, name: "\(name)_1_bn")
        x = try k.activation(x, .relu, name: "\(name)_1_relu")
        x = try k.conv2D(x, filters: filters, kernel: kernel, padding: .same, name: "\(name)_2_conv")
        x = try k.batchNormalization(x, epsilon: epsilon, name: "\(name)_2_bn")
        x = try k.activation(x, .relu, name: "\(name)_2_relu")
        var shortcut = input
        if convShortcut {
            shortcut = try k.conv2D(input, filters: 4 * filters, kernel: 1, strides: stride, name: "\(name)_0_conv")
        }
        x = try k.conv2D(x, filters: 4 * filters, kernel: 1, name: "\(name)_3_conv")
        if convShortcut {
            shortcut = try k.batchNormalization(shortcut, epsilon: epsilon, name: "\(name)_0_bn")
        }
        x = try k.batchNormalization(x, epsilon: epsilon, name: "\(name)_3_bn")
        x = try k.add(shortcut, x, name: "\(name)_add")
        return try k.activation(x, .relu, name: "\(name)_out")
    }

    /// The reference study's "modified ResNet50": ResNet50 (`include_top=False`), then
    /// `GlobalAveragePooling2D(name="avg_pool")` and `Dense(classes, softmax,
    /// name="predictions")`. The graph output is the softmax `predictions` `[N, classes]`;
    /// the pre-softmax logits stay addressable as `predictions/logits`.
    public static func modifiedResNet50(inputSize: Int = 112, batch: Dim = .symbolic("N"),
                                        weights: WeightMode = .none, classes: Int = 2) throws -> Graph {
        var k = KerasBuilder(name: "resnet50-modified", weights: weights)
        let x = try k.input(size: inputSize, batch: batch)
        let features = try backbone50(&k, x)
        let pooled = try k.globalAveragePooling2D(features, name: "avg_pool")
        k.output(try k.dense(pooled, units: classes, activation: .softmax, name: "predictions"))
        return k.graph
    }
}

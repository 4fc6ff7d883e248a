import GraphIR

/// Small networks with the same naming and head as the modified ResNet50, for fast
/// tests of the compiler, runtime, training and Grad-CAM.
public enum TinyNets {
    /// `tiny-cnn`: two conv/BN/ReLU stages with a max pool between them, then
    /// `avg_pool` (GAP) and `predictions` (Dense(classes, softmax), logits at
    /// `predictions/logits`). The last feature map is `conv2_relu` `[N, 16, S/2, S/2]`.
    public static func tinyCNN(inputSize: Int = 32, batch: Dim = .symbolic("N"),
                               weights: WeightMode = .none, classes: Int = 2) throws -> Graph {
        var k = KerasBuilder(name: "tiny-cnn", weights: weights)
        var x = try k.input(size: inputSize, batch: batch)
        x = try k.conv2D(x, filters: 8, kernel: 3, padding: .same, name: "conv1_conv")
        x = try k.batchNormalization(x, name: "conv1_bn")
        x = try k.activation(x, .relu, name: "conv1_relu")
        x = try k.maxPooling2D(x, poolSize: 2, name: "pool1_pool")
        x = try k.conv2D(x, filters: 16, kernel: 3, padding: .same, name: "conv2_conv")
        x = try k.batchNormalization(x, name: "conv2_bn")
        x = try k.activation(x, .relu, name: "conv2_relu")
        x = try k.globalAveragePooling2D(x, name: "avg_pool")
        k.output(try k.dense(x, units: classes, activation: .softmax, name: "predictions"))
        return k.graph
    }

    /// `tiny-resnet`: a ResNet stem (3x3 conv, BN, ReLU, 2x2 max pool) and one Keras
    /// ResNet projection block `conv2_block1_*` (4 -> 16 channels), then the same head
    /// as `tiny-cnn`. The last feature map is `conv2_block1_out` `[N, 16, S/2, S/2]`.
    public static func tinyResNet(inputSize: Int = 32, batch: Dim = .symbolic("N"),
                                  weights: WeightMode = .none, classes: Int = 2) throws -> Graph {
        var k = KerasBuilder(name: "tiny-resnet", weights: weights)
        var x = try k.input(size: inputSize, batch: batch)
        x = try k.conv2D(x, filters: 8, kernel: 3, padding: .same, name: "conv1_conv")
        x = try k.batchNormalization(x, epsilon: ResNet.epsilon, name: "conv1_bn")
        x = try k.activation(x, .relu, name: "conv1_relu")
        x = try k.maxPooling2D(x, poolSize: 2, name: "pool1_pool")
        x = try ResNet.block(&k, x, filters: 4, stride: 1, convShortcut: true, name: "conv2_block1")
        x = try k.globalAveragePooling2D(x, name: "avg_pool")
        k.output(try k.dense(x, units: classes, activation: .softmax, name: "predictions"))
        return k.graph
    }
}

import GraphIR

/// Keras `keras.applications.mobilenet_v2` MobileNetV2, alpha 1.0, `include_top=False`:
/// output `out_relu` (`[N, 1280, S/32, S/32]`). BN epsilon 1e-3, momentum 0.999;
/// activations are `ReLU(6.)` (ONNX Clip 0...6).
public enum MobileNetV2 {
    /// One inverted-residual block of the Keras table: (output filters, stride, expansion).
    static let blocks: [(filters: Int, stride: Int, expansion: Int)] = [
        (16, 1, 1),
        (24, 2, 6), (24, 1, 6),
        (32, 2, 6), (32, 1, 6), (32, 1, 6),
        (64, 2, 6), (64, 1, 6), (64, 1, 6), (64, 1, 6),
        (96, 1, 6), (96, 1, 6), (96, 1, 6),
        (160, 2, 6), (160, 1, 6), (160, 1, 6),
        (320, 1, 6),
    ]
    static let epsilon: Float = 1e-3
    static let momentum: Float = 0.999

    /// MobileNetV2 (2,257,984 parameters without the top).
    public static func mobileNetV2(inputSize: Int = 112, batch: Dim = .symbolic("N"),
                                   weights: WeightMode = .none) throws -> Graph {
        var k = KerasBuilder(name: "mobilenetv2", weights: weights)
        var x = try k.input(size: inputSize, batch: batch)
        x = try k.conv2D(x, filters: makeDivisible(32), kernel: 3, strides: 2, padding: .same,
                         useBias: false, name: "Conv1")
        x = try k.batchNormalization(x, epsilon: epsilon, momentum: momentum, name: "bn_Conv1")
        x = try k.activation(x, .relu6, name: "Conv1_relu")
        for (id, b) in blocks.enumerated() {
            x = try invertedResidual(&k, x, filters: b.filters, stride: b.stride, expansion: b.expansion, blockID: id)
        }
        x = try k.conv2D(x, filters: 1280, kernel: 1, useBias: false, name: "Conv_1")
        x = try k.batchNormalization(x, epsilon: epsilon, momentum: momentum, name: "Conv_1_bn")
        k.output(try k.activation(x, .relu6, name: "out_relu"))
        return k.graph
    }

    /// Keras `_make_divisible`: round to the nearest multiple of 8, never going down by
    /// more than 10%.
    static func makeDivisible(_ v: Double, divisor: Int = 8) -> Int {
        let d = Double(divisor)
        var rounded = max(divisor, Int(v + d / 2) / divisor * divisor)
        if Double(rounded) < 0.9 * v { rounded += divisor }
        return rounded
    }

    /// Keras `_inverted_res_block`. Block 0 has no expansion and the prefix
    /// `expanded_conv_`; stride-2 blocks zero-pad (`block_N_pad`, `correct_pad`) then run a
    /// "valid" depthwise convolution.
    static func invertedResidual(_ k: inout KerasBuilder, _ input: ValueID, filters: Int, stride: Int,
                                 expansion: Int, blockID: Int) throws -> ValueID {
        let prefix = blockID == 0 ? "expanded_conv_" : "block_\(blockID)_"
        let inChannels = try k.channels(of: input, layer: prefix + "expand")
        let pointwise = makeDivisible(Double(filters))
        var x = input
        if blockID != 0 {
            x = try k.conv2D(x, filters: expansion * inChannels, kernel: 1, padding: .same, useBias: false,
                             name: prefix + "expand")
            x = try k.batchNormalization(x, epsilon: epsilon, momentum: momentum, name: prefix + "expand_BN")
            x = try k.activation(x, .relu6, name: prefix + "expand_relu")
        }
        if stride == 2 {
            let size = try k.spatialSizes(of: x, layer: prefix + "pad")
            x = try k.zeroPadding2D(x, padding: correctPad(inputSize: size, kernel: 3), name: prefix + "pad")
        }
        x = try k.depthwiseConv2D(x, kernel: 3, strides: stride, padding: stride == 1 ? .same : .valid,
                                  useBias: false, name: prefix + "depthwise")
        x = try k.batchNormalization(x, epsilon: epsilon, momentum: momentum, name: prefix + "depthwise_BN")
        x = try k.activation(x, .relu6, name: prefix + "depthwise_relu")
        x = try k.conv2D(x, filters: pointwise, kernel: 1, padding: .same, useBias: false, name: prefix + "project")
        x = try k.batchNormalization(x, epsilon: epsilon, momentum: momentum, name: prefix + "project_BN")
        if inChannels == pointwise && stride == 1 {
            return try k.add(input, x, name: prefix + "add")
        }
        return x
    }
}

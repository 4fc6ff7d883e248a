import Foundation
import GraphIR

/// Keras `keras.applications.efficientnet` (B0...B7), `include_top=False`, built as with
/// `weights=None`: input `rescaling` (1/255) and `normalization` layers, then the stem,
/// the MBConv blocks and `top_conv`/`top_bn`/`top_activation` (the output).
///
/// With ImageNet weights Keras inserts a further `Rescaling` (by 1/sqrt(stddev)) after
/// `normalization`; it has no weights and is not declared here.
public enum EfficientNet {
    /// Keras's `CONV_KERNEL_INITIALIZER`: VarianceScaling(2.0, fan_out, truncated_normal).
    public static let convKernelInitializer = Initializer.varianceScaling(scale: 2, mode: .fanOut, distribution: .truncatedNormal)
    /// Keras's `DENSE_KERNEL_INITIALIZER`: VarianceScaling(1/3, fan_out, uniform) (used
    /// only by the classifier head, which `include_top=False` omits).
    public static let denseKernelInitializer = Initializer.varianceScaling(scale: 1.0 / 3.0, mode: .fanOut, distribution: .uniform)

    /// One row of Keras's `DEFAULT_BLOCKS_ARGS`.
    struct BlockArgs {
        var kernel: Int, repeats: Int, filtersIn: Int, filtersOut: Int, expandRatio: Int, strides: Int
        var seRatio = 0.25
    }

    static let defaultBlocks: [BlockArgs] = [
        BlockArgs(kernel: 3, repeats: 1, filtersIn: 32, filtersOut: 16, expandRatio: 1, strides: 1),
        BlockArgs(kernel: 3, repeats: 2, filtersIn: 16, filtersOut: 24, expandRatio: 6, strides: 2),
        BlockArgs(kernel: 5, repeats: 2, filtersIn: 24, filtersOut: 40, expandRatio: 6, strides: 2),
        BlockArgs(kernel: 3, repeats: 3, filtersIn: 40, filtersOut: 80, expandRatio: 6, strides: 2),
        BlockArgs(kernel: 5, repeats: 3, filtersIn: 80, filtersOut: 112, expandRatio: 6, strides: 1),
        BlockArgs(kernel: 5, repeats: 4, filtersIn: 112, filtersOut: 192, expandRatio: 6, strides: 2),
        BlockArgs(kernel: 3, repeats: 1, filtersIn: 192, filtersOut: 320, expandRatio: 6, strides: 1),
    ]

    /// EfficientNetB0 (width 1.0, depth 1.0; 4,049,571 parameters without the top).
    public static func efficientNetB0(inputSize: Int = 112, batch: Dim = .symbolic("N"),
                                      weights: WeightMode = .none) throws -> Graph {
        try build(name: "efficientnetb0", width: 1.0, depth: 1.0, inputSize: inputSize, batch: batch, weights: weights)
    }

    /// EfficientNetB7 (width 2.0, depth 3.1; 64,097,687 parameters without the top).
    public static func efficientNetB7(inputSize: Int = 112, batch: Dim = .symbolic("N"),
                                      weights: WeightMode = .none) throws -> Graph {
        try build(name: "efficientnetb7", width: 2.0, depth: 3.1, inputSize: inputSize, batch: batch, weights: weights)
    }

    /// Keras `round_filters`: scale by the width coefficient, round to a multiple of 8,
    /// never going down by more than 10%.
    static func roundFilters(_ filters: Int, width: Double, divisor: Int = 8) -> Int {
        let scaled = Double(filters) * width
        var rounded = max(divisor, Int(scaled + Double(divisor) / 2) / divisor * divisor)
        if Double(rounded) < 0.9 * scaled { rounded += divisor }
        return rounded
    }

    /// Keras `round_repeats`: ceil(depth * repeats).
    static func roundRepeats(_ repeats: Int, depth: Double) -> Int {
        Int((depth * Double(repeats)).rounded(.up))
    }

    static func build(name: String, width: Double, depth: Double, dropConnectRate: Double = 0.2,
                      inputSize: Int, batch: Dim, weights: WeightMode) throws -> Graph {
        var k = KerasBuilder(name: name, weights: weights)
        var x = try k.input(size: inputSize, batch: batch)
        x = try k.rescaling(x, scale: 1.0 / 255.0, name: "rescaling")
        x = try k.normalization(x, name: "normalization")
        x = try k.zeroPadding2D(x, padding: correctPad(inputSize: try k.spatialSizes(of: x, layer: "stem_conv_pad"), kernel: 3),
                                name: "stem_conv_pad")
        x = try k.conv2D(x, filters: roundFilters(32, width: width), kernel: 3, strides: 2, useBias: false,
                         kernelInitializer: convKernelInitializer, name: "stem_conv")
        x = try k.batchNormalization(x, name: "stem_bn")
        x = try k.activation(x, .swish, name: "stem_activation")

        let total = Double(defaultBlocks.map { roundRepeats($0.repeats, depth: depth) }.reduce(0, +))
        var index = 0
        for (i, row) in defaultBlocks.enumerated() {
            var args = row
            args.filtersIn = roundFilters(row.filtersIn, width: width)
            args.filtersOut = roundFilters(row.filtersOut, width: width)
            for j in 0..<roundRepeats(row.repeats, depth: depth) {
                if j > 0 {
                    args.strides = 1
                    args.filtersIn = args.filtersOut
                }
                let letter = String(UnicodeScalar(UInt8(97 + j % 26)))
                x = try block(&k, x, args, dropRate: dropConnectRate * Double(index) / total,
                              name: "block\(i + 1)\(letter)_")
                index += 1
            }
        }

        x = try k.conv2D(x, filters: roundFilters(1280, width: width), kernel: 1, padding: .same, useBias: false,
                         kernelInitializer: convKernelInitializer, name: "top_conv")
        x = try k.batchNormalization(x, name: "top_bn")
        k.output(try k.activation(x, .swish, name: "top_activation"))
        return k.graph
    }

    /// Keras `block`: expansion, depthwise convolution, squeeze-and-excitation, projection,
    /// and (same shape, stride 1) dropout + residual add.
    static func block(_ k: inout KerasBuilder, _ input: ValueID, _ a: BlockArgs, dropRate: Double,
                      name p: String) throws -> ValueID {
        let filters = a.filtersIn * a.expandRatio
        var x = input
        if a.expandRatio != 1 {
            x = try k.conv2D(x, filters: filters, kernel: 1, padding: .same, useBias: false,
                             kernelInitializer: convKernelInitializer, name: p + "expand_conv")
            x = try k.batchNormalization(x, name: p + "expand_bn")
            x = try k.activation(x, .swish, name: p + "expand_activation")
        }
        if a.strides == 2 {
            let size = try k.spatialSizes(of: x, layer: p + "dwconv_pad")
            x = try k.zeroPadding2D(x, padding: correctPad(inputSize: size, kernel: a.kernel), name: p + "dwconv_pad")
        }
        x = try k.depthwiseConv2D(x, kernel: a.kernel, strides: a.strides, padding: a.strides == 2 ? .valid : .same,
                                  useBias: false, depthwiseInitializer: convKernelInitializer, name: p + "dwconv")
        x = try k.batchNormalization(x, name: p + "bn")
        x = try k.activation(x, .swish, name: p + "activation")

        if a.seRatio > 0 && a.seRatio <= 1 {
            let filtersSE = max(1, Int(Double(a.filtersIn) * a.seRatio))
            var se = try k.globalAveragePooling2D(x, name: p + "se_squeeze")
            se = try k.reshape(se, to: [filters, 1, 1], name: p + "se_reshape")
            se = try k.conv2D(se, filters: filtersSE, kernel: 1, padding: .same, activation: .swish,
                              kernelInitializer: convKernelInitializer, name: p + "se_reduce")
            se = try k.conv2D(se, filters: filters, kernel: 1, padding: .same, activation: .sigmoid,
                              kernelInitializer: convKernelInitializer, name: p + "se_expand")
            x = try k.multiply(x, se, name: p + "se_excite")
        }

        x = try k.conv2D(x, filters: a.filtersOut, kernel: 1, padding: .same, useBias: false,
                         kernelInitializer: convKernelInitializer, name: p + "project_conv")
        x = try k.batchNormalization(x, name: p + "project_bn")
        if a.strides == 1 && a.filtersIn == a.filtersOut {
            if dropRate > 0 { x = try k.dropout(x, rate: Float(dropRate), name: p + "drop") }
            x = try k.add(x, input, name: p + "add")
        }
        return x
    }
}

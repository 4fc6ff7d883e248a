import GraphIR

/// How pixels in 0...255 (RGB) are turned into a model's input, after Keras's
/// `preprocess_input` of each application.
public enum InputNormalization: String, Sendable {
    /// "caffe" (ResNet50, VGG): RGB -> BGR, then subtract the ImageNet mean
    /// [103.939, 116.779, 123.68] per BGR channel; no scaling.
    case caffe
    /// "tf" (MobileNetV2): x / 127.5 - 1, into [-1, 1].
    case tf
    /// Raw 0...255 floats: the model normalizes itself (EfficientNet's `rescaling` and
    /// `normalization` layers).
    case raw
}

/// Builds one zoo network: input size, batch dimension, weight mode.
public typealias ZooBuilder = @Sendable (_ inputSize: Int, _ batch: Dim, _ weights: WeightMode) throws -> Graph

/// One network of the zoo.
public struct ZooEntry: Sendable {
    public var name: String
    public var description: String
    /// Default input side: the reference study's 112x112 for every network (a small
    /// size for the test nets). Any size the architecture accepts can be requested.
    public var defaultInputSize: Int
    public var inputNormalization: InputNormalization
    /// The backbone's last feature-map layer: the usual Grad-CAM target, and where
    /// `TrainableRecipe` splits backbone from head.
    public var featureLayer: String
    public var build: ZooBuilder

    /// Builds the network at `inputSize` (default: `defaultInputSize`).
    public func graph(inputSize: Int? = nil, batch: Dim = .symbolic("N"), weights: WeightMode = .none) throws -> Graph {
        try build(inputSize ?? defaultInputSize, batch, weights)
    }
}

/// The model zoo: every network by name.
public enum Zoo {
    public static let entries: [ZooEntry] = [
        ZooEntry(name: "resnet50", description: "Keras ResNet50, include_top=False (output conv5_block3_out)",
                 defaultInputSize: 112, inputNormalization: .caffe, featureLayer: "conv5_block3_out",
                 build: { try ResNet.resnet50(inputSize: $0, batch: $1, weights: $2) }),
        ZooEntry(name: "resnet50-modified",
                 description: "ResNet50 + avg_pool + Dense(2, softmax) 'predictions' (the reference study's model)",
                 defaultInputSize: 112, inputNormalization: .caffe, featureLayer: "conv5_block3_out",
                 build: { try ResNet.modifiedResNet50(inputSize: $0, batch: $1, weights: $2) }),
        ZooEntry(name: "vgg16", description: "Keras VGG16, include_top=False (output block5_pool)",
                 defaultInputSize: 112, inputNormalization: .caffe, featureLayer: "block5_pool",
                 build: { try VGG.vgg16(inputSize: $0, batch: $1, weights: $2) }),
        ZooEntry(name: "vgg19", description: "Keras VGG19, include_top=False (output block5_pool)",
                 defaultInputSize: 112, inputNormalization: .caffe, featureLayer: "block5_pool",
                 build: { try VGG.vgg19(inputSize: $0, batch: $1, weights: $2) }),
        ZooEntry(name: "mobilenetv2", description: "Keras MobileNetV2 alpha 1.0, include_top=False (output out_relu)",
                 defaultInputSize: 112, inputNormalization: .tf, featureLayer: "out_relu",
                 build: { try MobileNetV2.mobileNetV2(inputSize: $0, batch: $1, weights: $2) }),
        ZooEntry(name: "efficientnetb0", description: "Keras EfficientNetB0, include_top=False (output top_activation)",
                 defaultInputSize: 112, inputNormalization: .raw, featureLayer: "top_activation",
                 build: { try EfficientNet.efficientNetB0(inputSize: $0, batch: $1, weights: $2) }),
        ZooEntry(name: "efficientnetb7", description: "Keras EfficientNetB7, include_top=False (output top_activation)",
                 defaultInputSize: 112, inputNormalization: .raw, featureLayer: "top_activation",
                 build: { try EfficientNet.efficientNetB7(inputSize: $0, batch: $1, weights: $2) }),
        ZooEntry(name: "tiny-cnn", description: "Test net: 2 x (conv, BN, ReLU), max pool, avg_pool, Dense(2, softmax)",
                 defaultInputSize: 32, inputNormalization: .tf, featureLayer: "conv2_relu",
                 build: { try TinyNets.tinyCNN(inputSize: $0, batch: $1, weights: $2) }),
        ZooEntry(name: "tiny-resnet", description: "Test net: ResNet stem, one bottleneck block, avg_pool, Dense(2, softmax)",
                 defaultInputSize: 32, inputNormalization: .tf, featureLayer: "conv2_block1_out",
                 build: { try TinyNets.tinyResNet(inputSize: $0, batch: $1, weights: $2) }),
    ]

    /// The names of all networks, in registry order.
    public static var names: [String] { entries.map(\.name) }

    /// The entry with this name; the error lists the known names.
    public static func entry(named name: String) throws -> ZooEntry {
        guard let e = entries.first(where: { $0.name == name }) else {
            throw ModelError(layer: name, message: "no zoo model of this name; known: \(names.joined(separator: ", "))")
        }
        return e
    }

    /// Builds a network by name.
    public static func build(_ name: String, inputSize: Int? = nil, batch: Dim = .symbolic("N"),
                             weights: WeightMode = .none) throws -> Graph {
        try entry(named: name).graph(inputSize: inputSize, batch: batch, weights: weights)
    }
}

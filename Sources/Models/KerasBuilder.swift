import GraphIR

/// An error while declaring a zoo network, naming the Keras layer at fault.
public struct ModelError: Error, CustomStringConvertible, Equatable {
    public var layer: String
    public var message: String
    public init(layer: String, message: String) {
        self.layer = layer
        self.message = message
    }
    public var description: String { "\(layer): \(message)" }
}

/// Keras's `padding` argument of convolution and pooling layers.
public enum KerasPadding: String, Sendable {
    /// TensorFlow "same": output = ceil(input / stride); an odd total puts the extra
    /// pixel at the end (bottom/right).
    case same
    /// No padding.
    case valid
}

/// The activations the zoo uses, as Keras spells them.
public enum KerasActivation: String, Sendable {
    /// No activation (Keras `None` / "linear").
    case linear
    case relu
    /// `ReLU(6.)`, i.e. min(max(x, 0), 6); mapped to ONNX Clip with constant bounds.
    case relu6
    /// x * sigmoid(x) (EfficientNet); mapped to `OpKind.swish`.
    case swish
    case sigmoid
    /// Softmax over the last axis.
    case softmax
}

/// A thin Keras-like layer vocabulary over `GraphBuilder`, so that a network reads like
/// its Keras source while producing an NCHW graph with ONNX semantics.
///
/// Naming contract (what `kerasLayers(of:)` and the trainability helpers rely on):
/// - a layer built from one IR node names the node, and so its output value, with the
///   Keras layer name;
/// - a layer built from several nodes names its last node with the layer name and the
///   inner ones `<layer>/<suffix>` (e.g. `block1_conv1/conv` then `block1_conv1`);
/// - parameters and constants are named `<layer>/<weight>` (`conv1_conv/kernel`,
///   `conv1_bn/moving_mean`, `block_1_pad/pads`).
///
/// Weight layouts: convolution kernels are `[out, in/group, kh, kw]`; dense kernels are
/// `[in, out]` and feed Gemm with `transB = 0`.
public struct KerasBuilder {
    public var builder: GraphBuilder

    public init(name: String, weights: WeightMode = .none) {
        builder = GraphBuilder(name: name, weights: weights)
    }

    /// Continues building on an existing graph (see `Graph.withClassifierHead`).
    public init(extending graph: Graph, weights: WeightMode = .none) {
        builder = GraphBuilder(extending: graph, weights: weights)
    }

    /// The graph built so far.
    public var graph: Graph { builder.graph }

    /// The shape of a value built so far.
    public func shape(of v: ValueID) -> Shape { builder.type(of: v).shape }

    /// Declares the image input `[batch, channels, size, size]` (f32), Keras's `InputLayer`.
    public mutating func input(_ name: String = "input_1", channels: Int = 3, size: Int, batch: Dim) throws -> ValueID {
        guard size > 0, channels > 0 else {
            throw ModelError(layer: name, message: "input size \(size) and channels \(channels) must be positive")
        }
        return builder.input(name, TensorType(.float32, [batch, .known(channels), .known(size), .known(size)]))
    }

    /// Marks a value as a graph output.
    public mutating func output(_ v: ValueID) { builder.output(v) }

    // MARK: - Helpers shared by the layer families

    /// Appends one node, turning shape errors into errors that name the layer.
    mutating func node(_ op: OpKind, _ name: String, _ inputs: [ValueID?],
                       _ attributes: Attributes = [:]) throws -> ValueID {
        do { return try builder.add(op, name, inputs, attributes) } catch let e as BuildError {
            throw ModelError(layer: e.node, message: e.message)
        }
    }

    /// The static channel count (axis 1) of a value.
    func channels(of x: ValueID, layer: String) throws -> Int {
        let s = shape(of: x)
        guard s.rank >= 2, let c = s[1].value else {
            throw ModelError(layer: layer, message: "input shape \(s) has no static channel axis")
        }
        return c
    }

    /// The static spatial sizes (axes 2...) of an NCHW value.
    func spatialSizes(of x: ValueID, layer: String) throws -> [Int] {
        let s = shape(of: x)
        guard s.rank == 4, let dims = Shape(Array(s.dims[2...])).staticDims else {
            throw ModelError(layer: layer, message: "expected an NCHW input with static spatial size, found \(s)")
        }
        return dims
    }

    /// ONNX `pads` (begins then ends) for a Keras padding mode over the given input.
    func onnxPads(_ padding: KerasPadding, input x: ValueID, kernel: Int, stride: Int,
                  layer: String) throws -> [Int] {
        guard padding == .same else { return [0, 0, 0, 0] }
        let sizes = try spatialSizes(of: x, layer: layer)
        let perAxis = sizes.map { samePadding(inputSize: $0, kernel: kernel, stride: stride) }
        return perAxis.map(\.begin) + perAxis.map(\.end)
    }

    /// Applies an activation as its own node named `name`; `.linear` returns `x`.
    mutating func applyActivation(_ act: KerasActivation, _ x: ValueID, name: String) throws -> ValueID {
        switch act {
        case .linear:
            return x
        case .relu:
            return try node(.relu, name, [x])
        case .relu6:
            let lo = builder.constant("\(name)/min", .scalar(0))
            let hi = builder.constant("\(name)/max", .scalar(6))
            return try node(.clip, name, [x, lo, hi])
        case .swish:
            return try node(.swish, name, [x])
        case .sigmoid:
            return try node(.sigmoid, name, [x])
        case .softmax:
            return try node(.softmax, name, [x], ["axis": .int(-1)])
        }
    }
}

/// Keras/TensorFlow "same" padding along one axis: the output has ceil(input / stride)
/// positions and an odd total puts the extra pixel at the end.
public func samePadding(inputSize: Int, kernel: Int, stride: Int, dilation: Int = 1) -> (begin: Int, end: Int) {
    let out = (inputSize + stride - 1) / stride
    let total = max(0, (out - 1) * stride + (kernel - 1) * dilation + 1 - inputSize)
    return (total / 2, total - total / 2)
}

/// `keras.applications.imagenet_utils.correct_pad`: the ZeroPadding2D that precedes a
/// stride-2 "valid" convolution, as ((top, bottom), (left, right)). Even sizes pad one
/// pixel less at the start, so the window grid matches TensorFlow's "same".
public func correctPad(inputSize: [Int], kernel: Int) -> (height: (Int, Int), width: (Int, Int)) {
    let half = kernel / 2
    func axis(_ n: Int) -> (Int, Int) { (half - (1 - n % 2), half) }
    return (axis(inputSize[0]), axis(inputSize.count > 1 ? inputSize[1] : inputSize[0]))
}

/// How a model expects its input samples, chosen per model: `out[c] = in[source(c)] * scale[c] + offset[c]`
/// for samples in [0, 255], optionally reversing RGB to BGR.
public struct InputNormalization: Sendable, Equatable {
    /// A short name for logs and configuration files.
    public var name: String
    /// Reverse the channel order (RGB -> BGR) before scaling; needs 3 channels.
    public var reversesChannels: Bool
    /// Per-channel multipliers, in output channel order; one value applies to every channel.
    public var scale: [Float]
    /// Per-channel offsets added after scaling, in output channel order.
    public var offset: [Float]

    public init(name: String, reversesChannels: Bool = false, scale: [Float], offset: [Float]) {
        self.name = name
        self.reversesChannels = reversesChannels
        self.scale = scale
        self.offset = offset
    }

    /// Keras `preprocess_input` mode "caffe" (ResNet50, VGG): RGB -> BGR, subtract the ImageNet
    /// mean [103.939, 116.779, 123.68] (BGR order), no scaling.
    public static let caffe = InputNormalization(name: "caffe", reversesChannels: true,
                                                 scale: [1], offset: [-103.939, -116.779, -123.68])
    /// Mode "torch": `(x / 255 - mean) / std`, mean [0.485, 0.456, 0.406], std [0.229, 0.224, 0.225].
    public static let torch: InputNormalization = {
        let mean: [Float] = [0.485, 0.456, 0.406], std: [Float] = [0.229, 0.224, 0.225]
        return InputNormalization(name: "torch", scale: std.map { 1 / (255 * $0) },
                                  offset: zip(mean, std).map { -$0 / $1 })
    }()
    /// [0, 1]: `x / 255`.
    public static let unit = InputNormalization(name: "unit", scale: [1 / 255], offset: [0])
    /// Mode "tf" (MobileNetV2): [-1, 1], `x / 127.5 - 1`.
    public static let tf = InputNormalization(name: "tf", scale: [1 / 127.5], offset: [-1])
    /// Unchanged 0...255.
    public static let raw = InputNormalization(name: "raw", scale: [1], offset: [0])

    /// The preset called `name` (caffe, torch, unit, tf, raw).
    public static func named(_ name: String) -> InputNormalization? {
        [caffe, torch, unit, tf, raw].first { $0.name == name }
    }

    func check(channels: Int) throws {
        if reversesChannels, channels != 3 {
            throw ImagingError(reason: "\(name) normalization reverses RGB and needs 3 channels, not \(channels) (expand gray to RGB first)")
        }
        for (label, values) in [("scale", scale), ("offset", offset)] where values.count != 1 && values.count != channels {
            throw ImagingError(reason: "\(name) normalization has \(values.count) \(label) values for a \(channels)-channel image")
        }
    }
}

extension Image {
    /// The normalized samples as a CHW tensor (`channels x height x width`), the layout a
    /// model's NCHW input takes one image of.
    public func tensorCHW(_ normalization: InputNormalization = .raw) throws -> [Float] {
        var output = [Float](repeating: 0, count: pixels.count)
        try output.withUnsafeMutableBufferPointer { try writeCHW(normalization, into: $0) }
        return output
    }

    /// Writes the normalized CHW tensor into `target` (exactly `width * height * channels`
    /// floats), e.g. one slot of a batch buffer, without allocating.
    public func writeCHW(_ normalization: InputNormalization, into target: UnsafeMutableBufferPointer<Float>) throws {
        try normalization.check(channels: channels)
        guard target.count == pixels.count else {
            throw ImagingError(reason: "CHW buffer has \(target.count) floats; a \(width)x\(height)x\(channels) image needs \(pixels.count)")
        }
        let plane = width * height, channels = self.channels
        pixels.withUnsafeBufferPointer { source in
            for c in 0..<channels {
                let from = normalization.reversesChannels ? channels - 1 - c : c
                let scale = normalization.scale.count == 1 ? normalization.scale[0] : normalization.scale[c]
                let offset = normalization.offset.count == 1 ? normalization.offset[0] : normalization.offset[c]
                let base = c * plane
                for p in 0..<plane { target[base + p] = source[p * channels + from] * scale + offset }
            }
        }
    }
}

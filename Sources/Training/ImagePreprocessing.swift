import Imaging

/// How a decoded image becomes one `[3, size, size]` model input, in two stages:
///
/// 1. `prepare` (deterministic, cacheable): optional crop or pad to a square, then resize to
///    `size` x `size` (area averaging when shrinking, bilinear when enlarging, unless a method is
///    forced). Gray stays one channel here, which keeps the cache and augmentation 3x cheaper.
/// 2. `write` (after any augmentation): gray replicated to RGB, then the model's normalization,
///    written as CHW into one slot of a batch buffer.
public struct ImagePreprocessing: Sendable, Equatable {
    /// How a non-square image is made square before resizing.
    public enum Squaring: String, Sendable, CaseIterable {
        /// Stretch to the square (aspect ratio not kept).
        case none
        /// Pad evenly with `padValue` (content centred, nothing lost).
        case pad
        /// Keep the largest centred square.
        case centerCrop = "crop"
    }

    /// Output width and height in pixels (the study uses 112).
    public var size: Int
    public var squaring: Squaring
    /// Sample value of padding, on Imaging's 0...255 scale (0: black, like the film background).
    public var padValue: Float
    /// nil picks `.area` when shrinking and `.bilinear` when enlarging.
    public var resizeMethod: ResizeMethod?
    /// The model's input normalization (Keras `preprocess_input` mode), e.g. `.caffe` for ResNet50.
    public var normalization: InputNormalization

    public init(size: Int = 112, squaring: Squaring = .none, padValue: Float = 0, resizeMethod: ResizeMethod? = nil,
                normalization: InputNormalization = .caffe) {
        self.size = size
        self.squaring = squaring
        self.padValue = padValue
        self.resizeMethod = resizeMethod
        self.normalization = normalization
    }

    /// One sample's tensor shape, `[3, size, size]`.
    public var sampleShape: [Int] { [3, size, size] }
    /// Floats in one sample.
    public var sampleCount: Int { 3 * size * size }

    /// Stage 1: squared and resized, channels unchanged.
    public func prepare(_ image: Image) throws -> Image {
        var squared = image
        switch squaring {
        case .none: break
        case .pad: squared = try image.paddedToSquare(value: padValue)
        case .centerCrop: squared = try image.centerCroppedToSquare()
        }
        let shrinking = squared.width >= size && squared.height >= size
        return try squared.resized(width: size, height: size, method: resizeMethod ?? (shrinking ? .area : .bilinear))
    }

    /// Stage 2: RGB, normalized, written as CHW into `target` (`sampleCount` floats).
    public func write(_ image: Image, into target: UnsafeMutableBufferPointer<Float>) throws {
        guard image.width == size, image.height == size else {
            throw TrainingError("a prepared image is \(image.width)x\(image.height), expected \(size)x\(size)")
        }
        try image.expandedToRGB().writeCHW(normalization, into: target)
    }
}

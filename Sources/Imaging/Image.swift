/// A raster image: `Float` samples in [0, 255], row-major, channels interleaved (HWC).
///
/// Channels are 1 (gray), 2 (gray + alpha), 3 (RGB) or 4 (RGBA). Float storage keeps
/// transforms simple and vectorizable; 16-bit sources map `v` to `v / 257`, which
/// Float represents closely enough that `round(x * 257)` gives `v` back exactly.
public struct Image: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public let channels: Int
    /// `height * width * channels` samples; the sample of (x, y, c) is at `(y * width + x) * channels + c`.
    public private(set) var pixels: [Float]

    /// An image over existing samples. Throws unless the sizes are positive, channels is
    /// 1...4 and `pixels.count == width * height * channels`.
    public init(width: Int, height: Int, channels: Int, pixels: [Float]) throws {
        try Image.validate(width: width, height: height, channels: channels)
        guard pixels.count == width * height * channels else {
            throw ImagingError(reason: "\(width)x\(height)x\(channels) image needs \(width * height * channels) samples, got \(pixels.count)")
        }
        self.init(unchecked: width, height: height, channels: channels, pixels: pixels)
    }

    /// An image with every sample set to `value`.
    public init(width: Int, height: Int, channels: Int, value: Float = 0) throws {
        try Image.validate(width: width, height: height, channels: channels)
        self.init(unchecked: width, height: height, channels: channels,
                  pixels: [Float](repeating: value, count: width * height * channels))
    }

    /// An image whose sample (x, y, c) is `sample(x, y, c)`; convenient for tests and synthetic data.
    public init(width: Int, height: Int, channels: Int, sample: (Int, Int, Int) -> Float) throws {
        try Image.validate(width: width, height: height, channels: channels)
        var pixels = [Float]()
        pixels.reserveCapacity(width * height * channels)
        for y in 0..<height { for x in 0..<width { for c in 0..<channels { pixels.append(sample(x, y, c)) } } }
        self.init(unchecked: width, height: height, channels: channels, pixels: pixels)
    }

    /// For internal producers that already guarantee the invariants.
    init(unchecked width: Int, height: Int, channels: Int, pixels: [Float]) {
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
    }

    static func validate(width: Int, height: Int, channels: Int) throws {
        guard (1...4).contains(channels) else {
            throw ImagingError(reason: "an image has 1 to 4 channels, not \(channels)")
        }
        guard width > 0, height > 0 else {
            throw ImagingError(reason: "image size \(width)x\(height) is not positive")
        }
        guard width.multipliedReportingOverflow(by: height).overflow == false,
              width * height <= maximumSampleCount / channels else {
            throw ImagingError(reason: "image size \(width)x\(height)x\(channels) is too large")
        }
    }

    /// The sample at column `x`, row `y`, channel `channel` (0-based). Out-of-range indices trap,
    /// like array subscripts.
    public subscript(x: Int, y: Int, channel: Int) -> Float {
        get { pixels[(y * width + x) * channels + channel] }
        set { pixels[(y * width + x) * channels + channel] = newValue }
    }

    /// Direct access to the samples, e.g. for a kernel that writes the whole image.
    public mutating func withUnsafeMutablePixels<R>(_ body: (UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        try pixels.withUnsafeMutableBufferPointer { try body($0) }
    }

    /// Whether channel count includes alpha (2 or 4 channels).
    public var hasAlpha: Bool { channels == 2 || channels == 4 }
    /// Whether the image is gray (1 or 2 channels).
    public var isGray: Bool { channels <= 2 }
}

// MARK: - Integer sample conversions

extension Image {
    /// An image from 8-bit samples (0...255 map to themselves).
    public init(width: Int, height: Int, channels: Int, bytes: [UInt8]) throws {
        try Image.validate(width: width, height: height, channels: channels)
        guard bytes.count == width * height * channels else {
            throw ImagingError(reason: "\(width)x\(height)x\(channels) image needs \(width * height * channels) bytes, got \(bytes.count)")
        }
        self.init(unchecked: width, height: height, channels: channels, pixels: bytes.map { Float($0) })
    }

    /// An image from 16-bit samples (0...65535 map to 0...255 by dividing by 257).
    public init(width: Int, height: Int, channels: Int, samples16: [UInt16]) throws {
        try Image.validate(width: width, height: height, channels: channels)
        guard samples16.count == width * height * channels else {
            throw ImagingError(reason: "\(width)x\(height)x\(channels) image needs \(width * height * channels) samples, got \(samples16.count)")
        }
        self.init(unchecked: width, height: height, channels: channels,
                  pixels: samples16.map { Float($0) / 257 })
    }

    /// Samples rounded to the nearest integer and clamped to 0...255.
    public func bytes() -> [UInt8] {
        pixels.map { UInt8(min(max($0, 0), 255).rounded()) }
    }

    /// Samples scaled by 257, rounded and clamped to 0...65535: the inverse of `init(samples16:)`.
    public func samples16() -> [UInt16] {
        pixels.map { UInt16(min(max($0 * 257, 0), 65535).rounded()) }
    }
}

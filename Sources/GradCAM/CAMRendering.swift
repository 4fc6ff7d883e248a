import Imaging

/// The three pictures of one explained image, at the original image's size.
public struct CAMRendering: Sendable {
    /// The image as given (RGB).
    public var original: Image
    /// The map upsampled, quantized to 8 bits and colored with the colormap.
    public var heatmap: Image
    /// `0.5 * original + 0.5 * heatmap`, clipped to [0, 255].
    public var overlay: Image
    /// The upsampled map's 8-bit levels (`round(255 * value)`), row-major.
    public var levels: [UInt8]
}

extension ClassActivationMap {
    /// The map resized to `width` x `height` with bilinear interpolation (half-pixel
    /// centers, edge-clamped, as `Image.resized`); values stay in [0, 1].
    public func upsampled(width: Int, height: Int) throws -> [Float] {
        let small = try Image(width: self.width, height: self.height, channels: 1, pixels: values)
        return try small.resized(width: width, height: height, method: .bilinear).pixels.map { min(max($0, 0), 1) }
    }

    /// 8-bit levels `round(255 * v)` of values in [0, 1].
    public static func levels(_ values: [Float]) -> [UInt8] {
        values.map { UInt8(min(max(($0 * 255).rounded(), 0), 255)) }
    }

    /// Upsamples the map to `image`'s size, quantizes it to 8 bits, colors it and blends
    /// it over the image (RGB; gray images are expanded).
    public func rendered(onto image: Image, colormap: Colormap = .jet, alpha: Float = 0.5) throws -> CAMRendering {
        let original = image.expandedToRGB()
        let levels = Self.levels(try upsampled(width: image.width, height: image.height))
        let heatmap = try heatmapToRGB(levels.map { Float($0) / 255 }, width: image.width, height: image.height,
                                       colormap: colormap)
        let overlay = try blend(original, heatmap, alpha: alpha)
        return CAMRendering(original: original, heatmap: heatmap, overlay: overlay, levels: levels)
    }
}

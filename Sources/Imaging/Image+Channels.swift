extension Image {
    /// The image with `count` channels (1 gray, 2 gray+alpha, 3 RGB, 4 RGBA): gray is replicated
    /// into RGB, color becomes gray by ITU-R BT.601 luma (0.299 R + 0.587 G + 0.114 B), alpha is
    /// kept, dropped, or added as opaque (255).
    public func converted(toChannels count: Int) throws -> Image {
        guard (1...4).contains(count) else { throw ImagingError(reason: "an image has 1 to 4 channels, not \(count)") }
        if count == channels { return self }
        let sourceChannels = channels
        let sourceHasAlpha = hasAlpha, sourceIsGray = isGray
        let targetHasAlpha = count == 2 || count == 4, targetIsGray = count <= 2
        let pixelCount = width * height
        var output = [Float](repeating: 0, count: pixelCount * count)
        pixels.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                for p in 0..<pixelCount {
                    let s = p * sourceChannels, t = p * count
                    if targetIsGray {
                        target[t] = sourceIsGray ? source[s]
                            : 0.299 * source[s] + 0.587 * source[s + 1] + 0.114 * source[s + 2]
                    } else if sourceIsGray {
                        target[t] = source[s]; target[t + 1] = source[s]; target[t + 2] = source[s]
                    } else {
                        target[t] = source[s]; target[t + 1] = source[s + 1]; target[t + 2] = source[s + 2]
                    }
                    if targetHasAlpha {
                        target[t + count - 1] = sourceHasAlpha ? source[s + sourceChannels - 1] : 255
                    }
                }
            }
        }
        return Image(unchecked: width, height: height, channels: count, pixels: output)
    }

    /// Gray replicated into three channels (RGB images are returned unchanged, alpha dropped).
    public func expandedToRGB() -> Image {
        // Channel counts 1...4 are an invariant of Image, so this conversion cannot fail.
        (try? converted(toChannels: 3)) ?? self
    }
}

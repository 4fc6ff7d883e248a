extension Image {
    /// The image mirrored left to right (exact: samples are moved, not resampled).
    public func flippedHorizontally() -> Image {
        var output = pixels
        let channels = self.channels, width = self.width
        output.withUnsafeMutableBufferPointer { target in
            pixels.withUnsafeBufferPointer { source in
                for y in 0..<height {
                    let row = y * width * channels
                    for x in 0..<width {
                        let from = row + (width - 1 - x) * channels, to = row + x * channels
                        for c in 0..<channels { target[to + c] = source[from + c] }
                    }
                }
            }
        }
        return Image(unchecked: width, height: height, channels: channels, pixels: output)
    }

    /// The image mirrored top to bottom (exact).
    public func flippedVertically() -> Image {
        let rowLength = width * channels
        var output = [Float]()
        output.reserveCapacity(pixels.count)
        for y in stride(from: height - 1, through: 0, by: -1) {
            output += pixels[(y * rowLength)..<((y + 1) * rowLength)]
        }
        return Image(unchecked: width, height: height, channels: channels, pixels: output)
    }

    /// The `width` x `height` region whose top-left corner is (`x`, `y`); it must lie inside the image.
    public func cropped(x: Int, y: Int, width: Int, height: Int) throws -> Image {
        guard x >= 0, y >= 0, width > 0, height > 0, x + width <= self.width, y + height <= self.height else {
            throw ImagingError(reason: "crop \(width)x\(height) at (\(x), \(y)) does not fit in a \(self.width)x\(self.height) image")
        }
        var output = [Float]()
        output.reserveCapacity(width * height * channels)
        for row in y..<(y + height) {
            let start = (row * self.width + x) * channels
            output += pixels[start..<(start + width * channels)]
        }
        return Image(unchecked: width, height: height, channels: channels, pixels: output)
    }

    /// The image surrounded by borders of `value` (every channel).
    public func padded(top: Int, left: Int, bottom: Int, right: Int, value: Float = 0) throws -> Image {
        guard top >= 0, left >= 0, bottom >= 0, right >= 0 else {
            throw ImagingError(reason: "padding (\(top), \(left), \(bottom), \(right)) is negative")
        }
        let newWidth = width + left + right, newHeight = height + top + bottom
        var output = try Image(width: newWidth, height: newHeight, channels: channels, value: value)
        let rowLength = width * channels
        output.withUnsafeMutablePixels { target in
            pixels.withUnsafeBufferPointer { source in
                for y in 0..<height {
                    let to = ((y + top) * newWidth + left) * channels
                    for i in 0..<rowLength { target[to + i] = source[y * rowLength + i] }
                }
            }
        }
        return output
    }

    /// The image padded evenly on both sides (the extra pixel, if odd, goes right/bottom) to the
    /// aspect ratio `width : height`, never cropping.
    public func paddedToAspect(width aspectWidth: Int, height aspectHeight: Int, value: Float = 0) throws -> Image {
        guard aspectWidth > 0, aspectHeight > 0 else { throw ImagingError(reason: "aspect \(aspectWidth):\(aspectHeight) is not positive") }
        // Smallest size >= current with the target ratio.
        let targetWidth = max(width, (height * aspectWidth + aspectHeight - 1) / aspectHeight)
        let targetHeight = max(height, (width * aspectHeight + aspectWidth - 1) / aspectWidth)
        let extraX = targetWidth - width, extraY = targetHeight - height
        return try padded(top: extraY / 2, left: extraX / 2, bottom: extraY - extraY / 2, right: extraX - extraX / 2, value: value)
    }

    /// The image padded to a square with `value`, content centered.
    public func paddedToSquare(value: Float = 0) throws -> Image {
        try paddedToAspect(width: 1, height: 1, value: value)
    }

    /// The largest centered region with aspect ratio `width : height`.
    public func centerCroppedToAspect(width aspectWidth: Int, height aspectHeight: Int) throws -> Image {
        guard aspectWidth > 0, aspectHeight > 0 else { throw ImagingError(reason: "aspect \(aspectWidth):\(aspectHeight) is not positive") }
        let targetWidth = max(1, min(width, height * aspectWidth / aspectHeight))
        let targetHeight = max(1, min(height, width * aspectHeight / aspectWidth))
        return try cropped(x: (width - targetWidth) / 2, y: (height - targetHeight) / 2, width: targetWidth, height: targetHeight)
    }

    /// The largest centered square.
    public func centerCroppedToSquare() throws -> Image {
        try centerCroppedToAspect(width: 1, height: 1)
    }
}

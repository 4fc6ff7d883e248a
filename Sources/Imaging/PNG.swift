import CPNG

/// PNG decode and encode through libpng's simplified `png_image` API.
///
/// libpng reports errors by `longjmp`, which must never cross Swift frames; the simplified API
/// catches its own jumps inside libpng and returns a status plus `png_image.message`, so no
/// jump ever reaches Swift.
///
/// What is preserved exactly (the simplified API applies gamma and alpha rules of its own):
/// - 8-bit gray, gray+alpha, RGB and RGBA: every sample, when the file has no gAMA chunk or an
///   sRGB one (libpng then assumes sRGB in and out and converts nothing). Files with another
///   gAMA are converted to sRGB.
/// - 16-bit gray and RGB: every sample, when the file has no gAMA chunk or a linear one (1.0),
///   which is what `encode(_:bitDepth: .sixteen)` writes. Files with another gAMA, or an sRGB
///   chunk, are linearized (libpng's simplified API returns 16-bit data as linear light).
/// - 16-bit gray+alpha and RGBA: the alpha channel always, and color wherever alpha is 65535.
///   libpng hands 16-bit data out premultiplied by alpha (and its writer divides alpha back
///   out); the rounding on each side leaves a partly transparent color sample within
///   `2 + 65535 / alpha` levels of 65535 after a round trip, and fully transparent color reads as 0.
/// - Palette and 1/2/4-bit inputs are expanded to 8-bit gray, RGB or RGBA (tRNS -> alpha).
public enum PNG {
    /// Bits per sample in an encoded PNG.
    public enum BitDepth: Int, Sendable {
        case eight = 8
        case sixteen = 16
    }

    /// Decodes PNG data; `name` names the source in errors.
    public static func decode(_ bytes: [UInt8], name: String = "<memory>") throws -> Image {
        guard !bytes.isEmpty else { throw ImagingError(file: name, reason: "empty file, not a PNG") }
        var control = png_image()
        control.version = png_uint_32(PNG_IMAGE_VERSION)
        let begun = bytes.withUnsafeBytes { raw in
            png_image_begin_read_from_memory(&control, raw.baseAddress, raw.count)
        }
        guard begun != 0 else { throw failure(control, name: name) }
        defer { png_image_free(&control) }

        let fileFormat = control.format
        let width = Int(control.width), height = Int(control.height)
        // Drop the colormap flag so palette images expand; keep color, alpha and 16-bit-ness.
        let format = fileFormat & png_uint_32(PNG_FORMAT_FLAG_COLOR | PNG_FORMAT_FLAG_ALPHA | PNG_FORMAT_FLAG_LINEAR)
        control.format = format
        let channels = Int(format & png_uint_32(PNG_FORMAT_FLAG_COLOR | PNG_FORMAT_FLAG_ALPHA)) + 1
        do {
            try Image.validate(width: width, height: height, channels: channels)
        } catch let error as ImagingError {
            throw ImagingError(file: name, reason: error.reason)
        }
        let count = width * height * channels

        if format & png_uint_32(PNG_FORMAT_FLAG_LINEAR) == 0 {
            var samples = [UInt8](repeating: 0, count: count)
            let finished = samples.withUnsafeMutableBytes { png_image_finish_read(&control, nil, $0.baseAddress, 0, nil) }
            guard finished != 0 else { throw failure(control, name: name) }
            try requireEnd(bytes, name: name)
            return Image(unchecked: width, height: height, channels: channels, pixels: samples.map { Float($0) })
        }
        var samples = [UInt16](repeating: 0, count: count)
        let finished = samples.withUnsafeMutableBytes { png_image_finish_read(&control, nil, $0.baseAddress, 0, nil) }
        guard finished != 0 else { throw failure(control, name: name) }
        if channels == 2 || channels == 4 { unpremultiply(&samples, channels: channels) }
        try requireEnd(bytes, name: name)
        return Image(unchecked: width, height: height, channels: channels, pixels: samples.map { Float($0) / 257 })
    }

    /// Reads and decodes the PNG file at `path`.
    public static func read(path: String) throws -> Image {
        try decode(ImageFile.readBytes(path: path), name: displayName(ofPath: path))
    }

    /// Encodes `image` as PNG (gray, gray+alpha, RGB or RGBA after its channel count).
    /// 16-bit output is marked linear (gAMA 1.0) so that `decode` returns the samples unchanged.
    public static func encode(_ image: Image, bitDepth: BitDepth = .eight, name: String = "<memory>") throws -> [UInt8] {
        var control = png_image()
        control.version = png_uint_32(PNG_IMAGE_VERSION)
        control.width = png_uint_32(image.width)
        control.height = png_uint_32(image.height)
        var format = png_uint_32(image.channels - 1)  // gray 0, GA 1, RGB 2, RGBA 3, as the flag bits say
        if bitDepth == .sixteen { format |= png_uint_32(PNG_FORMAT_FLAG_LINEAR) }
        control.format = format

        let written: [UInt8]?
        switch bitDepth {
        case .eight:
            written = write(&control, samples: image.bytes())
        case .sixteen:
            var samples = image.samples16()
            if image.hasAlpha { premultiply(&samples, channels: image.channels) }
            written = write(&control, samples: samples)
        }
        guard let written else { throw failure(control, name: name, writing: true) }
        return written
    }

    /// Encodes `image` and writes it to `path`.
    public static func write(_ image: Image, to path: String, bitDepth: BitDepth = .eight) throws {
        let name = displayName(ofPath: path)
        try ImageFile.writeBytes(encode(image, bitDepth: bitDepth, name: name), path: path)
    }

    /// Two calls: the first asks for the size, the second writes into a buffer of that size.
    private static func write<Sample>(_ control: inout png_image, samples: [Sample]) -> [UInt8]? {
        samples.withUnsafeBytes { source -> [UInt8]? in
            var size: png_alloc_size_t = 0
            guard png_image_write_to_memory(&control, nil, &size, 0, source.baseAddress, 0, nil) != 0, size > 0 else { return nil }
            var output = [UInt8](repeating: 0, count: Int(size))
            let ok = output.withUnsafeMutableBytes { png_image_write_to_memory(&control, $0.baseAddress, &size, 0, source.baseAddress, 0, nil) }
            guard ok != 0 else { return nil }
            return Array(output.prefix(Int(size)))
        }
    }

    /// libpng stops reading after the image data, so a file cut inside or before its IEND chunk
    /// decodes; walk the chunk headers to call such a file truncated.
    private static func requireEnd(_ bytes: [UInt8], name: String) throws {
        var offset = 8
        while offset + 8 <= bytes.count {
            let length = bytes[offset..<(offset + 4)].reduce(0) { $0 << 8 | Int($1) }
            let isEnd = bytes[(offset + 4)..<(offset + 8)].elementsEqual("IEND".utf8)
            offset += 12 + length
            if isEnd, offset <= bytes.count { return }
        }
        throw ImagingError(file: name, reason: "truncated PNG (the file ends before its IEND chunk)")
    }

    private static func failure(_ control: png_image, name: String, writing: Bool = false) -> ImagingError {
        let message = withUnsafeBytes(of: control.message) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
        let kind: String
        if writing {
            kind = "cannot encode PNG"
        } else if message.contains("end of data") || message.contains("Not enough image data") {
            kind = "truncated PNG"
        } else if message.contains("Not a PNG") || message.contains("signature") {
            kind = "not a PNG file"
        } else {
            kind = "corrupt PNG"
        }
        return ImagingError(file: name, reason: message.isEmpty ? kind : "\(kind) (libpng: \(message))")
    }

    /// libpng returns 16-bit color premultiplied by alpha; restore straight color.
    private static func unpremultiply(_ samples: inout [UInt16], channels: Int) {
        let colorChannels = channels - 1
        samples.withUnsafeMutableBufferPointer { s in
            var i = 0
            while i < s.count {
                let alpha = UInt32(s[i + colorChannels])
                for c in 0..<colorChannels {
                    if alpha == 0 { s[i + c] = 0; continue }
                    let straight = (UInt32(s[i + c]) * 65535 + alpha / 2) / alpha
                    s[i + c] = UInt16(min(straight, 65535))
                }
                i += channels
            }
        }
    }

    /// libpng's 16-bit writer expects premultiplied color (it divides alpha out itself).
    private static func premultiply(_ samples: inout [UInt16], channels: Int) {
        let colorChannels = channels - 1
        samples.withUnsafeMutableBufferPointer { s in
            var i = 0
            while i < s.count {
                let alpha = UInt32(s[i + colorChannels])
                for c in 0..<colorChannels {
                    s[i + c] = UInt16((UInt32(s[i + c]) * alpha + 32767) / 65535)
                }
                i += channels
            }
        }
    }
}

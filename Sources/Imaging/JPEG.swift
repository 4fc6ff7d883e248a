import CJPEG

/// JPEG decode and encode through libjpeg-turbo's TurboJPEG API.
///
/// libjpeg's classic API reports fatal errors through `error_exit`, which must not return and
/// cannot `longjmp` through Swift frames. TurboJPEG does its `setjmp` inside C and returns -1
/// with a message instead, so corrupt input becomes a thrown error. Warnings (corrupt entropy
/// data, premature end of file) are errors here too: a half-decoded image is not data.
///
/// Decoding uses libjpeg's accurate integer IDCT and fancy upsampling, the defaults of
/// `djpeg` and Pillow, so outputs match those decoders.
public enum JPEG {
    /// Chroma subsampling for color encodes.
    public enum Subsampling: Sendable {
        case none, half, quarter   // 4:4:4, 4:2:2, 4:2:0

        var turbo: Int32 {
            switch self {
            case .none: return Int32(TJSAMP_444.rawValue)
            case .half: return Int32(TJSAMP_422.rawValue)
            case .quarter: return Int32(TJSAMP_420.rawValue)
            }
        }
    }

    /// Decodes JPEG data to 1 channel (grayscale JPEG) or 3 channels (RGB); `name` names the
    /// source in errors.
    public static func decode(_ bytes: [UInt8], name: String = "<memory>") throws -> Image {
        guard !bytes.isEmpty else { throw ImagingError(file: name, reason: "empty file, not a JPEG") }
        guard let handle = tjInitDecompress() else {
            throw ImagingError(file: name, reason: "cannot create a JPEG decoder")
        }
        defer { tjDestroy(handle) }

        var width: Int32 = 0, height: Int32 = 0, subsampling: Int32 = 0, colorspace: Int32 = 0
        let headerStatus = bytes.withUnsafeBufferPointer {
            tjDecompressHeader3(handle, $0.baseAddress, UInt(bytes.count), &width, &height, &subsampling, &colorspace)
        }
        guard headerStatus == 0 else { throw failure(handle, name: name) }
        guard colorspace != Int32(TJCS_CMYK.rawValue), colorspace != Int32(TJCS_YCCK.rawValue) else {
            throw ImagingError(file: name, reason: "unsupported JPEG: CMYK color")
        }
        let channels = colorspace == Int32(TJCS_GRAY.rawValue) ? 1 : 3
        do {
            try Image.validate(width: Int(width), height: Int(height), channels: channels)
        } catch let error as ImagingError {
            throw ImagingError(file: name, reason: error.reason)
        }
        let pixelFormat = channels == 1 ? Int32(TJPF_GRAY.rawValue) : Int32(TJPF_RGB.rawValue)
        var samples = [UInt8](repeating: 0, count: Int(width) * Int(height) * channels)
        let status = bytes.withUnsafeBufferPointer { source in
            samples.withUnsafeMutableBufferPointer { target in
                tjDecompress2(handle, source.baseAddress, UInt(bytes.count), target.baseAddress,
                              width, 0, height, pixelFormat, TJFLAG_ACCURATEDCT)
            }
        }
        guard status == 0 else { throw failure(handle, name: name) }
        return Image(unchecked: Int(width), height: Int(height), channels: channels, pixels: samples.map { Float($0) })
    }

    /// Reads and decodes the JPEG file at `path`.
    public static func read(path: String) throws -> Image {
        try decode(ImageFile.readBytes(path: path), name: displayName(ofPath: path))
    }

    /// Encodes a gray (1 channel) or RGB (3 channels) image; `quality` is 1...100.
    public static func encode(_ image: Image, quality: Int = 90, subsampling: Subsampling = .none) throws -> [UInt8] {
        guard image.channels == 1 || image.channels == 3 else {
            throw ImagingError(reason: "JPEG encodes gray or RGB images; this image has \(image.channels) channels")
        }
        guard (1...100).contains(quality) else {
            throw ImagingError(reason: "JPEG quality \(quality) is outside 1...100")
        }
        guard let handle = tjInitCompress() else { throw ImagingError(reason: "cannot create a JPEG encoder") }
        defer { tjDestroy(handle) }
        let gray = image.channels == 1
        let source = image.bytes()
        var output: UnsafeMutablePointer<UInt8>? = nil
        var size: UInt = 0
        let status = source.withUnsafeBufferPointer {
            tjCompress2(handle, $0.baseAddress, Int32(image.width), 0, Int32(image.height),
                        gray ? Int32(TJPF_GRAY.rawValue) : Int32(TJPF_RGB.rawValue), &output, &size,
                        gray ? Int32(TJSAMP_GRAY.rawValue) : subsampling.turbo, Int32(quality), TJFLAG_ACCURATEDCT)
        }
        defer { tjFree(output) }
        guard status == 0, let output else { throw failure(handle, name: nil) }
        return Array(UnsafeBufferPointer(start: output, count: Int(size)))
    }

    private static func failure(_ handle: tjhandle, name: String?) -> ImagingError {
        let message = tjGetErrorStr2(handle).map { String(cString: $0) } ?? "unknown error"
        let kind: String
        if message.contains("Premature end") || message.contains("end of") {
            kind = "truncated JPEG"
        } else if message.contains("Not a JPEG") || message.contains("SOI") {
            kind = "not a JPEG file"
        } else {
            kind = name == nil ? "cannot encode JPEG" : "corrupt JPEG"
        }
        return ImagingError(file: name, reason: "\(kind) (libjpeg: \(message))")
    }
}

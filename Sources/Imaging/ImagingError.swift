/// An error from decoding, encoding or transforming an image.
///
/// The description names the file (and the byte offset when known) first, e.g.
/// `mdb001.png: truncated PNG (libpng: read beyond end of data)` or
/// `scan.pgm at byte 17: maxval 0 is outside 1...65535`.
public struct ImagingError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file (or in-memory source name) at fault, if the error concerns one.
    public var file: String?
    /// The byte offset in `file` where the problem was found, when the format allows it.
    public var byteOffset: Int?
    /// What went wrong.
    public var reason: String

    public init(file: String? = nil, byteOffset: Int? = nil, reason: String) {
        self.file = file
        self.byteOffset = byteOffset
        self.reason = reason
    }

    public var description: String {
        guard let file else { return reason }
        if let byteOffset { return "\(file) at byte \(byteOffset): \(reason)" }
        return "\(file): \(reason)"
    }
}

/// Largest number of samples (width x height x channels) a decoder will allocate, so that a
/// corrupt header claiming a gigantic image is an error instead of an out-of-memory crash.
let maximumSampleCount = 1 << 28

/// The last path component, used to name files in errors.
func displayName(ofPath path: String) -> String {
    path.split(separator: "/", omittingEmptySubsequences: true).last.map(String.init) ?? path
}

/// Netpbm gray maps: binary P5 and ASCII P2, maxval 1...65535 (two bytes, big-endian, above 255).
///
/// Samples map to [0, 255] by `v * 255 / maxval`, so maxval 255 and 65535 round-trip exactly
/// through `encode` with the same maxval. Comments (`#` to end of line) may appear wherever
/// whitespace may in the header, and between samples of a P2 raster.
public enum PGM {
    /// Decodes P5 or P2 data; errors name `name` and the byte offset at fault.
    public static func decode(_ bytes: [UInt8], name: String = "<memory>") throws -> Image {
        var reader = HeaderReader(bytes: bytes, name: name)
        guard bytes.count >= 2, bytes[0] == UInt8(ascii: "P"),
              bytes[1] == UInt8(ascii: "5") || bytes[1] == UInt8(ascii: "2") else {
            throw ImagingError(file: name, byteOffset: 0, reason: bytes.isEmpty ? "empty file, not a PGM" : "not a PGM file (expected P5 or P2)")
        }
        let binary = bytes[1] == UInt8(ascii: "5")
        reader.offset = 2
        let width = try reader.number(named: "width")
        let height = try reader.number(named: "height")
        let maxvalOffset = reader.nextTokenOffset()
        let maxval = try reader.number(named: "maxval")
        guard (1...65535).contains(maxval) else {
            throw ImagingError(file: name, byteOffset: maxvalOffset, reason: "maxval \(maxval) is outside 1...65535")
        }
        guard width > 0, height > 0, width <= maximumSampleCount, height <= maximumSampleCount / width else {
            throw ImagingError(file: name, byteOffset: 2, reason: "image size \(width)x\(height) is empty or too large")
        }
        let count = width * height
        let scale = 255 / Double(maxval)
        var pixels = [Float](repeating: 0, count: count)

        if binary {
            // Exactly one whitespace byte separates maxval from the raster.
            guard reader.offset < bytes.count, HeaderReader.isWhitespace(bytes[reader.offset]) else {
                throw ImagingError(file: name, byteOffset: reader.offset, reason: "truncated PGM: no raster after the header")
            }
            let start = reader.offset + 1
            let bytesPerSample = maxval > 255 ? 2 : 1
            let needed = count * bytesPerSample
            guard bytes.count - start >= needed else {
                throw ImagingError(file: name, byteOffset: bytes.count,
                                   reason: "truncated PGM raster: expected \(needed) bytes, found \(bytes.count - start)")
            }
            for i in 0..<count {
                let at = start + i * bytesPerSample
                let value = bytesPerSample == 1 ? Int(bytes[at]) : Int(bytes[at]) << 8 | Int(bytes[at + 1])
                guard value <= maxval else {
                    throw ImagingError(file: name, byteOffset: at, reason: "sample \(value) exceeds maxval \(maxval)")
                }
                pixels[i] = Float(Double(value) * scale)
            }
        } else {
            for i in 0..<count {
                let at = reader.nextTokenOffset()
                let value = try reader.number(named: "sample \(i) of \(count)")
                guard value <= maxval else {
                    throw ImagingError(file: name, byteOffset: at, reason: "sample \(value) exceeds maxval \(maxval)")
                }
                pixels[i] = Float(Double(value) * scale)
            }
        }
        return Image(unchecked: width, height: height, channels: 1, pixels: pixels)
    }

    /// Reads and decodes the PGM file at `path`.
    public static func read(path: String) throws -> Image {
        try decode(ImageFile.readBytes(path: path), name: displayName(ofPath: path))
    }

    /// Encodes a one-channel image as P5 (or P2 when `ascii`), samples scaled to 0...maxval.
    public static func encode(_ image: Image, maxval: Int = 255, ascii: Bool = false) throws -> [UInt8] {
        guard image.channels == 1 else {
            throw ImagingError(reason: "PGM holds one gray channel; this image has \(image.channels) (convert it to gray first)")
        }
        guard (1...65535).contains(maxval) else {
            throw ImagingError(reason: "PGM maxval \(maxval) is outside 1...65535")
        }
        let scale = Double(maxval) / 255
        let samples = image.pixels.map { Int((Double(min(max($0, 0), 255)) * scale).rounded()) }
        var output = Array("\(ascii ? "P2" : "P5")\n\(image.width) \(image.height)\n\(maxval)\n".utf8)
        if ascii {
            for y in 0..<image.height {
                let row = samples[(y * image.width)..<((y + 1) * image.width)]
                output += Array(row.map(String.init).joined(separator: " ").utf8)
                output.append(UInt8(ascii: "\n"))
            }
        } else if maxval > 255 {
            output.reserveCapacity(output.count + 2 * samples.count)
            for v in samples { output.append(UInt8(v >> 8)); output.append(UInt8(v & 0xFF)) }
        } else {
            output += samples.map { UInt8($0) }
        }
        return output
    }

    /// Encodes `image` and writes it to `path`.
    public static func write(_ image: Image, to path: String, maxval: Int = 255, ascii: Bool = false) throws {
        let bytes: [UInt8]
        do {
            bytes = try encode(image, maxval: maxval, ascii: ascii)
        } catch let error as ImagingError {
            throw ImagingError(file: displayName(ofPath: path), reason: error.reason)
        }
        try ImageFile.writeBytes(bytes, path: path)
    }
}

/// Tokenizer for Netpbm headers and ASCII rasters: decimal numbers between whitespace and comments.
private struct HeaderReader {
    let bytes: [UInt8]
    let name: String
    var offset = 0

    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0x0B || byte == 0x0C
    }

    mutating func skipWhitespaceAndComments() {
        while offset < bytes.count {
            if HeaderReader.isWhitespace(bytes[offset]) {
                offset += 1
            } else if bytes[offset] == UInt8(ascii: "#") {
                while offset < bytes.count, bytes[offset] != 0x0A, bytes[offset] != 0x0D { offset += 1 }
            } else {
                return
            }
        }
    }

    /// Where the next token starts.
    mutating func nextTokenOffset() -> Int {
        skipWhitespaceAndComments()
        return offset
    }

    /// The next decimal number; errors say which field was expected and where.
    mutating func number(named field: String) throws -> Int {
        skipWhitespaceAndComments()
        guard offset < bytes.count else {
            throw ImagingError(file: name, byteOffset: offset, reason: "truncated PGM: expected \(field), found end of file")
        }
        var value = 0
        let start = offset
        while offset < bytes.count, bytes[offset] >= UInt8(ascii: "0"), bytes[offset] <= UInt8(ascii: "9") {
            value = value * 10 + Int(bytes[offset] - UInt8(ascii: "0"))
            guard value <= Int(Int32.max) else {
                throw ImagingError(file: name, byteOffset: start, reason: "\(field) is too large")
            }
            offset += 1
        }
        guard offset > start else {
            throw ImagingError(file: name, byteOffset: start,
                               reason: "expected \(field) as a decimal number, found byte 0x\(String(bytes[start], radix: 16))")
        }
        if offset < bytes.count, !HeaderReader.isWhitespace(bytes[offset]), bytes[offset] != UInt8(ascii: "#") {
            throw ImagingError(file: name, byteOffset: offset,
                               reason: "expected whitespace after \(field), found byte 0x\(String(bytes[offset], radix: 16))")
        }
        return value
    }
}

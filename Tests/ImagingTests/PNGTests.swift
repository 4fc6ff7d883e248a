import Foundation
import Testing
@testable import Imaging

/// 8-bit samples covering 0...255 in every channel.
private func eightBitImage(channels: Int) throws -> Image {
    try Image(width: 7, height: 5, channels: channels) { x, y, c in Float((x * 37 + y * 71 + c * 101) % 256) }
}

/// 16-bit samples spread over the full range, including 0, 1, 65534 and 65535.
private func sixteenBitSamples(count: Int, channels: Int, opaque: Bool) -> [UInt16] {
    let specials: [UInt16] = [0, 1, 2, 255, 256, 257, 32767, 32768, 65534, 65535]
    return (0..<count).map { i in
        if opaque, i % channels == channels - 1, channels == 2 || channels == 4 { return 65535 }
        return i < specials.count ? specials[i] : UInt16((i * 40_503 + 12_345) % 65_536)
    }
}

@Suite struct PNGTests {
    @Test(arguments: [1, 2, 3, 4])
    func eightBitRoundTripIsBitExact(channels: Int) throws {
        let image = try eightBitImage(channels: channels)
        let decoded = try PNG.decode(PNG.encode(image, bitDepth: .eight))
        #expect(decoded.channels == channels)
        #expect(decoded.width == 7 && decoded.height == 5)
        #expect(decoded.bytes() == image.bytes())
    }

    @Test(arguments: [1, 2, 3, 4])
    func sixteenBitOpaqueRoundTripIsBitExact(channels: Int) throws {
        let samples = sixteenBitSamples(count: 6 * 4 * channels, channels: channels, opaque: true)
        let image = try Image(width: 6, height: 4, channels: channels, samples16: samples)
        let decoded = try PNG.decode(PNG.encode(image, bitDepth: .sixteen))
        #expect(decoded.channels == channels)
        #expect(decoded.samples16() == samples)
    }

    /// libpng's simplified API hands out 16-bit color premultiplied by alpha (see `PNG`): alpha
    /// itself survives exactly, color exactly where opaque and within 2 + 65535 / alpha levels elsewhere.
    @Test(arguments: [2, 4])
    func sixteenBitTranslucentRoundTripKeepsAlphaExactly(channels: Int) throws {
        let samples = sixteenBitSamples(count: 8 * 8 * channels, channels: channels, opaque: false)
        let image = try Image(width: 8, height: 8, channels: channels, samples16: samples)
        let decoded = try PNG.decode(PNG.encode(image, bitDepth: .sixteen)).samples16()
        for pixel in stride(from: 0, to: samples.count, by: channels) {
            let alpha = samples[pixel + channels - 1]
            #expect(decoded[pixel + channels - 1] == alpha)
            for c in 0..<(channels - 1) where alpha > 0 {
                let error = abs(Int(decoded[pixel + c]) - Int(samples[pixel + c]))
                #expect(error <= 2 + 65535 / Int(alpha), "pixel \(pixel / channels) channel \(c) alpha \(alpha)")
                if alpha == 65535 { #expect(error == 0) }
            }
        }
    }

    @Test func sixteenBitGrayFromAnotherEncoderReadsExactly() throws {
        // Written by Pillow (mode I;16, no gAMA chunk): [[0, 1, 256, 65535], [12345, 40000, 65534, 2]].
        let bytes = base64Bytes("iVBORw0KGgoAAAANSUhEUgAAAAQAAAACEAAAAAAKU/78AAAAGklEQVR4nGNgYGBgZGT4/5/BwHKOw/9/DEwAJAcFRThMqQsAAAAASUVORK5CYII=")
        let image = try PNG.decode(bytes)
        #expect(image.channels == 1)
        #expect(image.samples16() == [0, 1, 256, 65535, 12345, 40000, 65534, 2])
    }

    @Test func paletteWithTransparencyExpandsToRGBA() throws {
        // 3x2, 2-bit palette [red, green, blue, (10, 20, 30)] with entry 3 transparent; indices 0 1 2 / 3 0 1.
        let bytes = base64Bytes("iVBORw0KGgoAAAANSUhEUgAAAAMAAAACAgMAAADgGo6JAAAADFBMVEX/AAAA/wAAAP8KFB4iiCkEAAAABHRSTlP///8AQCqp9AAAAAxJREFUeJxjkGA4AgABEADdEeUPIgAAAABJRU5ErkJggg==")
        let image = try PNG.decode(bytes)
        #expect(image.channels == 4)
        let rgba = image.bytes()
        #expect(Array(rgba[0..<12]) == [255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255])
        #expect(rgba[15] == 0, "palette entry 3 is transparent")
        #expect(Array(rgba[16..<24]) == [255, 0, 0, 255, 0, 255, 0, 255])
    }

    @Test func oneBitGrayExpandsToBlackAndWhite() throws {
        // 5x2 one-bit image: 1 0 1 0 1 / 0 0 1 1 0.
        let image = try PNG.decode(base64Bytes("iVBORw0KGgoAAAANSUhEUgAAAAUAAAACAQAAAAC4ESvwAAAADElEQVR4nGNYwWAAAAIsANkRRji4AAAAAElFTkSuQmCC"))
        #expect(image.channels == 1)
        #expect(image.bytes() == [255, 0, 255, 0, 255, 0, 0, 255, 255, 0])
    }

    @Test func truncatedFileIsAnErrorNamingTheFile() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let bytes = try PNG.encode(eightBitImage(channels: 3))
        try ImageFile.writeBytes(Array(bytes.prefix(bytes.count / 2)), path: directory + "/mdb001.png")
        let message = try #require(thrownDescription { try ImageFile.read(path: directory + "/mdb001.png") })
        #expect(message.hasPrefix("mdb001.png: truncated PNG (libpng: "), "got: \(message)")
    }

    @Test func everyTruncationIsAnError() throws {
        let bytes = try PNG.encode(eightBitImage(channels: 2))
        for length in 0..<bytes.count {
            let message = thrownDescription { try PNG.decode(Array(bytes.prefix(length)), name: "cut.png") }
            #expect(message?.hasPrefix("cut.png: ") == true, "prefix of \(length) bytes decoded")
        }
    }

    @Test func corruptedChunkIsAnError() throws {
        var bytes = try PNG.encode(eightBitImage(channels: 3))
        bytes[bytes.count - 20] ^= 0xFF  // inside IDAT: its CRC no longer matches
        let message = try #require(thrownDescription { try PNG.decode(bytes, name: "bad.png") })
        #expect(message.hasPrefix("bad.png: corrupt PNG (libpng: "), "got: \(message)")
        let notPNG = try #require(thrownDescription { try PNG.decode(Array("hello".utf8), name: "x.png") })
        #expect(notPNG.hasPrefix("x.png: "))
    }

    @Test func randomByteFlipsNeverCrash() throws {
        let original = try PNG.encode(eightBitImage(channels: 4))
        var rng = AugmentationRNG(seed: 7)
        for _ in 0..<300 {
            var bytes = original
            for _ in 0..<3 { bytes[Int(rng.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: rng.next()) }
            if let image = try? PNG.decode(bytes) { #expect(image.pixels.count == image.width * image.height * image.channels) }
        }
    }

    @Test func fileRoundTripThroughWriteAndRead() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let image = try eightBitImage(channels: 1)
        try PNG.write(image, to: directory + "/gray.png")
        #expect(try ImageFile.read(path: directory + "/gray.png") == image)
        let missing = try #require(thrownDescription { try PNG.read(path: directory + "/absent.png") })
        #expect(missing.hasPrefix("absent.png: cannot read file"))
    }
}

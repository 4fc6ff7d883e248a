import Testing
@testable import Imaging

@Suite struct PGMTests {
    @Test(arguments: [(255, false), (255, true), (65535, false), (65535, true)])
    func roundTripIsExact(maxval: Int, ascii: Bool) throws {
        let levels = maxval + 1
        let samples = (0..<(9 * 4)).map { ($0 * 7919 + ($0 == 0 ? 0 : 1)) % levels }
        let image = try Image(width: 9, height: 4, channels: 1,
                              pixels: samples.map { Float(Double($0) * 255 / Double(maxval)) })
        let bytes = try PGM.encode(image, maxval: maxval, ascii: ascii)
        #expect(bytes.starts(with: Array((ascii ? "P2" : "P5").utf8)))
        let decoded = try PGM.decode(bytes)
        #expect(decoded.width == 9 && decoded.height == 4 && decoded.channels == 1)
        let back = decoded.pixels.map { Int((Double($0) * Double(maxval) / 255).rounded()) }
        #expect(back == samples)
    }

    @Test func sixteenBitRasterIsBigEndian() throws {
        let bytes = Array("P5 2 1 65535\n".utf8) + [0x01, 0x02, 0xFF, 0xFF]
        let image = try PGM.decode(bytes)
        #expect(image.samples16() == [0x0102, 0xFFFF])
    }

    @Test func headerCommentsAndOddMaxvalAreAccepted() throws {
        let text = "P2\n# made by a scanner\n3 # width\n1\n# maxval next\n4095\n0 # first\n4095\n2048\n"
        let image = try PGM.decode(Array(text.utf8))
        #expect(image.width == 3 && image.height == 1)
        #expect(abs(image.pixels[0]) < 1e-6)
        #expect(abs(image.pixels[1] - 255) < 1e-4)
        #expect(abs(image.pixels[2] - 2048 * 255 / 4095) < 1e-4)
    }

    @Test func truncatedRasterNamesFileAndOffset() throws {
        let bytes = Array("P5\n4 4\n255\n".utf8) + [UInt8](repeating: 9, count: 10)
        let message = try #require(thrownDescription { try PGM.decode(bytes, name: "mdb001.pgm") })
        #expect(message == "mdb001.pgm at byte 21: truncated PGM raster: expected 16 bytes, found 10")
    }

    @Test func everyTruncationIsAnError() throws {
        for ascii in [false, true] {
            let image = try Image(width: 3, height: 2, channels: 1) { x, y, _ in Float(x * 40 + y * 100) }
            let bytes = try PGM.encode(image, maxval: 65535, ascii: ascii)
            // An ASCII raster cut after a digit of its last sample still parses a (smaller) number,
            // so stop before the final sample there; binary rasters must be whole.
            let lastComplete = ascii ? bytes.count - 7 : bytes.count - 1
            for length in 0...lastComplete {
                let message = thrownDescription { try PGM.decode(Array(bytes.prefix(length)), name: "cut.pgm") }
                #expect(message?.hasPrefix("cut.pgm at byte ") == true, "\(ascii ? "P2" : "P5") prefix of \(length) bytes decoded")
            }
        }
    }

    @Test func malformedHeadersAreErrorsWithOffsets() {
        let cases: [(String, String)] = [
            ("P6\n1 1\n255\n\0\0\0", "bad.pgm at byte 0: not a PGM file (expected P5 or P2)"),
            ("P5\n1 1\n0\n\0", "bad.pgm at byte 7: maxval 0 is outside 1...65535"),
            ("P5\n1 1\n70000\n\0", "bad.pgm at byte 7: maxval 70000 is outside 1...65535"),
            ("P5\nx 1\n255\n\0", "bad.pgm at byte 3: expected width as a decimal number, found byte 0x78"),
            ("P5\n0 1\n255\n", "bad.pgm at byte 2: image size 0x1 is empty or too large"),
            ("P2\n2 1\n10\n3 11\n", "bad.pgm at byte 12: sample 11 exceeds maxval 10"),
        ]
        for (text, expected) in cases {
            #expect(thrownDescription { try PGM.decode(Array(text.utf8), name: "bad.pgm") } == expected)
        }
    }

    @Test func colorImagesAreRefused() throws {
        let rgb = try Image(width: 2, height: 2, channels: 3)
        #expect(thrownDescription { try PGM.encode(rgb) }?.contains("one gray channel") == true)
    }
}

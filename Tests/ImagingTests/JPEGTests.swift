import Testing
@testable import Imaging

// Fixtures made offline with Pillow 12 (libjpeg-turbo, accurate IDCT, fancy upsampling): the JPEG
// file and Pillow's decode of it, as raw HWC bytes.

/// 16x12 RGB, quality 85, 4:2:0 chroma subsampling.
private let rgbJPEG = "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAUDBAQEAwUEBAQFBQUGBwwIBwcHBw8LCwkMEQ8SEhEPERETFhwXExQaFRERGCEYGh0dHx8fExciJCIeJBweHx7/2wBDAQUFBQcGBw4ICA4eFBEUHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh7/wAARCAAMABADASIAAhEBAxEB/8QAHwAAAQUBAQEBAQEAAAAAAAAAAAECAwQFBgcICQoL/8QAtRAAAgEDAwIEAwUFBAQAAAF9AQIDAAQRBRIhMUEGE1FhByJxFDKBkaEII0KxwRVS0fAkM2JyggkKFhcYGRolJicoKSo0NTY3ODk6Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4eXqDhIWGh4iJipKTlJWWl5iZmqKjpKWmp6ipqrKztLW2t7i5usLDxMXGx8jJytLT1NXW19jZ2uHi4+Tl5ufo6erx8vP09fb3+Pn6/8QAHwEAAwEBAQEBAQEBAQAAAAAAAAECAwQFBgcICQoL/8QAtREAAgECBAQDBAcFBAQAAQJ3AAECAxEEBSExBhJBUQdhcRMiMoEIFEKRobHBCSMzUvAVYnLRChYkNOEl8RcYGRomJygpKjU2Nzg5OkNERUZHSElKU1RVVldYWVpjZGVmZ2hpanN0dXZ3eHl6goOEhYaHiImKkpOUlZaXmJmaoqOkpaanqKmqsrO0tba3uLm6wsPExcbHyMnK0tPU1dbX2Nna4uPk5ebn6Onq8vP09fb3+Pn6/9oADAMBAAIRAxEAPwDyHw14Dj8pZZYfl+nJPoK9B0HwOi7SbOMYGSpG4/0xx616D4c0qyKxjyh8kJdT78/4Cu/0TSbEOi+SCA4HPPJXOfc1zYzPpU6UVGC2XRO7aTu/TWyWmmt76cvA3GOIbjuf/9k="
private let rgbDecoded = "AgQRCwcYGQYiJgQlMwEmRAEsVgQ1ZQNAcgBHhgNTjQBNpAJNtgM7vQAw1gZE2QJFCBMlDBEnGxIxLxY9QRhCUBZJXhJTbBBbfBBljxRunxRttRlqxRpc0RlZ5x5u7x91CCNADSFCGyRLMStZRCtiUShuYiWCdCeRhiqVjySOoCaJsSiEyC+B3zWO7C+l9TCxAjNBDzpNID5gLjxtPDV5UDaPZzynfEOqiUSXl0WPsU6esTuRtCuHxCyQ0SmY5zitAEsvEVVIIlZkLEx9PUegVk24alO7dVacb0pSe0pFl1FtpUeFu0ah2FOw4VKU71yQAGEsDWdEIGRtLWCPR2KzXWjBZ2aqZl18fm9YiWxMm2lsq2OIxGOm2Wim2WJ411xfBXY2DXZOInOEOHikTXusWHubX3h0Z3JhdXFllYJ8q4eLuYGMwHOFy3F64n5v6oJnBok9DohZKIqVQZKtSpCOS4VvWYVhcY9ripeFmZSQloCDqoKCw4x41ZBx6phz4IhiA5lCEqFjJp6VPqicNplWTKBVYJ18e6aTiqmHhpZ7mZOXvKSiyKZ5x5Ze15Zu6qGBAa1BEbRhKLSXOLiXOrNUTbdVZLKKdLOYdKlzjbJ+pLOetbOav7Bvza9m5riG8bqTAsU4EctcLM6cMsWbQMp1Us1ya8+RbsOKfMZ5l9KCo8yIsMeBwshy18127tOQ68mMBNQ2E9dZLtyfKceXQ9SFV9l/cuKaasyDi9+HmuGBndJ4tdh8ytt70dJ159WJ7NSO"
/// 16x12 grayscale, quality 80.
private let grayJPEG = "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAYEBQYFBAYGBQYHBwYIChAKCgkJChQODwwQFxQYGBcUFhYaHSUfGhsjHBYWICwgIyYnKSopGR8tMC0oMCUoKSj/wAALCAAMABABAREA/8QAHwAAAQUBAQEBAQEAAAAAAAAAAAECAwQFBgcICQoL/8QAtRAAAgEDAwIEAwUFBAQAAAF9AQIDAAQRBRIhMUEGE1FhByJxFDKBkaEII0KxwRVS0fAkM2JyggkKFhcYGRolJicoKSo0NTY3ODk6Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4eXqDhIWGh4iJipKTlJWWl5iZmqKjpKWmp6ipqrKztLW2t7i5usLDxMXGx8jJytLT1NXW19jZ2uHi4+Tl5ufo6erx8vP09fb3+Pn6/9oACAEBAAA/APO/Anh7/V/J+lfQvg/R4LO1a6vHigtoEMkssrBUjRRksxPAAAJJNcX4EsoP3fy1t/tC3l1pHwntk0y5ltV1DUI7K5MZAMkLRSsyZ6gEoucYyMg8Eg//2Q=="
private let grayDecoded = "AAsaJzNAT1lpc4OPn6qsvAsVJDE9SllkZJKNjJ6xwt4THi06RVNhbHmQhqWzvcLNGyY1Qk1baXSIiJi7rMTY5CYxP01YZXR/jpKptbTV1OIuOUdVYG18h5WgrbfU1tb+NkFQXWl2hY+crr3I1c/+6kFLWmdzgI+aq7C7zNru9ARJVGNwfImYorG30tzf8PkTUVxreISRoKq9ysXg7v4LDVxmdYKOm6q1utTh6+8AGhZjbn2KlaOxvNTU3/X7DRkk"

@Suite struct JPEGTests {
    @Test(arguments: [(rgbJPEG, rgbDecoded, 3), (grayJPEG, grayDecoded, 1)])
    func decodeMatchesPillowWithinOneLevel(jpeg: String, decoded: String, channels: Int) throws {
        let image = try JPEG.decode(base64Bytes(jpeg), name: "fixture.jpg")
        #expect(image.width == 16 && image.height == 12 && image.channels == channels)
        let reference = base64Bytes(decoded).map(Float.init)
        #expect(reference.count == 16 * 12 * channels)
        #expect(maxAbsDifference(image.pixels, reference) <= 1)
    }

    @Test func encodeThenDecodeStaysClose() throws {
        let image = try Image(width: 24, height: 16, channels: 3) { x, y, c in Float((x * 8 + y * 5 + c * 60) % 256) * 0.5 + 40 }
        let decoded = try JPEG.decode(JPEG.encode(image, quality: 98))
        #expect(decoded.channels == 3)
        #expect(maxAbsDifference(decoded.pixels, image.pixels) <= 6)
        let meanError = zip(decoded.pixels, image.pixels).map { abs($0 - $1) }.reduce(0, +) / Float(image.pixels.count)
        #expect(meanError < 1.5)
    }

    @Test func truncatedFileIsAnErrorNamingTheFile() throws {
        let bytes = base64Bytes(rgbJPEG)
        let message = try #require(thrownDescription { try JPEG.decode(Array(bytes.prefix(bytes.count - 40)), name: "mdb001.jpg") })
        #expect(message.hasPrefix("mdb001.jpg: truncated JPEG (libjpeg: "), "got: \(message)")
    }

    @Test func everyTruncationIsAnError() throws {
        let bytes = base64Bytes(grayJPEG)
        for length in 0..<bytes.count {
            let message = thrownDescription { try JPEG.decode(Array(bytes.prefix(length)), name: "cut.jpg") }
            #expect(message?.hasPrefix("cut.jpg: ") == true, "prefix of \(length) bytes decoded")
        }
    }

    @Test func corruptHeaderIsAnError() throws {
        var bytes = base64Bytes(grayJPEG)
        // The SOF0 marker (FF C0) becomes an unsupported SOF type (FF CF, arithmetic lossless).
        let sof = try #require((0..<(bytes.count - 1)).first { bytes[$0] == 0xFF && bytes[$0 + 1] == 0xC0 })
        bytes[sof + 1] = 0xCF
        let message = try #require(thrownDescription { try JPEG.decode(bytes, name: "bad.jpg") })
        #expect(message.hasPrefix("bad.jpg: "), "got: \(message)")
        #expect(thrownDescription { try JPEG.decode([0xFF, 0xD8, 0xFF, 0x00, 0x13], name: "bad.jpg") }?.hasPrefix("bad.jpg: ") == true)
    }

    @Test func randomByteFlipsNeverCrash() throws {
        let original = base64Bytes(rgbJPEG)
        var rng = AugmentationRNG(seed: 11)
        for _ in 0..<300 {
            var bytes = original
            for _ in 0..<3 { bytes[Int(rng.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: rng.next()) }
            if let image = try? JPEG.decode(bytes) { #expect(image.pixels.count == image.width * image.height * image.channels) }
        }
    }

    @Test func sniffingDispatchesByContent() throws {
        let gray = try Image(width: 3, height: 2, channels: 1) { x, y, _ in Float(x * 50 + y) }
        #expect(try ImageFile.decode(PGM.encode(gray), name: "a") == gray)
        #expect(try ImageFile.decode(PNG.encode(gray), name: "b") == gray)
        #expect(try ImageFile.decode(JPEG.encode(gray, quality: 100), name: "c").width == 3)
        #expect(thrownDescription { try ImageFile.decode([1, 2, 3], name: "d.bin") } == "d.bin: not a PNG, PGM or JPEG file")
    }
}

import Testing
@testable import Imaging

private func numbered(width: Int, height: Int, channels: Int = 2) throws -> Image {
    try Image(width: width, height: height, channels: channels) { x, y, c in Float(100 * y + 10 * x + c) }
}

@Suite struct GeometryTests {
    @Test func flipsMoveSamplesExactly() throws {
        let image = try numbered(width: 5, height: 3)
        let horizontal = image.flippedHorizontally(), vertical = image.flippedVertically()
        for y in 0..<3 { for x in 0..<5 { for c in 0..<2 {
            #expect(horizontal[x, y, c] == image[4 - x, y, c])
            #expect(vertical[x, y, c] == image[x, 2 - y, c])
        } } }
        #expect(horizontal.flippedHorizontally() == image)
    }

    @Test func cropTakesTheRegion() throws {
        let image = try numbered(width: 6, height: 5)
        let crop = try image.cropped(x: 2, y: 1, width: 3, height: 2)
        #expect(crop.width == 3 && crop.height == 2)
        #expect(crop[0, 0, 1] == image[2, 1, 1])
        #expect(crop[2, 1, 0] == image[4, 2, 0])
        #expect(throws: ImagingError.self) { try image.cropped(x: 4, y: 0, width: 3, height: 1) }
    }

    @Test func padToSquareCentersContent() throws {
        let image = try numbered(width: 5, height: 2, channels: 1)
        let square = try image.paddedToSquare(value: -1)
        #expect(square.width == 5 && square.height == 5)
        #expect(square[0, 0, 0] == -1)
        #expect(square[0, 1, 0] == image[0, 0, 0], "3 rows of padding: 1 above, 2 below")
        #expect(square[4, 2, 0] == image[4, 1, 0])
        #expect(square[2, 3, 0] == -1)
        let tall = try Image(width: 2, height: 6, channels: 1, value: 5).paddedToAspect(width: 4, height: 3, value: 0)
        #expect(tall.width == 8 && tall.height == 6)
    }

    @Test func centerCropToSquareKeepsTheMiddle() throws {
        let image = try numbered(width: 7, height: 3, channels: 1)
        let square = try image.centerCroppedToSquare()
        #expect(square.width == 3 && square.height == 3)
        #expect(square[0, 0, 0] == image[2, 0, 0])
    }

    @Test func grayExpandsToThreeEqualChannels() throws {
        let gray = try numbered(width: 3, height: 2, channels: 1)
        let rgb = gray.expandedToRGB()
        #expect(rgb.channels == 3)
        for y in 0..<2 { for x in 0..<3 { for c in 0..<3 { #expect(rgb[x, y, c] == gray[x, y, 0]) } } }
        let rgba = try gray.converted(toChannels: 4)
        #expect(rgba[1, 1, 3] == 255)
        let backToGray = try rgb.converted(toChannels: 1)
        #expect(maxAbsDifference(backToGray.pixels, gray.pixels) < 1e-3, "luma weights sum to 1")
    }
}

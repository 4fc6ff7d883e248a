import Testing
@testable import Imaging

@Suite struct ResizeTests {
    @Test(arguments: [ResizeMethod.bilinear, .area])
    func constantImageStaysConstant(method: ResizeMethod) throws {
        let image = try Image(width: 37, height: 23, channels: 3, value: 117.25)
        for (w, h) in [(112, 112), (5, 9), (37, 46), (1, 1)] {
            let resized = try image.resized(width: w, height: h, method: method)
            #expect(resized.width == w && resized.height == h)
            #expect(resized.pixels.allSatisfy { abs($0 - 117.25) < 1e-3 })
        }
    }

    /// With half-pixel centers, output column i samples source coordinate (i + 0.5) * in / out - 0.5,
    /// so a ramp f(x) = 3x + 10 resizes to f of that coordinate (away from the clamped edges).
    @Test func bilinearResizeOfRampIsLinear() throws {
        let ramp = try Image(width: 40, height: 6, channels: 1) { x, _, _ in Float(3 * x + 10) }
        let resized = try ramp.resized(width: 25, height: 6)
        let scale = 40.0 / 25.0
        for i in 1..<24 {
            let source = (Double(i) + 0.5) * scale - 0.5
            #expect(abs(Double(resized[i, 3, 0]) - (3 * source + 10)) < 1e-3, "column \(i)")
        }
        let upscaled = try ramp.resized(width: 80, height: 6)
        let steps = (2..<78).map { upscaled[$0 + 1, 0, 0] - upscaled[$0, 0, 0] }
        #expect(steps.allSatisfy { abs($0 - 1.5) < 1e-3 }, "upscaling by 2 halves the slope")
    }

    /// Area averaging over integer factors is the mean of each block. Over a ramp it is the ramp at
    /// each block's center, up to the partly covered end pixels: a pixel is a step, not a slope,
    /// so each fractional end shifts the mean by at most 1 / (8 * scale).
    @Test func areaResizeAveragesBlocks() throws {
        let image = try Image(width: 4, height: 2, channels: 1, pixels: [0, 2, 4, 6, 8, 10, 12, 14])
        let halved = try image.resized(width: 2, height: 1, method: .area)
        #expect(halved.pixels == [5, 9])
        let ramp = try Image(width: 1024, height: 8, channels: 1) { x, _, _ in Float(x) }
        let small = try ramp.resized(width: 112, height: 8, method: .area)
        let scale = 1024.0 / 112.0
        for i in 0..<112 {
            let center = (Double(i) + 0.5) * scale - 0.5
            #expect(abs(Double(small[i, 4, 0]) - center) <= 0.125 / scale + 1e-3, "column \(i)")
        }
    }

    @Test func resizeRejectsEmptySizes() throws {
        let image = try Image(width: 4, height: 4, channels: 1)
        #expect(throws: ImagingError.self) { try image.resized(width: 0, height: 3) }
    }

    /// A 1024x1024 scan to a 112x112 network input, then one paper augmentation: both are single
    /// passes without per-pixel allocation, well under a second even on a busy machine.
    @Test func scanToNetworkInputIsFast() throws {
        let scan = try Image(width: 1024, height: 1024, channels: 1) { x, y, _ in Float((x ^ y) & 255) }
        let augmenter = Augmenter(.paper)
        let clock = ContinuousClock()
        var checksum: Float = 0
        let elapsed = try clock.measure {
            for seed in 0..<5 {
                let small = try scan.resized(width: 112, height: 112, method: .area)
                let augmented = augmenter.apply(small, seed: UInt64(seed))
                checksum += augmented.pixels[0]
            }
            checksum += augmenter.apply(scan, seed: 99).pixels[0]
        }
        #expect(checksum.isFinite)
        #expect(elapsed < .seconds(2), "5 resizes + augmentations and one full-size augmentation took \(elapsed)")
    }
}

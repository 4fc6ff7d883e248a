import Foundation
import Testing
@testable import Imaging

/// A blank gray image with a bright 3x3 block centered on (x, y).
private func marked(size: Int, x: Int, y: Int) throws -> Image {
    try Image(width: size, height: size, channels: 1) { px, py, _ in abs(px - x) <= 1 && abs(py - y) <= 1 ? 200 : 0 }
}

/// Intensity-weighted center of a one-channel image.
private func centroid(_ image: Image) -> (x: Double, y: Double) {
    var sum = 0.0, sx = 0.0, sy = 0.0
    for y in 0..<image.height { for x in 0..<image.width {
        let v = Double(image[x, y, 0]); sum += v; sx += v * Double(x); sy += v * Double(y)
    } }
    return (sx / sum, sy / sum)
}

private func apply(_ configure: (inout AugmentationParameters) -> Void, to image: Image, fill: FillMode = .constant(0)) -> Image {
    var config = Augmentation()
    config.fillMode = fill
    var parameters = AugmentationParameters()
    configure(&parameters)
    return Augmenter(config).apply(image, parameters: parameters)
}

@Suite struct AugmentationTests {
    @Test func flipsAloneAreExact() throws {
        let image = try Image(width: 6, height: 4, channels: 3) { x, y, c in Float(x * 31 + y * 7 + c) }
        #expect(apply({ $0.flipHorizontally = true }, to: image) == image.flippedHorizontally())
        #expect(apply({ $0.flipVertically = true }, to: image) == image.flippedVertically())
        #expect(Augmenter(.none).apply(image, seed: 1) == image)
    }

    /// About the center (4, 4) of a 9x9 image, +90 degrees turns content counterclockwise on screen:
    /// right of center goes to above center, and (6, 2) goes to (2, 2).
    @Test func rotationByNinetyDegreesMovesPointsOnTheGrid() throws {
        var image = try Image(width: 9, height: 9, channels: 1)
        image[7, 4, 0] = 200
        image[6, 2, 0] = 100
        let rotated = apply({ $0.rotationDegrees = 90 }, to: image)
        #expect(abs(rotated[4, 1, 0] - 200) < 1e-3)
        #expect(abs(rotated[2, 2, 0] - 100) < 1e-3)
        #expect(abs(rotated.pixels.reduce(0, +) - 300) < 1e-2, "nothing else lit")
    }

    /// A small rotation moves a marked point where rotating its offset from the center says.
    @Test func smallRotationMovesAPointAsTheAffineMathSays() throws {
        let center = 30.0, angle = 15.0 * Double.pi / 180
        let image = try marked(size: 61, x: 45, y: 22)
        let rotated = apply({ $0.rotationDegrees = 15 }, to: image)
        // Counterclockwise on screen with y down: (dx, dy) -> (dx cos + dy sin, -dx sin + dy cos).
        let dx = 15.0, dy = -8.0
        let expected = (x: center + dx * cos(angle) + dy * sin(angle), y: center - dx * sin(angle) + dy * cos(angle))
        let found = centroid(rotated)
        #expect(abs(found.x - expected.x) < 1 && abs(found.y - expected.y) < 1, "found \(found), expected \(expected)")
    }

    /// Keras' shear maps output (x, y) to source (x - sin(s) y, cos(s) y) about the center, so a point
    /// at offset (0, 10) lands at (10 tan s, 10 / cos s): right and down for positive s.
    @Test func shearMovesAPointAsExpected() throws {
        let s = 16.0 * Double.pi / 180
        let image = try marked(size: 61, x: 30, y: 40)
        let sheared = apply({ $0.shearDegrees = 16 }, to: image)
        let found = centroid(sheared)
        let expected = (x: 30 + 10 * tan(s), y: 30 + 10 / cos(s))
        #expect(abs(found.x - expected.x) < 0.5 && abs(found.y - expected.y) < 0.5, "found \(found), expected \(expected)")
    }

    @Test func shiftAndZoomMoveContent() throws {
        let image = try Image(width: 50, height: 10, channels: 1) { x, y, _ in Float(x * 3 + y) }
        let shifted = apply({ $0.shiftX = 0.1 }, to: image)
        for x in 5..<50 { #expect(abs(shifted[x, 3, 0] - image[x - 5, 3, 0]) < 1e-3) }
        let point = try marked(size: 41, x: 30, y: 20)
        let zoomed = apply({ $0.zoomX = 2; $0.zoomY = 2 }, to: point)
        let found = centroid(zoomed)
        #expect(abs(found.x - 25) < 0.5 && abs(found.y - 20) < 0.5, "zoom 2 halves offsets from the center: \(found)")
    }

    @Test func fillModesFollowScipy() throws {
        let image = try Image(width: 6, height: 3, channels: 1) { x, _, _ in Float(10 * (x + 1)) }
        let constant = apply({ $0.shiftX = 2.0 / 6 }, to: image, fill: .constant(7))
        #expect(constant[0, 1, 0] == 7 && constant[1, 1, 0] == 7 && abs(constant[2, 1, 0] - 10) < 1e-3)
        let nearest = apply({ $0.shiftX = 2.0 / 6 }, to: image, fill: .nearest)
        #expect(abs(nearest[0, 1, 0] - 10) < 1e-3 && abs(nearest[1, 1, 0] - 10) < 1e-3)
        let reflect = apply({ $0.shiftX = 2.0 / 6 }, to: image, fill: .reflect)
        #expect(abs(reflect[0, 1, 0] - 20) < 1e-3 && abs(reflect[1, 1, 0] - 10) < 1e-3, "dcba|abcd")
    }

    @Test func sameSeedSameOutput() throws {
        let image = try Image(width: 32, height: 24, channels: 3) { x, y, c in Float((x * 7 + y * 13 + c * 50) % 256) }
        let augmenter = Augmenter(.paper)
        let seed = AugmentationRNG.sampleSeed(epochSeed: 42, sampleIndex: 17)
        #expect(augmenter.apply(image, seed: seed) == augmenter.apply(image, seed: seed))
        #expect(seed == AugmentationRNG.sampleSeed(epochSeed: 42, sampleIndex: 17))
        let others = (0..<8).map { augmenter.parameters(seed: AugmentationRNG.sampleSeed(epochSeed: 42, sampleIndex: $0)) }
        #expect(Set(others.map(\.rotationDegrees)).count == 8, "samples get different draws")
        #expect(AugmentationRNG.sampleSeed(epochSeed: 43, sampleIndex: 17) != seed)
    }

    @Test func paperPresetDrawsWithinItsRanges() {
        let augmenter = Augmenter(.paper)
        var horizontal = 0, vertical = 0
        var rotations = [Double](), shears = [Double]()
        for index in 0..<2000 {
            let p = augmenter.parameters(seed: AugmentationRNG.sampleSeed(epochSeed: 1, sampleIndex: index))
            if p.flipHorizontally { horizontal += 1 }
            if p.flipVertically { vertical += 1 }
            rotations.append(p.rotationDegrees)
            shears.append(p.shearDegrees)
            #expect(p.shiftX == 0 && p.zoomX == 1)
        }
        #expect((900...1100).contains(horizontal) && (900...1100).contains(vertical))
        #expect(rotations.allSatisfy { abs($0) <= 20 } && rotations.min()! < -19 && rotations.max()! > 19)
        #expect(shears.allSatisfy { abs($0) <= 16 } && shears.min()! < -15 && shears.max()! > 15)
    }

    @Test func probabilitiesGateEachTransform() {
        var config = Augmentation.paper
        config.rotationProbability = 0
        config.shearProbability = 0
        let p = Augmenter(config).parameters(seed: 5)
        #expect(p.rotationDegrees == 0 && p.shearDegrees == 0)
        // Gating one transform does not reshuffle the draws of the others.
        #expect(p.flipHorizontally == Augmenter(.paper).parameters(seed: 5).flipHorizontally)
    }
}

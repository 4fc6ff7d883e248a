/// Random augmentation settings with Keras `ImageDataGenerator` semantics; every transform has
/// its own range and the probability that it applies at all.
///
/// Geometry (`AugmentationParameters.sourceMap`): one affine pull map about the image center
/// `((w - 1) / 2, (h - 1) / 2)`, composed in Keras' order rotation * shift * shear * zoom,
/// sampled bilinearly with `fillMode`; then the exact flips. Keras centers at `h / 2 + 0.5`,
/// half a pixel off the geometric center; the geometric center keeps 90-degree rotations on the
/// pixel grid.
public struct Augmentation: Sendable, Equatable {
    /// Probability of mirroring left to right.
    public var horizontalFlipProbability: Double = 0
    /// Probability of mirroring top to bottom.
    public var verticalFlipProbability: Double = 0
    /// Rotation angle drawn uniformly from `[-rotationRange, rotationRange]` degrees.
    public var rotationRange: Double = 0
    public var rotationProbability: Double = 1
    /// Shear angle drawn uniformly from `[-shearRange, shearRange]` degrees (Keras `shear_range`).
    public var shearRange: Double = 0
    public var shearProbability: Double = 1
    /// Shifts drawn uniformly from `[-range, range]`, as fractions of the width and height.
    public var widthShiftRange: Double = 0
    public var heightShiftRange: Double = 0
    public var shiftProbability: Double = 1
    /// Zoom factors (x and y independently) drawn uniformly from this range. As in Keras, the
    /// factor scales source coordinates: 1.25 shows more of the image (content shrinks).
    public var zoomRange: ClosedRange<Double> = 1...1
    public var zoomProbability: Double = 1
    /// What to sample outside the source image.
    public var fillMode: FillMode = .nearest

    public init() {}

    /// The study's augmentation: flips with probability 0.5 each, rotation in [-20, 20] degrees,
    /// shear in [-16, 16] degrees, nearest fill.
    public static let paper: Augmentation = {
        var config = Augmentation()
        config.horizontalFlipProbability = 0.5
        config.verticalFlipProbability = 0.5
        config.rotationRange = 20
        config.shearRange = 16
        return config
    }()

    /// No augmentation: `apply` returns its input unchanged.
    public static let none = Augmentation()
}

/// One draw of the random transforms; apply it with `Augmenter.apply(_:parameters:)`.
public struct AugmentationParameters: Sendable, Equatable {
    public var flipHorizontally = false
    public var flipVertically = false
    public var rotationDegrees: Double = 0
    public var shearDegrees: Double = 0
    /// Shifts as fractions of width and height; positive moves content right and down.
    public var shiftX: Double = 0
    public var shiftY: Double = 0
    public var zoomX: Double = 1
    public var zoomY: Double = 1

    public init() {}

    /// Whether any resampling transform is set (flips alone are exact moves).
    public var needsResampling: Bool {
        rotationDegrees != 0 || shearDegrees != 0 || shiftX != 0 || shiftY != 0 || zoomX != 1 || zoomY != 1
    }

    /// The pull map from output pixel to source coordinate for a `width` x `height` image,
    /// before flips. A positive rotation turns content counterclockwise on screen.
    public func sourceMap(width: Int, height: Int) -> AffineTransform {
        let shift = AffineTransform.translation(x: -shiftX * Double(width), y: -shiftY * Double(height))
        let linear = AffineTransform.rotation(degrees: rotationDegrees) * shift
            * AffineTransform.shear(degrees: shearDegrees) * AffineTransform.scale(x: zoomX, y: zoomY)
        return linear.about(x: Double(width - 1) / 2, y: Double(height - 1) / 2)
    }
}

/// Applies an `Augmentation` deterministically from a seed.
public struct Augmenter: Sendable {
    public let config: Augmentation

    public init(_ config: Augmentation) {
        self.config = config
    }

    /// Draws the transforms from `rng`. Every draw happens whatever the probabilities, in a fixed
    /// order, so changing one setting does not reshuffle the others.
    public func parameters(using rng: inout AugmentationRNG) -> AugmentationParameters {
        var p = AugmentationParameters()
        p.flipHorizontally = rng.chance(config.horizontalFlipProbability)
        p.flipVertically = rng.chance(config.verticalFlipProbability)
        let rotate = rng.chance(config.rotationProbability)
        let angle = rng.uniform(-config.rotationRange, config.rotationRange)
        if rotate { p.rotationDegrees = angle }
        let shear = rng.chance(config.shearProbability)
        let shearAngle = rng.uniform(-config.shearRange, config.shearRange)
        if shear { p.shearDegrees = shearAngle }
        let shift = rng.chance(config.shiftProbability)
        let shiftX = rng.uniform(-config.widthShiftRange, config.widthShiftRange)
        let shiftY = rng.uniform(-config.heightShiftRange, config.heightShiftRange)
        if shift { p.shiftX = shiftX; p.shiftY = shiftY }
        let zoom = rng.chance(config.zoomProbability)
        let zoomX = rng.uniform(config.zoomRange.lowerBound, config.zoomRange.upperBound)
        let zoomY = rng.uniform(config.zoomRange.lowerBound, config.zoomRange.upperBound)
        if zoom { p.zoomX = zoomX; p.zoomY = zoomY }
        return p
    }

    /// The transforms drawn for `seed` (e.g. `AugmentationRNG.sampleSeed(epochSeed:sampleIndex:)`).
    public func parameters(seed: UInt64) -> AugmentationParameters {
        var rng = AugmentationRNG(seed: seed)
        return parameters(using: &rng)
    }

    /// The augmented image for `seed`: same seed, same output.
    public func apply(_ image: Image, seed: UInt64) -> Image {
        apply(image, parameters: parameters(seed: seed))
    }

    /// The image under the given transforms: affine resampling (skipped when there is none), then flips.
    public func apply(_ image: Image, parameters p: AugmentationParameters) -> Image {
        var output = image
        if p.needsResampling {
            output = output.warped(sourceOf: p.sourceMap(width: image.width, height: image.height), fill: config.fillMode)
        }
        if p.flipHorizontally { output = output.flippedHorizontally() }
        if p.flipVertically { output = output.flippedVertically() }
        return output
    }
}

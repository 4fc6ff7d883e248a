import Foundation
import Imaging

/// The built-in SYNTHETIC dataset: small computer-generated mammogram-like images, for smoke
/// tests, demos and CI when no real data is at hand. Nothing in it comes from a patient.
///
/// Each image is a breast-shaped region against a dark background (soft, slightly wavy skin
/// line), filled with fibroglandular texture from seeded value noise, optionally with a bright
/// pectoral-muscle triangle in the chest-wall corner. Class `lesion` images also contain one
/// mass-like bright blob (soft or spiculated edge) placed entirely inside the breast; its
/// enclosing circle is recorded. Classes are balanced exactly (±1 for odd counts) and two
/// consecutive images form one synthetic "patient" (right and mirrored left breast).
///
/// Measured (seed 9, 1000 images each at 32, 64, 128 px and 200 at 256 px): every lesion circle
/// lies inside the breast mask, and the lesion core is at least 0.17 (x 255) brighter than the tissue
/// ring around it. 400 images of 128 x 128 take about 0.35 s in a release build.
/// Labels, patients and lesion circles come from SplitMix64 only; pixel values also use
/// `sin`/`atan2`, whose last bits may differ between C libraries.
public enum Synthetic {
    public static let datasetName = "synthetic"
    public static let classNames = ["normal", "lesion"]

    public struct Options: Sendable, Equatable {
        public var count: Int
        /// Width and height in pixels.
        public var size: Int
        public var seed: UInt64
        public var imagesPerPatient: Int
        public var pectoralMuscle: Bool

        public init(count: Int = 400, size: Int = 128, seed: UInt64 = 0, imagesPerPatient: Int = 2,
                    pectoralMuscle: Bool = true) {
            self.count = count
            self.size = size
            self.seed = seed
            self.imagesPerPatient = imagesPerPatient
            self.pectoralMuscle = pectoralMuscle
        }
    }

    /// One generated image with its ground truth.
    public struct Rendered: Sendable {
        public var image: Image
        /// true where the pixel belongs to the breast (skin line included, background excluded).
        public var breastMask: [Bool]
        /// The enclosing circle of the lesion, nil for `normal` images.
        public var lesion: LesionCircle?
    }

    /// Generates the whole dataset. Image `i` depends only on (seed, i, label, size, options),
    /// so the result is identical on every platform.
    public static func generate(_ options: Options = Options()) throws -> SyntheticDataset {
        guard options.count > 0, options.size >= 32, options.size <= 4096, options.imagesPerPatient > 0 else {
            throw DatasetError.unsupported("synthetic dataset: count must be > 0, size in 32...4096, imagesPerPatient > 0 (got \(options))")
        }
        var labels = (0..<options.count).map { $0 % 2 }
        var rng = SplitMix64(seed: options.seed ^ 0x5eed_1abe_15)
        rng.shuffle(&labels)
        var samples: [Sample] = []
        var images: [Image] = []
        var masks: [[Bool]] = []
        samples.reserveCapacity(options.count)
        for index in 0..<options.count {
            let mirrored = index % options.imagesPerPatient == 1
            let rendered = try render(index: index, lesion: labels[index] == 1, options: options, mirrored: mirrored)
            let patient = index / options.imagesPerPatient + 1
            samples.append(Sample(id: String(format: "synthetic-%05d", index), location: .memory(index: index),
                                  label: labels[index], patientID: String(format: "S%04d", patient),
                                  lesions: rendered.lesion.map { [$0] } ?? []))
            images.append(rendered.image)
            masks.append(rendered.breastMask)
        }
        let dataset = Dataset(name: datasetName, classNames: classNames, samples: samples,
                              notes: ["synthetic: generated images (seed \(options.seed), \(options.size)x\(options.size)), not patient data"])
        return SyntheticDataset(dataset: dataset, images: images, breastMasks: masks, options: options)
    }

    /// Renders one gray image (one channel, 0...255). `mirrored` puts the chest wall on the right
    /// (a left breast). Throws for a size Imaging cannot hold (e.g. 0).
    public static func render(index: Int, lesion hasLesion: Bool, options: Options, mirrored: Bool = false) throws -> Rendered {
        let n = options.size
        let s = Float(n)
        var rng = SplitMix64(seed: options.seed &+ UInt64(index) &* 0x9e37_79b9_7f4a_7c15)
        _ = rng.next()

        // Breast outline: a half-ellipse on the chest wall (x = 0) with a gently wavy border.
        let cy = s * rng.nextFloat(in: 0.45, 0.55)
        let a = s * rng.nextFloat(in: 0.55, 0.8), b = s * rng.nextFloat(in: 0.36, 0.46)
        let wave1 = rng.nextFloat(in: 0, 6.283), wave2 = rng.nextFloat(in: 0, 6.283)
        let edge: Float = 3 / min(a, b)  // skin-line softness, about three pixels
        func radial(_ x: Float, _ y: Float) -> Float {
            let u = x / a, v = (y - cy) / b
            let theta = atan2(v, u)
            let wobble = 1 + 0.04 * sin(2 * theta + wave1) + 0.02 * sin(5 * theta + wave2)
            return (u * u + v * v).squareRoot() / wobble
        }
        // Pectoral muscle: a triangle in the upper chest-wall corner.
        let pecX = s * rng.nextFloat(in: 0.2, 0.35), pecY = s * rng.nextFloat(in: 0.4, 0.65)
        func pectoral(_ x: Float, _ y: Float) -> Float {
            guard options.pectoralMuscle else { return 0 }
            let t = 1 - (x / pecX + y / pecY)  // > 0 inside
            return smoothstep(-0.05, 0.05, t)
        }

        // Lesion: radius, brightness and spiculation, placed so the whole blob is in the breast.
        var lesionShape: (x: Float, y: Float, r: Float, amplitude: Float, spikes: Float, k: Float, phase: Float)?
        if hasLesion {
            let r = s * rng.nextFloat(in: 0.045, 0.085)
            let spikes = rng.nextFloat() < 0.5 ? 0 : rng.nextFloat(in: 0.1, 0.25)
            let k = Float(5 + rng.nextInt(below: 5)), phase = rng.nextFloat(in: 0, 6.283)
            let amplitude = rng.nextFloat(in: 0.28, 0.42)
            let outer = r * (1 + spikes) + 2
            var centre = (x: a * 0.4, y: cy)
            for _ in 0..<200 {
                let x = rng.nextFloat(in: 0, a), y = rng.nextFloat(in: cy - b, cy + b)
                let inside = (0..<16).allSatisfy { step in
                    let angle = Float(step) * 0.3927
                    let px = x + outer * cos(angle), py = y + outer * sin(angle)
                    return px >= 0 && radial(px, py) < 1 - edge && pectoral(px, py) < 0.01
                }
                if inside { centre = (x, y); break }
            }
            lesionShape = (centre.x, centre.y, r, amplitude, spikes, k, phase)
        }

        let noise = ValueNoise(size: n, octaves: 5, rng: &rng)
        let density = rng.nextFloat(in: 0.6, 1.0)
        var pixels = [Float](repeating: 0, count: n * n)
        var mask = [Bool](repeating: false, count: n * n)
        for row in 0..<n {
            let y = Float(row) + 0.5
            for col in 0..<n {
                let x = Float(col) + 0.5
                let rho = radial(x, y)
                let breast = smoothstep(1, 1 - edge, rho)
                var value: Float = 0.03 + 0.02 * noise.value(row: row, col: col)
                if breast > 0 {
                    let texture = noise.value(row: row, col: col)
                    var tissue = 0.2 + 0.18 * (1 - rho * rho) + density * 0.6 * (texture - 0.4)
                    tissue += (0.62 + 0.2 * (texture - 0.5) - tissue) * pectoral(x, y)
                    if let l = lesionShape {
                        let dx = x - l.x, dy = y - l.y
                        let d = (dx * dx + dy * dy).squareRoot()
                        if d < l.r * (1 + l.spikes) + 1 {
                            let angle = atan2(dy, dx)
                            let rim = l.r * (1 + l.spikes * 0.5 * (sin(l.k * angle + l.phase) + sin((l.k + 3) * angle + 2 * l.phase)))
                            tissue += l.amplitude * (1 - smoothstep(0.3 * l.r, max(rim, 0.5 * l.r), d))
                        }
                    }
                    value = value * (1 - breast) + tissue * breast
                }
                let column = mirrored ? n - 1 - col : col
                pixels[row * n + column] = min(1, max(0, value))
                mask[row * n + column] = breast >= 0.5
            }
        }
        let circle = lesionShape.map { l in
            LesionCircle(column: Double(mirrored ? s - l.x : l.x) - 0.5, row: Double(l.y) - 0.5,
                         radius: Double(l.r * (1 + l.spikes)))
        }
        // Intensities in [0, 1] become Imaging's 0...255 scale; the initializer rejects bad sizes.
        let image = try Image(width: n, height: n, channels: 1, pixels: pixels.map { $0 * 255 })
        return Rendered(image: image, breastMask: mask, lesion: circle)
    }
}

/// The generated images together with their dataset description; serves its own pixels.
public struct SyntheticDataset: ImageSource {
    public var dataset: Dataset
    public var images: [Image]
    public var breastMasks: [[Bool]]
    public var options: Synthetic.Options

    public func image(for sample: Sample, in dataset: Dataset) throws -> Image {
        guard case .memory(let index) = sample.location, images.indices.contains(index) else {
            throw DatasetError.invalid(dataset: dataset.name, "sample '\(sample.id)' is not one of the \(images.count) synthetic images")
        }
        return images[index]
    }
}

@inline(__always) func smoothstep(_ edge0: Float, _ edge1: Float, _ x: Float) -> Float {
    let t = min(1, max(0, (x - edge0) / (edge1 - edge0)))
    return t * t * (3 - 2 * t)
}

/// Fractal value noise in [0, 1): octaves of smoothly interpolated random lattices.
struct ValueNoise {
    private var lattices: [[Float]] = []
    private var cells: [Int] = []
    private var weights: [Float] = []
    private let size: Int
    /// Per octave: lattice index and fade weight of each pixel coordinate (same for rows and columns).
    private var cellOf: [[Int]] = []
    private var fadeOf: [[Float]] = []

    init(size: Int, octaves: Int, rng: inout SplitMix64) {
        self.size = size
        var amplitude: Float = 1, total: Float = 0
        for octave in 0..<octaves {
            let count = 3 << octave  // 3, 6, 12, 24, 48 cells across
            let lattice = (0..<((count + 1) * (count + 1))).map { _ in rng.nextFloat() }
            lattices.append(lattice)
            cells.append(count)
            weights.append(amplitude)
            total += amplitude
            amplitude *= 0.6
            let scale = Float(count) / Float(size)
            var cell = [Int](), fade = [Float]()
            for p in 0..<size {
                let t = (Float(p) + 0.5) * scale
                let i = min(count - 1, Int(t))
                let f = t - Float(i)
                cell.append(i)
                fade.append(f * f * (3 - 2 * f))
            }
            cellOf.append(cell)
            fadeOf.append(fade)
        }
        weights = weights.map { $0 / total }
    }

    func value(row: Int, col: Int) -> Float {
        var sum: Float = 0
        for o in 0..<lattices.count {
            let stride = cells[o] + 1
            let (i, j) = (cellOf[o][row], cellOf[o][col])
            let (fy, fx) = (fadeOf[o][row], fadeOf[o][col])
            let base = i * stride + j
            let l = lattices[o]
            let top = l[base] + (l[base + 1] - l[base]) * fx
            let bottom = l[base + stride] + (l[base + stride + 1] - l[base + stride]) * fx
            sum += weights[o] * (top + (bottom - top) * fy)
        }
        return sum
    }
}

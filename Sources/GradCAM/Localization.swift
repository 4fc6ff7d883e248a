import GraphIR

/// A circular region of a heatmap (a lesion annotation), in heatmap pixel coordinates:
/// pixel (x, y) is at the point (x, y), x to the right and y down.
public struct Circle: Sendable, Equatable {
    public var x: Double
    public var y: Double
    public var radius: Double

    public init(x: Double, y: Double, radius: Double) {
        self.x = x
        self.y = y
        self.radius = radius
    }

    /// Whether point (px, py) lies within the circle grown by `margin`.
    public func contains(x px: Double, y py: Double, margin: Double = 0) -> Bool {
        let dx = px - x, dy = py - y
        return (dx * dx + dy * dy).squareRoot() <= radius + margin
    }
}

/// Scores of how well a heatmap localizes an annotated region.
public enum Localization {
    /// The pointing game: whether the heatmap's peak (the first maximum in row-major
    /// order) lies inside `circle` grown by `margin` pixels. False for an all-zero map
    /// or a map whose size does not match.
    public static func pointingGame(_ heatmap: [Float], width: Int, height: Int, circle: Circle, margin: Double = 0) -> Bool {
        guard width > 0, heatmap.count == width * height, let top = heatmap.max(), top > 0,
              let best = heatmap.firstIndex(of: top) else { return false }
        return circle.contains(x: Double(best % width), y: Double(best / width), margin: margin)
    }

    /// The share of the heatmap's total mass (sum of its non-negative values) at pixels
    /// inside `circle`; 0 for an all-zero map or a size mismatch.
    public static func energyInside(_ heatmap: [Float], width: Int, height: Int, circle: Circle) -> Double {
        guard width > 0, heatmap.count == width * height else { return 0 }
        var total = 0.0, inside = 0.0
        for (i, v) in heatmap.enumerated() where v > 0 {
            total += Double(v)
            if circle.contains(x: Double(i % width), y: Double(i / width)) { inside += Double(v) }
        }
        return total > 0 ? inside / total : 0
    }
}

/// A mean with a bootstrap confidence interval.
public struct BootstrapInterval: Sendable, Equatable {
    public var mean: Double
    public var lower: Double
    public var upper: Double
    public var count: Int

    /// The percentile bootstrap interval of the mean of `values`: `resamples` resamples
    /// with replacement drawn from a generator seeded with `seed`, and the
    /// (1 - confidence)/2 and (1 + confidence)/2 quantiles of their means (linear
    /// interpolation between order statistics). Nil for no values.
    public static func ofMean(_ values: [Double], resamples: Int = 1000, confidence: Double = 0.95,
                              seed: UInt64 = 0) -> BootstrapInterval? {
        guard !values.isEmpty, resamples >= 1, confidence > 0, confidence < 1 else { return nil }
        let n = values.count
        var rng = SeededRandom(seed: seed, stream: "bootstrap")
        var means: [Double] = []
        means.reserveCapacity(resamples)
        for _ in 0..<resamples {
            var sum = 0.0
            for _ in 0..<n { sum += values[Int(rng.next() % UInt64(n))] }
            means.append(sum / Double(n))
        }
        means.sort()
        let alpha = (1 - confidence) / 2
        return BootstrapInterval(mean: values.reduce(0, +) / Double(n), lower: quantile(means, alpha),
                                 upper: quantile(means, 1 - alpha), count: n)
    }

    /// One interval per class: the mean of the `values` whose `classes` entry is that
    /// class, each with its own seeded stream (`seed + class`).
    public static func perClass(_ values: [Double], classes: [Int], resamples: Int = 1000, confidence: Double = 0.95,
                                seed: UInt64 = 0) -> [Int: BootstrapInterval] {
        var groups: [Int: [Double]] = [:]
        for (v, k) in zip(values, classes) { groups[k, default: []].append(v) }
        var out: [Int: BootstrapInterval] = [:]
        for (k, group) in groups {
            out[k] = ofMean(group, resamples: resamples, confidence: confidence, seed: seed &+ UInt64(bitPattern: Int64(k)))
        }
        return out
    }

    /// The q-quantile of sorted values, interpolating linearly (numpy's default).
    static func quantile(_ sorted: [Double], _ q: Double) -> Double {
        let position = q * Double(sorted.count - 1)
        let low = Int(position.rounded(.down)), high = min(low + 1, sorted.count - 1)
        return sorted[low] + (sorted[high] - sorted[low]) * (position - Double(low))
    }
}

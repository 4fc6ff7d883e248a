/// Colormaps for heatmaps (Grad-CAM), as 256-entry lookup tables of RGB in [0, 255].
public struct Colormap: Sendable, Equatable {
    /// 256 RGB triples, flattened: entry i is `table[3 i ..< 3 i + 3]`.
    public let table: [Float]

    /// matplotlib's `jet`: its piecewise-linear segment data sampled at 256 points (entry i at
    /// i / 255), looked up as matplotlib does (`index = min(Int(v * 256), 255)`). OpenCV's
    /// `COLORMAP_JET` differs from it by a few levels in places; this is the matplotlib one.
    public static let jet: Colormap = {
        // (position, value) knots of each channel, from matplotlib's _jet_data.
        let red: [(Double, Double)] = [(0, 0), (0.35, 0), (0.66, 1), (0.89, 1), (1, 0.5)]
        let green: [(Double, Double)] = [(0, 0), (0.125, 0), (0.375, 1), (0.64, 1), (0.91, 0), (1, 0)]
        let blue: [(Double, Double)] = [(0, 0.5), (0.11, 1), (0.34, 1), (0.65, 0), (1, 0)]
        func interpolate(_ knots: [(Double, Double)], _ t: Double) -> Double {
            for k in 1..<knots.count where t <= knots[k].0 {
                let (x0, y0) = knots[k - 1], (x1, y1) = knots[k]
                return y0 + (y1 - y0) * (t - x0) / (x1 - x0)
            }
            return knots[knots.count - 1].1
        }
        var table = [Float]()
        for i in 0..<256 {
            let t = Double(i) / 255
            for knots in [red, green, blue] { table.append(Float(interpolate(knots, t) * 255)) }
        }
        return Colormap(table: table)
    }()

    /// The table entry for `value` in [0, 1] (clipped; NaN maps to 0).
    public func rgb(_ value: Float) -> (r: Float, g: Float, b: Float) {
        let i = lookupIndex(value)
        return (table[3 * i], table[3 * i + 1], table[3 * i + 2])
    }

    @inline(__always) func lookupIndex(_ value: Float) -> Int {
        guard value > 0 else { return 0 }  // also catches NaN
        return value >= 1 ? 255 : min(Int(value * 256), 255)
    }
}

/// Colors a `width` x `height` map of values in [0, 1] (row-major) into an RGB image.
public func heatmapToRGB(_ map: [Float], width: Int, height: Int, colormap: Colormap = .jet) throws -> Image {
    guard map.count == width * height else {
        throw ImagingError(reason: "heatmap of \(map.count) values is not \(width)x\(height)")
    }
    var output = try Image(width: width, height: height, channels: 3)
    output.withUnsafeMutablePixels { target in
        for (p, value) in map.enumerated() {
            let i = colormap.lookupIndex(value)
            target[3 * p] = colormap.table[3 * i]
            target[3 * p + 1] = colormap.table[3 * i + 1]
            target[3 * p + 2] = colormap.table[3 * i + 2]
        }
    }
    return output
}

/// `(1 - alpha) * image + alpha * overlay`, clipped to [0, 255], as RGB (gray is expanded and
/// alpha channels are dropped). The images must have the same size.
public func blend(_ image: Image, _ overlay: Image, alpha: Float = 0.5) throws -> Image {
    guard image.width == overlay.width, image.height == overlay.height else {
        throw ImagingError(reason: "cannot blend a \(overlay.width)x\(overlay.height) overlay onto a \(image.width)x\(image.height) image")
    }
    guard alpha >= 0, alpha <= 1 else { throw ImagingError(reason: "blend alpha \(alpha) is outside [0, 1]") }
    let base = image.expandedToRGB(), top = overlay.expandedToRGB()
    let blended = zip(base.pixels, top.pixels).map { min(max((1 - alpha) * $0 + alpha * $1, 0), 255) }
    return Image(unchecked: image.width, height: image.height, channels: 3, pixels: blended)
}

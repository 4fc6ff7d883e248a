import Foundation

/// A 2-D affine map of pixel coordinates `(x, y)` (x to the right, y down, pixel centers at
/// integers): `(x, y) -> (a x + b y + tx, c x + d y + ty)`.
public struct AffineTransform: Sendable, Equatable {
    public var a: Double, b: Double, c: Double, d: Double, tx: Double, ty: Double

    public init(a: Double, b: Double, c: Double, d: Double, tx: Double, ty: Double) {
        self.a = a; self.b = b; self.c = c; self.d = d; self.tx = tx; self.ty = ty
    }

    public static let identity = AffineTransform(a: 1, b: 0, c: 0, d: 1, tx: 0, ty: 0)

    /// Applies the map to a point.
    public func apply(x: Double, y: Double) -> (x: Double, y: Double) {
        (a * x + b * y + tx, c * x + d * y + ty)
    }

    /// `self` after `other`: `(self * other)(p) = self(other(p))`.
    public static func * (lhs: AffineTransform, rhs: AffineTransform) -> AffineTransform {
        AffineTransform(a: lhs.a * rhs.a + lhs.b * rhs.c, b: lhs.a * rhs.b + lhs.b * rhs.d,
                        c: lhs.c * rhs.a + lhs.d * rhs.c, d: lhs.c * rhs.b + lhs.d * rhs.d,
                        tx: lhs.a * rhs.tx + lhs.b * rhs.ty + lhs.tx, ty: lhs.c * rhs.tx + lhs.d * rhs.ty + lhs.ty)
    }

    /// The inverse map, or nil when the map is singular.
    public var inverse: AffineTransform? {
        let det = a * d - b * c
        guard abs(det) > 1e-12, det.isFinite else { return nil }
        let ia = d / det, ib = -b / det, ic = -c / det, id = a / det
        return AffineTransform(a: ia, b: ib, c: ic, d: id, tx: -(ia * tx + ib * ty), ty: -(ic * tx + id * ty))
    }

    public static func translation(x: Double, y: Double) -> AffineTransform {
        AffineTransform(a: 1, b: 0, c: 0, d: 1, tx: x, ty: y)
    }

    /// Keras' rotation matrix `[[cos, -sin], [sin, cos]]` for `degrees`.
    public static func rotation(degrees: Double) -> AffineTransform {
        let t = degrees * .pi / 180
        return AffineTransform(a: cos(t), b: -sin(t), c: sin(t), d: cos(t), tx: 0, ty: 0)
    }

    /// Keras' shear matrix `[[1, -sin s], [0, cos s]]` for `degrees` s.
    public static func shear(degrees: Double) -> AffineTransform {
        let s = degrees * .pi / 180
        return AffineTransform(a: 1, b: -sin(s), c: 0, d: cos(s), tx: 0, ty: 0)
    }

    public static func scale(x: Double, y: Double) -> AffineTransform {
        AffineTransform(a: x, b: 0, c: 0, d: y, tx: 0, ty: 0)
    }

    /// This map conjugated to act about `(cx, cy)` instead of the origin.
    public func about(x cx: Double, y cy: Double) -> AffineTransform {
        .translation(x: cx, y: cy) * self * .translation(x: -cx, y: -cy)
    }
}

/// What `warped` samples where a source coordinate falls outside the image (scipy.ndimage modes).
public enum FillMode: Sendable, Equatable {
    /// Outside samples are this value (every channel).
    case constant(Float)
    /// The nearest edge sample (`aaaa|abcd|dddd`); Keras' default.
    case nearest
    /// Mirror about the edge, repeating the edge sample (`dcba|abcd|dcba`).
    case reflect
}

extension Image {
    /// Resamples the image through `sourceOf`, which maps each output pixel center to the source
    /// coordinate it takes its value from (a pull map, as `scipy.ndimage.affine_transform` and
    /// Keras use), with bilinear interpolation and `fill` outside the source.
    public func warped(sourceOf map: AffineTransform, fill: FillMode = .nearest) -> Image {
        let width = self.width, height = self.height, channels = self.channels
        var output = [Float](repeating: 0, count: pixels.count)
        var constant: Float = 0
        if case .constant(let value) = fill { constant = value }
        let maxX = width - 1, maxY = height - 1

        /// Source index along one axis after the fill mode, or -1 for "use the constant".
        @inline(__always) func resolve(_ i: Int, _ n: Int) -> Int {
            if i >= 0, i < n { return i }
            switch fill {
            case .constant: return -1
            case .nearest: return i < 0 ? 0 : n - 1
            case .reflect:
                let period = 2 * n
                var m = i % period
                if m < 0 { m += period }
                return m < n ? m : period - 1 - m
            }
        }

        pixels.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                for y in 0..<height {
                    var sx = map.b * Double(y) + map.tx, sy = map.d * Double(y) + map.ty
                    for x in 0..<width {
                        let out = (y * width + x) * channels
                        // A non-finite coordinate (from a degenerate map) samples the fill, never traps.
                        let finite = sx.isFinite && sy.isFinite
                        let fx = finite ? min(max(sx, -1e9), 1e9).rounded(.down) : -1e9
                        let fy = finite ? min(max(sy, -1e9), 1e9).rounded(.down) : -1e9
                        let wx = finite ? Float(sx - fx) : 0, wy = finite ? Float(sy - fy) : 0
                        let x0 = Int(fx), y0 = Int(fy)
                        if x0 >= 0, y0 >= 0, x0 < maxX, y0 < maxY {
                            // All four taps inside: the common, branch-free case.
                            let p00 = (y0 * width + x0) * channels, p10 = p00 + channels
                            let p01 = p00 + width * channels, p11 = p01 + channels
                            for c in 0..<channels {
                                let top = source[p00 + c] + wx * (source[p10 + c] - source[p00 + c])
                                let bottom = source[p01 + c] + wx * (source[p11 + c] - source[p01 + c])
                                target[out + c] = top + wy * (bottom - top)
                            }
                        } else {
                            let xa = resolve(x0, width), xb = resolve(x0 + 1, width)
                            let ya = resolve(y0, height), yb = resolve(y0 + 1, height)
                            for c in 0..<channels {
                                @inline(__always) func tap(_ xi: Int, _ yi: Int) -> Float {
                                    xi < 0 || yi < 0 ? constant : source[(yi * width + xi) * channels + c]
                                }
                                let top = tap(xa, ya) * (1 - wx) + tap(xb, ya) * wx
                                let bottom = tap(xa, yb) * (1 - wx) + tap(xb, yb) * wx
                                target[out + c] = top * (1 - wy) + bottom * wy
                            }
                        }
                        sx += map.a
                        sy += map.c
                    }
                }
            }
        }
        return Image(unchecked: width, height: height, channels: channels, pixels: output)
    }
}

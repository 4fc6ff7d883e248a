import Imaging
import Testing
@testable import GradCAM

/// From a feature-map-sized map to the pictures: bilinear upsampling, 8-bit levels, jet,
/// 50/50 blend. Expected values are worked out by hand in the comments.
struct RenderingTests {
    /// A 4x4 map with a single 1 at (1, 1).
    let spike = ClassActivationMap(width: 4, height: 4,
                                   values: (0..<16).map { $0 == 5 ? 1 : 0 }, allZero: false)

    /// 4 -> 16 with half-pixel centers: output column x samples (x + 0.5) / 4 - 0.5, so
    /// columns 4...7 take source column 1 with weights 0.625, 0.875, 0.875, 0.625.
    @Test func upsamplingIsBilinearWithHalfPixelCenters() throws {
        let big = try spike.upsampled(width: 16, height: 16)
        #expect(abs(big[5 * 16 + 5] - 0.875 * 0.875) < 1e-6)
        #expect(abs(big[4 * 16 + 4] - 0.625 * 0.625) < 1e-6)
        #expect(abs(big[5 * 16 + 4] - 0.875 * 0.625) < 1e-6)
        #expect(big[0] == 0 && big[15 * 16 + 15] == 0)
    }

    @Test func goldenSixteenBySixteenRendering() throws {
        let gray = try Image(width: 16, height: 16, channels: 1, value: 100)
        let r = try spike.rendered(onto: gray)
        #expect(r.levels[5 * 16 + 5] == 195)  // round(255 * 0.765625) = round(195.23)
        #expect(r.levels[4 * 16 + 4] == 100)  // round(255 * 0.390625) = round(99.61)
        #expect(r.levels[0] == 0)
        // Level 195 -> jet(195/255 = 0.7647): red 1, green 1 - (0.7647 - 0.64) / 0.27 = 0.5381, blue 0.
        let p = (5 * 16 + 5) * 3
        #expect(r.heatmap.pixels[p] == 255 && abs(r.heatmap.pixels[p + 1] - 137.22) < 0.01 && r.heatmap.pixels[p + 2] == 0)
        // Overlay = (100 + heatmap) / 2: (177.5, 118.61, 50); level 0 is jet's dark blue (0, 0, 127.5).
        #expect(abs(r.overlay.pixels[p] - 177.5) < 1e-4 && abs(r.overlay.pixels[p + 1] - 118.61) < 0.01)
        #expect(r.overlay.pixels[p + 2] == 50)
        #expect(Array(r.overlay.pixels[0..<3]) == [50, 50, 113.75])
        #expect(r.original.channels == 3 && r.original.pixels[0] == 100)
        // The sum of all 256 levels: the map is the outer product of the column profile
        // [0, 0, .125, .375, .625, .875, .875, .625, .375, .125, 0, ...] with itself, and
        // sum(round(255 p_x p_y)) over it is 4084.
        #expect(r.levels.reduce(0) { $0 + Int($1) } == 4084)
        // Through PNG and back, 8-bit: the overlay's samples round to the nearest level.
        let decoded = try PNG.decode(try PNG.encode(r.overlay))
        #expect(Array(decoded.pixels[p..<(p + 3)]) == [178, 119, 50])
    }

    /// Spot values of matplotlib's jet (`matplotlib.cm.jet(x)[:3] * 255`; its 256-entry
    /// table is looked up at int(256 x), so jet(0.75) is entry 192 = 192/255), one level
    /// of tolerance per channel.
    @Test(arguments: [(Float(0), (0, 0, 127.5)), (0.25, (0, 128.5, 255)), (0.5, (125, 255, 121.8)),
                      (0.75, (255, 148.3, 0)), (1, (127.5, 0, 0))] as [(Float, (Double, Double, Double))])
    func jetMatchesMatplotlib(value: Float, expected: (Double, Double, Double)) {
        let (r, g, b) = Colormap.jet.rgb(value)
        #expect(abs(Double(r) - expected.0) <= 1 && abs(Double(g) - expected.1) <= 1 && abs(Double(b) - expected.2) <= 1,
                "jet(\(value)) = (\(r), \(g), \(b)), expected \(expected)")
    }

    @Test func allZeroMapsAreFlaggedNotNaN() throws {
        let cam = try GradCAM.map(activation: [1, 2, 3, 4], gradient: [-1, -1, -1, -1], channels: 1, height: 2, width: 2)
        #expect(cam.allZero && cam.values == [0, 0, 0, 0])
        let r = try cam.rendered(onto: try Image(width: 4, height: 4, channels: 3, value: 0))
        #expect(r.levels.allSatisfy { $0 == 0 })
    }

    /// Grad-CAM++ weights a channel by sum_ij alpha_ij ReLU(g_ij) with
    /// alpha = g^2 / (2 g^2 + sum(A) g^3): for constant g = 1 and sum(A) = 2, alpha = 1/4.
    @Test func gradCAMPlusPlusAlphaFormula() {
        let w = GradCAM.channelWeights(activation: [0.5, 0.5, 0.5, 0.5, 1, 1, 1, 1], gradient: [1, 1, 1, 1, -1, 0, -1, 0],
                                       channels: 2, plane: 4, method: .gradCAMPlusPlus)
        #expect(abs(w[0] - 4 * 0.25) < 1e-6)
        #expect(w[1] == 0)  // negative gradients carry no weight; zero gradients have alpha 0
    }
}

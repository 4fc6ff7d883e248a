import Testing
@testable import Imaging

@Suite struct ColormapTests {
    /// matplotlib's jet, by hand from its segment data (entry i samples i / 255):
    /// jet(0) = (0, 0, 0.5), jet(1) = (0.5, 0, 0), jet(0.5) -> entry 128 at t = 128/255:
    /// r = (t - 0.35) / 0.31, g = 1, b = 1 - (t - 0.34) / 0.31. matplotlib prints
    /// cm.jet(0.5) = (0.4901960784313725, 1.0, 0.4775458570524984).
    @Test func jetMatchesMatplotlibSpotValues() {
        let jet = Colormap.jet
        func close(_ v: (r: Float, g: Float, b: Float), _ e: (Float, Float, Float)) -> Bool {
            abs(v.r - e.0 * 255) <= 1 && abs(v.g - e.1 * 255) <= 1 && abs(v.b - e.2 * 255) <= 1
        }
        #expect(close(jet.rgb(0), (0, 0, 0.5)))
        #expect(close(jet.rgb(1), (0.5, 0, 0)))
        #expect(close(jet.rgb(0.5), (0.4901960784313725, 1.0, 0.4775458570524984)))
        // Entry 64 (t = 64/255): g = (t - 0.125) / 0.25; entry 192 (t = 192/255): g = 1 - (t - 0.64) / 0.27.
        #expect(close(jet.rgb(0.25), (0, 0.50392, 1)))
        #expect(close(jet.rgb(0.75), (1, 0.58170, 0)))
        #expect(close(jet.rgb(-3), (0, 0, 0.5)) && close(jet.rgb(.nan), (0, 0, 0.5)) && close(jet.rgb(7), (0.5, 0, 0)))
    }

    @Test func heatmapColorsEveryPixel() throws {
        let rgb = try heatmapToRGB([0, 0.5, 1, 0.25], width: 2, height: 2)
        #expect(rgb.channels == 3 && rgb.width == 2 && rgb.height == 2)
        #expect(abs(rgb[0, 0, 2] - 127.5) <= 1)
        #expect(abs(rgb[0, 1, 0] - 127.5) <= 1, "bottom-left = 1 is dark red")
        #expect(throws: ImagingError.self) { try heatmapToRGB([0, 1], width: 2, height: 2) }
    }

    @Test func blendMixesAndClips() throws {
        let gray = try Image(width: 1, height: 1, channels: 1, pixels: [100])
        let red = try Image(width: 1, height: 1, channels: 3, pixels: [255, 0, 300])
        let mixed = try blend(gray, red, alpha: 0.5)
        #expect(mixed.pixels == [177.5, 50, 200])
        let clipped = try blend(red, red, alpha: 0.25)
        #expect(clipped.pixels == [255, 0, 255])
        #expect(throws: ImagingError.self) { try blend(gray, try Image(width: 2, height: 1, channels: 3), alpha: 0.5) }
    }
}

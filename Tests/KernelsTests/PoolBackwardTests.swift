import Testing
@testable import Kernels

/// Per output position of a 2-D pool: the in-bounds input cells in row-major window order
/// and the number of taps inside the padded extent (as the reference interpreter lists them).
private func windows(_ p: PoolParams) -> [(output: Int, cells: [Int], paddedTaps: Int)] {
    let (h, w) = (p.inSpatial[0], p.inSpatial[1]), (oh, ow) = (p.outSpatial[0], p.outSpatial[1])
    var result: [(Int, [Int], Int)] = []
    for plane in 0..<(p.batch * p.channels) {
        for y0 in 0..<oh {
            for x0 in 0..<ow {
                var cells: [Int] = [], taps = 0
                for ky in 0..<p.kernel[0] {
                    let iy = y0 * p.strides[0] - p.padsBegin[0] + ky * p.dilations[0]
                    for kx in 0..<p.kernel[1] {
                        let ix = x0 * p.strides[1] - p.padsBegin[1] + kx * p.dilations[1]
                        if iy >= -p.padsBegin[0], iy < h + p.padsEnd[0], ix >= -p.padsBegin[1], ix < w + p.padsEnd[1] { taps += 1 }
                        if iy >= 0, iy < h, ix >= 0, ix < w { cells.append((plane * h + iy) * w + ix) }
                    }
                }
                result.append(((plane * oh + y0) * ow + x0, cells, taps))
            }
        }
    }
    return result
}

@Suite("Pool backward kernels")
struct PoolBackwardTests {
    let overlapping = PoolParams(batch: 2, channels: 3, inSpatial: [7, 6], kernel: [3, 3], strides: [2, 2],
                                 padsBegin: [1, 1], padsEnd: [1, 1])

    @Test("max: each dY goes to the first maximum of its window (ties included)")
    func maxBackward() throws {
        let p = overlapping
        // Quantized values make ties common, which is where "first maximum" matters.
        let x = KernelTestData.random(p.batch * p.channels * 42, seed: 3).map { ($0 * 3).rounded() }
        let dy = KernelTestData.random(p.batch * p.channels * p.outSpatial.reduce(1, *), seed: 4)
        var expected = [Float](repeating: 0, count: x.count)
        for win in windows(p) {
            var best = win.cells[0]
            for c in win.cells where x[c] > x[best] { best = c }
            expected[best] += dy[win.output]
        }
        var dx = [Float](repeating: .nan, count: x.count)
        Pool.maxBackward(try Pool.Plan(p), gradOutput: dy, input: x, gradInput: &dx)
        #expect(KernelTestData.worstRelativeError(dx, expected) < 1e-6)
    }

    @Test("average: dY / count over the window, with and without count_include_pad", arguments: [false, true])
    func averageBackward(includePad: Bool) throws {
        var p = overlapping
        p.countIncludePad = includePad
        let dy = KernelTestData.random(p.batch * p.channels * p.outSpatial.reduce(1, *), seed: 5)
        var expected = [Double](repeating: 0, count: p.batch * p.channels * 42)
        for win in windows(p) {
            let count = Double(includePad ? win.paddedTaps : win.cells.count)
            for c in win.cells { expected[c] += Double(dy[win.output]) / count }
        }
        var dx = [Float](repeating: .nan, count: expected.count)
        Pool.averageBackward(try Pool.Plan(p), gradOutput: dy, gradInput: &dx)
        #expect(KernelTestData.worstRelativeError(dx, expected.map(Float.init)) < KernelTestData.tolerance)
    }

    @Test("global average spreads dY / HW; global max routes dY to the first maximum")
    func globalPools() {
        let x: [Float] = [1, 5, 5, 2, /* plane 1 */ -1, -3, -1, -2]
        let dy: [Float] = [8, 4]
        var average = [Float](repeating: .nan, count: 8), maximum = average
        Pool.globalAverageBackward(batch: 1, channels: 2, spatialCount: 4, gradOutput: dy, gradInput: &average)
        Pool.globalMaxBackward(batch: 1, channels: 2, spatialCount: 4, gradOutput: dy, input: x, gradInput: &maximum)
        #expect(average == [2, 2, 2, 2, 1, 1, 1, 1])
        #expect(maximum == [0, 8, 0, 0, 4, 0, 0, 0])
    }
}

import KernelsAVX512
/// The 1-D transforms of one Winograd variant `F(m, 3)`; `alpha = m + 2` points.
/// 2-D transforms apply them along columns, then along rows.
protocol WinogradTransform {
    /// Output tile edge.
    static var m: Int { get }
    /// Input tile edge (`m + 2`).
    static var alpha: Int { get }
    /// `B^T x`: `alpha` inputs at stride `xs` to `alpha` outputs at stride `ys`.
    static func input(_ x: UnsafePointer<Float>, _ xs: Int, _ y: UnsafeMutablePointer<Float>, _ ys: Int)
    /// `G g`: 3 filter taps at stride `gs` to `alpha` outputs at stride `us`.
    static func filter(_ g: UnsafePointer<Float>, _ gs: Int, _ u: UnsafeMutablePointer<Float>, _ us: Int)
    /// `A^T x`: `alpha` products at stride `xs` to `m` outputs at stride `ys`.
    static func output(_ x: UnsafePointer<Float>, _ xs: Int, _ y: UnsafeMutablePointer<Float>, _ ys: Int)
}

/// F(2x2, 3x3): interpolation points 0, 1, -1, infinity; exact in float arithmetic up to rounding.
enum WinogradF2: WinogradTransform {
    static var m: Int { 2 }
    static var alpha: Int { 4 }

    @inline(__always)
    static func input(_ x: UnsafePointer<Float>, _ xs: Int, _ y: UnsafeMutablePointer<Float>, _ ys: Int) {
        let d0 = x[0], d1 = x[xs], d2 = x[2 * xs], d3 = x[3 * xs]
        y[0] = d0 - d2
        y[ys] = d1 + d2
        y[2 * ys] = d2 - d1
        y[3 * ys] = d1 - d3
    }

    @inline(__always)
    static func filter(_ g: UnsafePointer<Float>, _ gs: Int, _ u: UnsafeMutablePointer<Float>, _ us: Int) {
        let g0 = g[0], g1 = g[gs], g2 = g[2 * gs]
        u[0] = g0
        u[us] = 0.5 * (g0 + g1 + g2)
        u[2 * us] = 0.5 * (g0 - g1 + g2)
        u[3 * us] = g2
    }

    @inline(__always)
    static func output(_ x: UnsafePointer<Float>, _ xs: Int, _ y: UnsafeMutablePointer<Float>, _ ys: Int) {
        let m1 = x[xs], m2 = x[2 * xs]
        y[0] = x[0] + m1 + m2
        y[ys] = m1 - m2 - x[3 * xs]
    }
}

/// F(4x4, 3x3): points 0, 1, -1, 2, -2, infinity (4x fewer products than direct, less exact).
enum WinogradF4: WinogradTransform {
    static var m: Int { 4 }
    static var alpha: Int { 6 }

    @inline(__always)
    static func input(_ x: UnsafePointer<Float>, _ xs: Int, _ y: UnsafeMutablePointer<Float>, _ ys: Int) {
        let d0 = x[0], d1 = x[xs], d2 = x[2 * xs], d3 = x[3 * xs], d4 = x[4 * xs], d5 = x[5 * xs]
        y[0] = 4 * d0 - 5 * d2 + d4
        y[ys] = d3 + d4 - 4 * (d1 + d2)
        y[2 * ys] = d4 - d3 + 4 * (d1 - d2)
        y[3 * ys] = d4 - d2 + 2 * (d3 - d1)
        y[4 * ys] = d4 - d2 + 2 * (d1 - d3)
        y[5 * ys] = 4 * d1 - 5 * d3 + d5
    }

    @inline(__always)
    static func filter(_ g: UnsafePointer<Float>, _ gs: Int, _ u: UnsafeMutablePointer<Float>, _ us: Int) {
        let g0 = g[0], g1 = g[gs], g2 = g[2 * gs]
        u[0] = g0 / 4
        u[us] = -(g0 + g1 + g2) / 6
        u[2 * us] = -(g0 - g1 + g2) / 6
        u[3 * us] = g0 / 24 + g1 / 12 + g2 / 6
        u[4 * us] = g0 / 24 - g1 / 12 + g2 / 6
        u[5 * us] = g2
    }

    @inline(__always)
    static func output(_ x: UnsafePointer<Float>, _ xs: Int, _ y: UnsafeMutablePointer<Float>, _ ys: Int) {
        let m1 = x[xs], m2 = x[2 * xs], m3 = x[3 * xs], m4 = x[4 * xs]
        let sum12 = m1 + m2, diff12 = m1 - m2, sum34 = m3 + m4, diff34 = m3 - m4
        y[0] = x[0] + sum12 + sum34
        y[ys] = diff12 + 2 * diff34
        y[2 * ys] = sum12 + 4 * sum34
        y[3 * ys] = diff12 + 8 * diff34 + x[5 * xs]
    }
}

extension Winograd {
    /// `U[xi][outChannel][inChannel] = (G g G^T)[xi]` for every filter (done once per weights).
    static func transformWeights(_ t: Tiling, weight: UnsafePointer<Float>, into u: UnsafeMutablePointer<Float>) {
        if t.m == 2 {
            transformWeights(WinogradF2.self, t, weight: weight, into: u)
        } else {
            transformWeights(WinogradF4.self, t, weight: weight, into: u)
        }
    }

    /// `transformWeights` with each point's `[Cout, Cin]` matrix in the AVX-512 GEMM's 8-row
    /// panels (`AVX512Gemm.packA`'s layout), `t.panelStride` floats apart: the layout the
    /// per-point GEMMs stream as one sequential run each. Written in place (a row-major copy
    /// first would add its size, 38 MB for VGG16's 512-channel layers, to the peak memory).
    static func transformWeightsIntoPanels(_ t: Tiling, weight: UnsafePointer<Float>, into u: UnsafeMutablePointer<Float>) {
        if t.params.outChannels % AVX512Gemm.rowsPerPanel != 0 { u.update(repeating: 0, count: t.panelWeightCount) }
        if t.m == 2 {
            transformWeights(WinogradF2.self, t, weight: weight, into: u, panels: true)
        } else {
            transformWeights(WinogradF4.self, t, weight: weight, into: u, panels: true)
        }
    }

    /// With `panels`, point `xi` of filter (outChannel, inChannel) goes where `packA` puts
    /// element (outChannel, inChannel) of point `xi`'s matrix, `panelStride` floats per point;
    /// otherwise to `[xi][Cout][Cin]` row-major. (Training repacks trainable weights after
    /// every step, so this runs per step: plain index arithmetic, no per-value calls.)
    private static func transformWeights<T: WinogradTransform>(
        _: T.Type, _ t: Tiling, weight: UnsafePointer<Float>, into u: UnsafeMutablePointer<Float>,
        panels: Bool = false
    ) {
        let alpha = T.alpha
        let cin = t.params.inChannels
        let cout = t.params.outChannels
        let filters = cin * cout
        let pointStride = panels ? t.panelStride : filters
        let mr = AVX512Gemm.rowsPerPanel
        Parallel.forEachChunk(count: filters, minimumChunk: 256) { range in
            var columns = [Float](repeating: 0, count: alpha * 3)
            var transformed = [Float](repeating: 0, count: alpha * alpha)
            columns.withUnsafeMutableBufferPointer { tmp in
                transformed.withUnsafeMutableBufferPointer { out in
                    let tmp = tmp.baseAddress!, out = out.baseAddress!
                    for filter in range {
                        let g = weight + filter * 9
                        for j in 0..<3 { T.filter(g + j, 3, tmp + j, 3) }
                        for i in 0..<alpha { T.filter(tmp + i * 3, 1, out + i * alpha, 1) }
                        // filter = outChannel * cin + inChannel, so the [Cout][Cin] index is `filter`.
                        var at = filter
                        if panels {
                            let row = filter / cin, column = filter % cin
                            let i0 = row / mr * mr
                            // AVX512Gemm.packedAOffset(k: cin, p0: column, i0: i0), inline.
                            at = i0 * cin + column * mr + row - i0
                        }
                        for xi in 0..<(alpha * alpha) { u[xi * pointStride + at] = out[xi] }
                    }
                }
            }
        }
    }
}

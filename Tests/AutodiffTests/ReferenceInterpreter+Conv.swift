import GraphIR

// TEST-ONLY REFERENCE INTERPRETER: 2-D convolution (strides, pads, auto_pad, dilations,
// groups) and its two gradients, all three from one loop over (output, kernel tap) pairs.

extension ReferenceInterpreter {
    /// Calls `body(xFlat, wFlat, yFlat)` for every multiply-accumulate of a 2-D conv of
    /// an `xShape` input with a `wShape` weight giving `yShape`.
    func forEachConvTap(x xShape: [Int], w wShape: [Int], y yShape: [Int], _ a: Attributes,
                        _ body: (Int, Int, Int) -> Void) throws {
        guard xShape.count == 4, wShape.count == 4, yShape.count == 4 else {
            throw ReferenceError("reference conv is 2-D only")
        }
        let kernel = Array(wShape[2...])
        let pads = try OpKind.conv.resolvedPads(attributes: a, inputShape: xShape, kernel: kernel)
        let strides = a.ints("strides") ?? [1, 1], dil = a.ints("dilations") ?? [1, 1]
        let group = a.int("group") ?? 1
        let (n, c, h, w) = (xShape[0], xShape[1], xShape[2], xShape[3])
        let (m, cg, kh, kw) = (wShape[0], wShape[1], wShape[2], wShape[3])
        let (oh, ow) = (yShape[2], yShape[3])
        guard c == cg * group, m % group == 0 else { throw ReferenceError("conv channels/group mismatch") }
        let mg = m / group
        for b in 0..<n {
            for o in 0..<m {
                let g = o / mg
                for y0 in 0..<oh {
                    for x0 in 0..<ow {
                        let yi = ((b * m + o) * oh + y0) * ow + x0
                        for ci in 0..<cg {
                            for ky in 0..<kh {
                                let iy = y0 * strides[0] - pads.begin[0] + ky * dil[0]
                                guard iy >= 0, iy < h else { continue }
                                for kx in 0..<kw {
                                    let ix = x0 * strides[1] - pads.begin[1] + kx * dil[1]
                                    guard ix >= 0, ix < w else { continue }
                                    let xi = ((b * c + g * cg + ci) * h + iy) * w + ix
                                    let wi = ((o * cg + ci) * kh + ky) * kw + kx
                                    body(xi, wi, yi)
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    func conv(_ x: RefTensor, _ w: RefTensor, _ bias: RefTensor?, _ a: Attributes, _ out: [Int]) throws -> RefTensor {
        var y = RefTensor(shape: out)
        try forEachConvTap(x: x.shape, w: w.shape, y: out, a) { xi, wi, yi in y.data[yi] += x.data[xi] * w.data[wi] }
        if let bias {
            let plane = out[2] * out[3]
            for i in 0..<y.count { y.data[i] += bias.data[(i / plane) % out[1]] }
        }
        return y
    }

    func convGradInput(_ dy: RefTensor, _ w: RefTensor, _ a: Attributes, _ out: [Int]) throws -> RefTensor {
        var dx = RefTensor(shape: out)
        var fa = a
        fa["input_spatial_shape"] = nil
        try forEachConvTap(x: out, w: w.shape, y: dy.shape, fa) { xi, wi, yi in dx.data[xi] += dy.data[yi] * w.data[wi] }
        return dx
    }

    func convGradWeight(_ dy: RefTensor, _ x: RefTensor, _ a: Attributes, _ out: [Int]) throws -> RefTensor {
        var dw = RefTensor(shape: out)
        try forEachConvTap(x: x.shape, w: out, y: dy.shape, a) { xi, wi, yi in dw.data[wi] += dy.data[yi] * x.data[xi] }
        return dw
    }
}

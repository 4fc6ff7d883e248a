import GraphIR

// TEST-ONLY REFERENCE INTERPRETER: 2-D max/average pooling, global pooling, gradients.

extension ReferenceInterpreter {
    /// One pooling window: the output position, the in-bounds input cells (flat, in
    /// row-major window order) and the number of taps inside the padded extent.
    struct Window {
        var output: Int
        var cells: [Int]
        var paddedTaps: Int
    }

    func windows(_ op: OpKind, x xShape: [Int], y yShape: [Int], _ a: Attributes) throws -> [Window] {
        guard xShape.count == 4, let kernel = a.ints("kernel_shape"), kernel.count == 2 else {
            throw ReferenceError("reference pooling is 2-D only")
        }
        let pads = try op.resolvedPads(attributes: a, inputShape: xShape, kernel: kernel)
        let strides = a.ints("strides") ?? [1, 1], dil = a.ints("dilations") ?? [1, 1]
        let (h, w) = (xShape[2], xShape[3]), (oh, ow) = (yShape[2], yShape[3])
        var result: [Window] = []
        for plane in 0..<(xShape[0] * xShape[1]) {
            for y0 in 0..<oh {
                for x0 in 0..<ow {
                    var cells: [Int] = [], taps = 0
                    for ky in 0..<kernel[0] {
                        let iy = y0 * strides[0] - pads.begin[0] + ky * dil[0]
                        for kx in 0..<kernel[1] {
                            let ix = x0 * strides[1] - pads.begin[1] + kx * dil[1]
                            if iy >= -pads.begin[0], iy < h + pads.end[0], ix >= -pads.begin[1], ix < w + pads.end[1] { taps += 1 }
                            if iy >= 0, iy < h, ix >= 0, ix < w { cells.append((plane * h + iy) * w + ix) }
                        }
                    }
                    result.append(Window(output: (plane * oh + y0) * ow + x0, cells: cells, paddedTaps: taps))
                }
            }
        }
        return result
    }

    /// The first maximum of a window (row-major order), the cell MaxPoolGrad routes to.
    func argmax(_ x: RefTensor, _ cells: [Int]) -> Int? {
        var best: Int? = nil
        for c in cells where best == nil || x.data[c] > x.data[best!] { best = c }
        return best
    }

    func pool(_ op: OpKind, _ x: RefTensor, _ a: Attributes, _ out: [[Int]]) throws -> [RefTensor] {
        var y = RefTensor(shape: out[0])
        var indices = RefTensor(shape: out[0])
        let includePad = (a.int("count_include_pad") ?? 0) != 0
        for win in try windows(op, x: x.shape, y: out[0], a) {
            if op == .maxPool {
                guard let best = argmax(x, win.cells) else { throw ReferenceError("empty max-pool window") }
                y.data[win.output] = x.data[best]
                indices.data[win.output] = Double(best)
            } else {
                let count = includePad ? win.paddedTaps : win.cells.count
                y.data[win.output] = win.cells.reduce(0) { $0 + x.data[$1] } / Double(count)
            }
        }
        return out.count > 1 ? [y, indices] : [y]
    }

    func maxPoolGrad(_ dy: RefTensor, _ x: RefTensor, _ a: Attributes) throws -> RefTensor {
        var dx = RefTensor(shape: x.shape)
        for win in try windows(.maxPool, x: x.shape, y: dy.shape, a) {
            if let best = argmax(x, win.cells) { dx.data[best] += dy.data[win.output] }
        }
        return dx
    }

    func averagePoolGrad(_ dy: RefTensor, _ a: Attributes, _ out: [Int]) throws -> RefTensor {
        var dx = RefTensor(shape: out)
        let includePad = (a.int("count_include_pad") ?? 0) != 0
        for win in try windows(.averagePool, x: out, y: dy.shape, a) {
            let count = Double(includePad ? win.paddedTaps : win.cells.count)
            for c in win.cells { dx.data[c] += dy.data[win.output] / count }
        }
        return dx
    }

    func globalPool(_ op: OpKind, _ x: RefTensor) -> RefTensor {
        let planes = x.shape[0] * x.shape[1], size = x.count / max(planes, 1)
        var y = RefTensor(shape: [x.shape[0], x.shape[1]] + Array(repeating: 1, count: x.shape.count - 2))
        for p in 0..<planes {
            let cells = x.data[(p * size)..<((p + 1) * size)]
            y.data[p] = op == .globalMaxPool ? cells.max()! : cells.reduce(0, +) / Double(size)
        }
        return y
    }
}

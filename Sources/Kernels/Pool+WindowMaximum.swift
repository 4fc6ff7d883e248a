extension WindowGeometry {
    /// The first maximum of the window of output cell (od, oh, ow) in row-major window
    /// order, over taps inside the input (padding never wins), and its input cell
    /// (d, h, w). MaxPool's forward pass and its gradient both use it, so the cell the
    /// gradient flows to is exactly the one the forward pass selected. `cell.d < 0` when
    /// the window holds no input cell.
    @inline(__always)
    func firstMaximum(in plane: UnsafePointer<Float>, od: Int, oh: Int, ow: Int)
        -> (value: Float, cell: (d: Int, h: Int, w: Int)) {
        var best = -Float.infinity
        var bestAt = (d: -1, h: -1, w: -1)
        let tapsH = height.validTaps(at: oh), tapsW = width.validTaps(at: ow)
        for kd in depth.validTaps(at: od) {
            let id = depth.coordinate(output: od, tap: kd)
            for kh in tapsH {
                let ih = height.coordinate(output: oh, tap: kh)
                let row = plane + (id * height.input + ih) * width.input
                for kw in tapsW {
                    let iw = width.coordinate(output: ow, tap: kw)
                    let value = row[iw]
                    if value > best || bestAt.d < 0 {
                        best = value
                        bestAt = (id, ih, iw)
                    }
                }
            }
        }
        return (best, bestAt)
    }
}

// Packing of GEMM operands into the panel layouts the microkernels read.

extension AVX512Gemm {
    /// Packs `op(B)[p0 ..< p0 + kc, j0 ..< j0 + nc]` into column panels of `columnsPerPanel`
    /// (the last one `16 * vectors` wide, zero past column `nc`), each stored as `kc` rows.
    /// Panel `q` starts at `packed + q * columnsPerPanel * kc`.
    static func packB(
        kc: Int, nc: Int, b: UnsafePointer<Float>, ldb: Int, transposed: Bool,
        p0: Int, j0: Int, into packed: UnsafeMutablePointer<Float>
    ) {
        let nr = columnsPerPanel
        var q = 0
        while q * nr < nc {
            let first = q * nr
            let columns = min(nr, nc - first)
            let width = panelWidth(columns)
            let destination = packed + q * nr * kc
            if transposed {
                // op(B)[p, j] = B[j, p]: 16 source rows at a time, so each packed row segment
                // is one cache line and each source row is read sequentially.
                var j = 0
                while j < columns {
                    let group = min(16, columns - j)
                    let source = b + (j0 + first + j) * ldb + p0
                    if group == 16 {
                        for p in 0..<kc {
                            var gathered = Vector()
                            for lane in 0..<16 { gathered[lane] = source[lane * ldb + p] }
                            store(gathered, destination + p * width + j)
                        }
                    } else {
                        for p in 0..<kc {
                            for lane in 0..<group { destination[p * width + j + lane] = source[lane * ldb + p] }
                        }
                    }
                    j += group
                }
                if columns < width {
                    for p in 0..<kc {
                        (destination + p * width + columns).update(repeating: 0, count: width - columns)
                    }
                }
            } else if columns == nr {
                for p in 0..<kc {
                    let source = b + (p0 + p) * ldb + j0 + first
                    let row = destination + p * nr
                    store(load(source), row)
                    store(load(source + 16), row + 16)
                    store(load(source + 32), row + 32)
                }
            } else {
                for p in 0..<kc {
                    let row = destination + p * width
                    row.update(from: b + (p0 + p) * ldb + j0 + first, count: columns)
                    (row + columns).update(repeating: 0, count: width - columns)
                }
            }
            q += 1
        }
    }

    /// Width of a packed column panel holding `columns` (at most `columnsPerPanel`) columns.
    @inline(__always)
    static func panelWidth(_ columns: Int) -> Int {
        (columns + 15) / 16 * 16
    }
}

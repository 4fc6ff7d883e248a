// Weights packed once for the GEMM's row panels, so that every tile reads `A` as one
// sequential stream (8 values per depth step) instead of 8 rows `lda` apart.

extension AVX512Gemm {
    /// The depth of each of the equal blocks `k` is cut into (576 -> 3 x 192, not 256 + 256 + 64),
    /// so no block is so shallow that loading and storing its C tiles shows.
    @inline(__always)
    public static func balancedDepth(_ k: Int) -> Int {
        let blocks = max(1, (k + depthBlock - 1) / depthBlock)
        return (k + blocks - 1) / blocks
    }

    /// Floats of `A [m, k]` packed by `packA`: `m` rounded up to whole 8-row panels, times `k`.
    public static func packedACount(m: Int, k: Int) -> Int {
        (m + rowsPerPanel - 1) / rowsPerPanel * rowsPerPanel * k
    }

    /// Where the packed panel of rows `i0 ..< i0 + 8` starts for the depth block at `p0`
    /// (`kc` deep) of an `m`-row `A`: blocks one after another, in each the panels in row
    /// order, each `kc` steps of 8 floats. So a GEMM's pass over the rows of one depth block
    /// reads one contiguous run.
    @inline(__always)
    static func packedAOffset(m: Int, p0: Int, kc: Int, i0: Int) -> Int {
        p0 * ((m + rowsPerPanel - 1) / rowsPerPanel * rowsPerPanel) + i0 * kc
    }

    /// Packs row-major `A [m, k]` (rows `lda` apart) for `multiplySegmented(aPacked: true)`;
    /// rows past `m` in the last panel are zero. `packed` holds `packedACount(m:k:)` floats.
    public static func packA(m: Int, k: Int, a: UnsafePointer<Float>, lda: Int, into packed: UnsafeMutablePointer<Float>) {
        let mr = rowsPerPanel
        let depth = balancedDepth(k)
        var p0 = 0
        while p0 < k {
            let kc = min(depth, k - p0)
            for i0 in stride(from: 0, to: m, by: mr) {
                let panel = packed + packedAOffset(m: m, p0: p0, kc: kc, i0: i0)
                for r in 0..<mr {
                    let i = i0 + r
                    if i < m {
                        let row = a + i * lda + p0
                        for p in 0..<kc { panel[p * mr + r] = row[p] }
                    } else {
                        for p in 0..<kc { panel[p * mr + r] = 0 }
                    }
                }
            }
            p0 += kc
        }
    }
}

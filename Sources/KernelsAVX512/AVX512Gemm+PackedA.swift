// Weights packed once for the GEMM's row panels, so that every tile reads `A` as one
// sequential stream (8 values per depth step) instead of 8 rows `lda` apart.

extension AVX512Gemm {
    /// The depth of each of the equal blocks `k` is cut into (576 -> 3 x 192, not 256 + 256 + 64),
    /// so no block is so shallow that loading and storing its C tiles shows.
    @inline(__always)
    static func balancedDepth(_ k: Int) -> Int {
        let blocks = max(1, (k + depthBlock - 1) / depthBlock)
        return (k + blocks - 1) / blocks
    }

    /// The depth and column blocks of a product of depth `k`: with packed `A`, the whole depth
    /// whenever a panel of `B` that deep fits the packing scratch (columns then shrink to keep
    /// a block within it); otherwise `balancedDepth` and `columnBlock`.
    @inline(__always)
    static func depthAndColumnBlocks(k: Int, aPacked: Bool) -> (depth: Int, columns: Int) {
        let scratch = depthBlock * columnBlock
        guard aPacked, k * columnsPerPanel <= scratch else { return (balancedDepth(k), columnBlock) }
        return (k, min(columnBlock, scratch / k / columnsPerPanel * columnsPerPanel))
    }

    /// Floats of `A [m, k]` packed by `packA`: `m` rounded up to whole 8-row panels, times `k`.
    public static func packedACount(m: Int, k: Int) -> Int {
        (m + rowsPerPanel - 1) / rowsPerPanel * rowsPerPanel * k
    }

    /// Where depth step `p0` of the packed panel of rows `i0 ..< i0 + 8` starts in a
    /// `k`-deep `A`: panels in row order, each all `k` steps of 8 floats. So a tile reads one
    /// sequential stream whether it runs the whole depth or one block of it.
    @inline(__always)
    public static func packedAOffset(k: Int, p0: Int, i0: Int) -> Int {
        i0 * k + p0 * rowsPerPanel
    }

    /// Packs row-major `A [m, k]` (rows `lda` apart) for `multiplySegmented(aPacked: true)`;
    /// rows past `m` in the last panel are zero. `packed` holds `packedACount(m:k:)` floats.
    public static func packA(m: Int, k: Int, a: UnsafePointer<Float>, lda: Int, into packed: UnsafeMutablePointer<Float>) {
        let mr = rowsPerPanel
        for i0 in stride(from: 0, to: m, by: mr) {
            let panel = packed + packedAOffset(k: k, p0: 0, i0: i0)
            for r in 0..<mr {
                let i = i0 + r
                if i < m {
                    let row = a + i * lda
                    for p in 0..<k { panel[p * mr + r] = row[p] }
                } else {
                    for p in 0..<k { panel[p * mr + r] = 0 }
                }
            }
        }
    }
}

// A GEMM whose B columns and C columns are "segments": column j is position j % segment of
// segment j / segment, segments `segmentStride` floats apart. A batched 1x1 convolution is then
// one product over all images' positions, with no copy of the input in and none of the output
// out, and its epilogue (bias, residual, activation) applied in the final store.

extension AVX512Gemm {
    /// Row-major `C = act(alpha * A * B + beta * C + bias + R)` over the block `rows x columns`
    /// of an `m x n` product with depth `k`; `A` is `[m, lda]` (not transposed).
    ///
    /// `B[p, j]` is at `b + (j / bSegment) * bSegmentStride + p * ldb + j % bSegment`, and
    /// `C[i, j]` (and the residual `R[i, j]`, when not nil) at
    /// `(j / cSegment) * cSegmentStride + i * ldc + j % cSegment` from `c` (from `residual`).
    /// A plain matrix is one segment (`segment >= n`). `bias` is `[m]` or nil; `activation` is an
    /// `EpilogueCode` with parameters `p`, `q`. `beta` 0 overwrites `C` (which may hold NaNs).
    /// `workspace` holds `workspaceCount` floats. With `aPacked`, `a` holds `A` as `packA` laid
    /// it out (`lda` unused): each tile then reads one sequential stream of weights.
    public static func multiplySegmented(
        m: Int, n: Int, k: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int, aPacked: Bool = false,
        b: UnsafePointer<Float>, ldb: Int, bSegment: Int, bSegmentStride: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, cSegment: Int, cSegmentStride: Int,
        bias: UnsafePointer<Float>?, residual: UnsafePointer<Float>?, activation: Int, p: Float, q: Float,
        rows: Range<Int>, columns: Range<Int>, workspace: UnsafeMutablePointer<Float>
    ) {
        guard !rows.isEmpty, !columns.isEmpty else { return }
        @inline(__always) func bOffset(_ j: Int) -> Int { (j / bSegment) * bSegmentStride + j % bSegment }
        @inline(__always) func cOffset(_ j: Int) -> Int { (j / cSegment) * cSegmentStride + j % cSegment }
        if k <= 0 || beta != 0 && beta != 1 {
            for i in rows {
                for j in columns {
                    let at = c + i * ldc + cOffset(j)
                    let scaled = beta == 0 ? 0 : beta * at.pointee
                    if k <= 0 {
                        let extra = (bias?[i] ?? 0) + (residual.map { $0[i * ldc + cOffset(j)] } ?? 0)
                        at.pointee = activate(scaled + extra, activation, p, q)
                    } else {
                        at.pointee = scaled
                    }
                }
            }
            if k <= 0 { return }
        }
        let mr = rowsPerPanel, nr = columnsPerPanel
        let packedB = workspace
        let edge = workspace + depthBlock * columnBlock
        let edgeResidual = edge + mr * nr
        let edgeBias = edgeResidual + mr * nr
        /// Calls `body(r, j, offset, run)` for each run of tile columns `first + j ..< first + j + run`
        /// inside one C segment, row `i0 + r` (C offset `offset`).
        @inline(__always)
        func forEachRun(i0: Int, rows tileRows: Int, first: Int, count: Int, _ body: (Int, Int, Int, Int) -> Void) {
            var j = 0
            while j < count {
                let column = first + j
                let run = min(count - j, cSegment - column % cSegment)
                let start = cOffset(column)
                for r in 0..<tileRows { body(r, j, (i0 + r) * ldc + start, run) }
                j += run
            }
        }
        // Packed A runs each tile over the whole depth when it can (`depthAndColumnBlocks`):
        // no partial sums stored and reloaded between depth blocks (for tiles that straddle
        // images, a gather and a scatter each), and B streams from L2 fast enough. ResNet50's
        // 1x1 convs over 1024 channels of 7x7 planes: 1.86 -> 1.70 ms, one thread.
        let (depth, blockColumns) = depthAndColumnBlocks(k: k, aPacked: aPacked)
        let aRowStride = aPacked ? 1 : lda, aDepthStride = aPacked ? rowsPerPanel : 1
        let maxPanels = (columnBlock + nr - 1) / nr
        // Per column panel of a block (`planSlots` slots): where its three column vectors start
        // in C (an offset from row 0), or -1 in slot 0 when the tile must go through the edge
        // scratch (ragged, or a vector straddling more than two segments); whether B is read
        // in place; and per vector the mask of its lanes in its first segment, the others lying
        // `cSegmentStride - cSegment` further on (masked loads and stores: images of 49 or 196
        // positions, whose vectors mostly straddle two).
        let planSlots = 7, splitDelta = cSegmentStride - cSegment
        withUnsafeTemporaryAllocation(of: Int.self, capacity: maxPanels * planSlots) { buffer in
            let plan = buffer.baseAddress!
            var j0 = columns.lowerBound
            while j0 < columns.upperBound {
                let nc = min(blockColumns, columns.upperBound - j0)
                let panels = (nc + nr - 1) / nr
                for panel in 0..<panels {
                    let first = j0 + panel * nr
                    let count = min(nr, j0 + nc - first)
                    let slots = plan + panel * planSlots
                    slots[3] = count % 16 == 0 && first / bSegment == (first + count - 1) / bSegment ? 1 : 0
                    if count % 16 != 0 {
                        slots[0] = -1
                        continue
                    }
                    for vector in 0..<3 {
                        let start = first + vector * 16
                        slots[4 + vector] = 0xFFFF
                        if vector * 16 >= count {
                            slots[vector] = slots[0]
                        } else if start / cSegment == (start + 15) / cSegment {
                            slots[vector] = cOffset(start)
                        } else if cSegment >= 16 {
                            slots[vector] = cOffset(start)
                            slots[4 + vector] = (1 << (cSegment - start % cSegment)) - 1
                        } else {
                            slots[0] = -1
                            break
                        }
                    }
                }
                var p0 = 0
                while p0 < k {
                    let kc = min(depth, k - p0)
                    let finish = p0 + kc == k
                    let accumulate = p0 > 0 || beta != 0
                    for panel in 0..<panels where plan[panel * planSlots + 3] == 0 {
                        let first = j0 + panel * nr
                        packSegments(kc: kc, count: min(nr, j0 + nc - first), first: first, p0: p0,
                                     b: b, ldb: ldb, segment: bSegment, segmentStride: bSegmentStride,
                                     into: packedB + panel * nr * kc)
                    }
                    /// The tile of rows `i0 ..< i0 + 8` and column panel `panel` of this block.
                    @inline(__always)
                    func tileAt(_ i0: Int, _ panel: Int) {
                        let tileRows = min(mr, rows.upperBound - i0)
                        let aBlock = aPacked ? a + packedAOffset(k: k, p0: p0, i0: i0) : a + i0 * lda + p0
                        let slots = plan + panel * planSlots
                        let first = j0 + panel * nr
                        let count = min(nr, j0 + nc - first)
                        let vectors = panelWidth(count) / 16
                        let bPanel: UnsafePointer<Float>, bStride: Int
                        if slots[3] != 0 {
                            bPanel = b + bOffset(first) + p0 * ldb
                            bStride = ldb
                        } else {
                            bPanel = UnsafePointer(packedB + panel * nr * kc)
                            bStride = vectors * 16
                        }
                        if tileRows == mr, slots[0] >= 0, slots[4] & slots[5] & slots[6] != 0xFFFF {
                            let row = c + i0 * ldc
                            let r = residual.map { $0 + i0 * ldc }
                            splitEpilogueMicrokernel(
                                vectors: vectors, kc: kc, a: aBlock, aRows: mr, aRowStride: aRowStride,
                                aDepthStride: aDepthStride, b: bPanel, ldb: bStride,
                                c0: row + slots[0], c1: row + slots[1], c2: row + slots[2], ldc: ldc,
                                m0: slots[4], m1: slots[5], m2: slots[6], delta: splitDelta,
                                alpha: alpha, accumulate: accumulate, finish: finish,
                                bias: bias.map { $0 + i0 }, r0: r.map { $0 + slots[0] },
                                r1: r.map { $0 + slots[1] }, r2: r.map { $0 + slots[2] },
                                activation: activation, p: p, q: q)
                            return
                        }
                        if tileRows == mr, slots[0] >= 0 {
                            let row = c + i0 * ldc
                            let r = residual.map { $0 + i0 * ldc }
                            epilogueMicrokernel(
                                vectors: vectors, kc: kc, a: aBlock, aRows: mr, aRowStride: aRowStride,
                                aDepthStride: aDepthStride, b: bPanel, ldb: bStride,
                                c0: row + slots[0], c1: row + slots[1], c2: row + slots[2], ldc: ldc,
                                alpha: alpha, accumulate: accumulate, finish: finish,
                                bias: bias.map { $0 + i0 }, r0: r.map { $0 + slots[0] },
                                r1: r.map { $0 + slots[1] }, r2: r.map { $0 + slots[2] },
                                activation: activation, p: p, q: q)
                            return
                        }
                        // Ragged or straddling: this tile's C (partial sums) and residual are
                        // gathered into scratch tiles, the epilogue kernel runs there, and the
                        // rows are scattered back, each in runs within one segment.
                        let rowBias: UnsafePointer<Float>?
                        if let bias, tileRows < mr {
                            for r in 0..<mr { edgeBias[r] = bias[i0 + min(r, tileRows - 1)] }
                            rowBias = UnsafePointer(edgeBias)
                        } else {
                            rowBias = bias.map { $0 + i0 }
                        }
                        let gatherResidual = finish && residual != nil
                        if accumulate || gatherResidual {
                            forEachRun(i0: i0, rows: tileRows, first: first, count: count) { r, j, offset, run in
                                if accumulate { copy(c + offset, to: edge + r * nr + j, run) }
                                if gatherResidual { copy(residual! + offset, to: edgeResidual + r * nr + j, run) }
                            }
                        }
                        epilogueMicrokernel(
                            vectors: vectors, kc: kc, a: aBlock, aRows: tileRows, aRowStride: aRowStride,
                            aDepthStride: aDepthStride, b: bPanel, ldb: bStride, c0: edge, c1: edge + 16, c2: edge + 32,
                            ldc: nr, alpha: alpha, accumulate: accumulate, finish: finish, bias: rowBias,
                            r0: gatherResidual ? UnsafePointer(edgeResidual) : nil,
                            r1: UnsafePointer(edgeResidual + 16), r2: UnsafePointer(edgeResidual + 32),
                            activation: activation, p: p, q: q)
                        forEachRun(i0: i0, rows: tileRows, first: first, count: count) { r, j, offset, run in
                            copy(edge + r * nr + j, to: c + offset, run)
                        }
                    }
                    if aPacked {
                        // Packed A streams from L2 as 32 bytes per depth step while one B
                        // panel is reused from L1 by every row block (the BLIS order; 3%
                        // faster on ResNet50's 1x1 convs in the network than rows outer,
                        // which keeps A's block in L1 and streams B at 192 bytes per step).
                        for panel in 0..<panels {
                            for i0 in stride(from: rows.lowerBound, to: rows.upperBound, by: mr) { tileAt(i0, panel) }
                        }
                    } else {
                        for i0 in stride(from: rows.lowerBound, to: rows.upperBound, by: mr) {
                            for panel in 0..<panels { tileAt(i0, panel) }
                        }
                    }
                    p0 += kc
                }
                j0 += nc
            }
        }
    }

    /// `destination[0 ..< count] = source[0 ..< count]`, inline, in whole (overlapping) vectors
    /// (runs are short: a call to memmove would cost more than the copy, and a scalar loop
    /// showed in the profile of 7x7 layers, whose vectors straddle images).
    @inline(__always)
    static func copy(_ source: UnsafePointer<Float>, to destination: UnsafeMutablePointer<Float>, _ count: Int) {
        AVX512Depthwise.copyRun(source, count: count, to: destination)
    }

    /// Packs `B[p0 ..< p0 + kc, first ..< first + count]` (segmented columns) into one panel of
    /// `panelWidth(count)` columns, zero past `count`.
    static func packSegments(
        kc: Int, count: Int, first: Int, p0: Int, b: UnsafePointer<Float>, ldb: Int,
        segment: Int, segmentStride: Int, into packed: UnsafeMutablePointer<Float>
    ) {
        let width = panelWidth(count)
        var j = 0
        while j < count {
            let column = first + j
            let run = min(count - j, segment - column % segment)
            let source = b + (column / segment) * segmentStride + column % segment + p0 * ldb
            for p in 0..<kc {
                (packed + p * width + j).update(from: source + p * ldb, count: run)
            }
            j += run
        }
        if count < width {
            for p in 0..<kc { (packed + p * width + count).update(repeating: 0, count: width - count) }
        }
    }
}


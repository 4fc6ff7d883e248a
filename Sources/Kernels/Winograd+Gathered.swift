import KernelsAVX512

// Winograd transforms on AVX-512 for planes with short tile rows: 16 tiles from any rows and
// images are gathered lane by lane, transformed in whole vectors and scattered back (see
// `AVX512Winograd.inputTiles`). Tiles are numbered as in the GEMMs' columns: tile `tw` of
// chunk row `r` is column `r * tilesWide + tw`, so 16 consecutive columns are one group.
// Windows are read from a zero-padded copy of each plane and outputs written to a tiled
// copy, so neither the gather nor the scatter checks bounds.

extension Winograd {
    /// Tile rows at most this many tiles wide use the gathered transforms. The row-wise ones
    /// vectorize across one tile row, so two tiles leave 14 of 16 lanes idle; from four tiles
    /// per row (14x14 planes) the gather costs more than the idle lanes (measured in the
    /// network: +0.2 ms on ResNet50's three 14x14 layers at batch 16).
    static let gatheredMaxTilesWide = 2

    /// Whether `transformInput` / `transformOutput` take the gathered path for `t`.
    static func usesGatheredTransforms(_ t: Tiling) -> Bool {
        CPUFeatures.usesAVX512GEMM && t.tilesWide <= gatheredMaxTilesWide
    }

    /// `transformInput` for `usesGatheredTransforms`: per input channel and image, the plane
    /// is copied into a zero-padded scratch; each group of 16 tiles' windows is gathered from
    /// it lane-major and transformed at once.
    static func transformInputGathered<T: WinogradTransform>(
        _: T.Type, _ t: Tiling, input: UnsafePointer<Float>, tileRows: Range<Int>, into v: UnsafeMutablePointer<Float>
    ) {
        let p = t.params
        let alpha = T.alpha, m = T.m
        let inH = p.inSpatial[0], inW = p.inSpatial[1]
        let padTop = p.padsBegin[0], padLeft = p.padsBegin[1]
        // The padded plane: every tile's window inside, zero outside the image.
        let paddedW = t.tilesWide * m + alpha - m, paddedH = t.tilesHigh * m + alpha - m
        let tiles = tileRows.count * t.tilesWide
        let planeStride = p.inChannels * tiles + Tiling.planePadding
        let images = tileRows.lowerBound / t.tilesHigh ..< (tileRows.upperBound - 1) / t.tilesHigh + 1
        Parallel.forEachChunk(count: p.inChannels, minimumChunk: 4) { range in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: alpha * alpha * 16 + paddedH * paddedW) { buffer in
                let d = buffer.baseAddress!, padded = d + alpha * alpha * 16
                buffer.initialize(repeating: 0)
                for channel in range {
                    var lane = 0, first = 0
                    for image in images {
                        let plane = input + (image * p.inChannels + channel) * inH * inW
                        for ih in 0..<inH {
                            (padded + (padTop + ih) * paddedW + padLeft).update(from: plane + ih * inW, count: inW)
                        }
                        let rows = max(tileRows.lowerBound, image * t.tilesHigh)
                            ..< min(tileRows.upperBound, (image + 1) * t.tilesHigh)
                        for tileRow in rows {
                            let top = padded + (tileRow - image * t.tilesHigh) * m * paddedW
                            for tw in 0..<t.tilesWide {
                                let window = top + tw * m
                                for i in 0..<alpha {
                                    for j in 0..<alpha { d[(i * alpha + j) * 16 + lane] = window[i * paddedW + j] }
                                }
                                lane += 1
                                if lane == 16 {
                                    AVX512Winograd.inputTiles(m: m, d: d, v: v + channel * tiles + first,
                                                              planeStride: planeStride, count: 16)
                                    first += 16
                                    lane = 0
                                }
                            }
                        }
                    }
                    if lane > 0 {
                        AVX512Winograd.inputTiles(m: m, d: d, v: v + channel * tiles + first,
                                                  planeStride: planeStride, count: lane)
                    }
                }
            }
        }
    }

    /// `transformOutput` for `usesGatheredTransforms`: per output channel, each group of 16
    /// tiles transformed at once and scattered into a tiled copy of the chunk's output rows,
    /// which is then written out row by row with the epilogue.
    static func transformOutputGathered<T: WinogradTransform>(
        _: T.Type, _ t: Tiling, products: UnsafePointer<Float>, tileRows: Range<Int>,
        bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>, epilogue: ConvEpilogue
    ) {
        let p = t.params
        let m = T.m
        let outH = p.outSpatial[0], outW = p.outSpatial[1]
        let tiles = tileRows.count * t.tilesWide
        let planeStride = p.outChannels * tiles + Tiling.planePadding
        let outputs = m * m * 16, tiledW = t.tilesWide * m
        let tiledCount = tileRows.count * m * tiledW
        Parallel.forEachChunk(count: p.outChannels, minimumChunk: 4) { range in
            withUnsafeTemporaryAllocation(
                of: Float.self, capacity: outputs + AVX512Winograd.outputTilesScratchCount + tiledCount
            ) { buffer in
                let y = buffer.baseAddress!, scratch = y + outputs, tiled = scratch + AVX512Winograd.outputTilesScratchCount
                for channel in range {
                    var first = 0
                    while first < tiles {
                        // Reads 16 columns per point: past the last tile, the plane padding.
                        AVX512Winograd.outputTiles(m: m, products: products + channel * tiles + first,
                                                   planeStride: planeStride, y: y, scratch: scratch)
                        for lane in 0..<min(16, tiles - first) {
                            let tile = first + lane
                            let corner = tiled + (tile / t.tilesWide) * m * tiledW + (tile % t.tilesWide) * m
                            for a in 0..<m {
                                for b in 0..<m { corner[a * tiledW + b] = y[(a * m + b) * 16 + lane] }
                            }
                        }
                        first += 16
                    }
                    for (rowInChunk, tileRow) in tileRows.enumerated() {
                        let image = tileRow / t.tilesHigh, top = (tileRow % t.tilesHigh) * m
                        let rowsOut = min(m, outH - top)
                        let bandOffset = ((image * p.outChannels + channel) * outH + top) * outW
                        for a in 0..<rowsOut {
                            let at = bandOffset + a * outW
                            epilogue.apply(tiled + (rowInChunk * m + a) * tiledW, bias: bias?[channel] ?? 0,
                                           residual: epilogue.residual.map { $0 + at }, to: output + at, count: outW)
                        }
                    }
                }
            }
        }
    }
}

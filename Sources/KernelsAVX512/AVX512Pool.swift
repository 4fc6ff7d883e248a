// Max pooling rows (ResNet's 3x3 stride-2 pool after the stem).

public enum AVX512Pool {
    /// Lane-wise maximum as a compare and a blend (the standard library's `pointwiseMax`
    /// does not become one instruction).
    @inline(__always)
    static func larger(_ a: SIMD16<Float>, _ b: SIMD16<Float>) -> SIMD16<Float> {
        a.replacing(with: b, where: b .> a)
    }

    /// `into[i] = max(into[i], row[i])` for `i < count`, 16 at a time.
    @inline(never)
    public static func maxInPlace(_ into: UnsafeMutablePointer<Float>, _ row: UnsafePointer<Float>, count: Int) {
        var i = 0
        while i + 16 <= count {
            let a = UnsafeRawPointer(into + i).loadUnaligned(as: SIMD16<Float>.self)
            let b = UnsafeRawPointer(row + i).loadUnaligned(as: SIMD16<Float>.self)
            UnsafeMutableRawPointer(into + i).storeBytes(of: larger(a, b), as: SIMD16<Float>.self)
            i += 16
        }
        if i < count, count >= 16 {
            // The last whole vector, overlapping the previous one (max is idempotent).
            let a = UnsafeRawPointer(into + count - 16).loadUnaligned(as: SIMD16<Float>.self)
            let b = UnsafeRawPointer(row + count - 16).loadUnaligned(as: SIMD16<Float>.self)
            UnsafeMutableRawPointer(into + count - 16).storeBytes(of: larger(a, b), as: SIMD16<Float>.self)
            return
        }
        while i < count {
            into[i] = row[i] > into[i] ? row[i] : into[i]
            i += 1
        }
    }

    /// `out[o] = max(row[s], row[s + 1], row[s + 2])` with `s = 2 * o + offset`, for `o` in
    /// `outputs`, 16 outputs per step (two 32-float loads, even and odd lanes). Reads
    /// `row[2 * outputs.lowerBound + offset ..< 2 * outputs.upperBound + offset + 32]`: the
    /// caller's row buffer must extend that far.
    @inline(never)
    public static func max3Stride2(_ row: UnsafePointer<Float>, offset: Int, outputs: Range<Int>,
                                   into out: UnsafeMutablePointer<Float>) {
        @inline(__always) func sixteen(_ o: Int) {
            let start = row + (2 * o + offset)
            let pairs = UnsafeRawPointer(start).loadUnaligned(as: SIMD32<Float>.self)
            let shifted = UnsafeRawPointer(start + 1).loadUnaligned(as: SIMD32<Float>.self)
            let m = larger(larger(pairs.evenHalf, pairs.oddHalf), shifted.oddHalf)
            UnsafeMutableRawPointer(out + o).storeBytes(of: m, as: SIMD16<Float>.self)
        }
        var o = outputs.lowerBound
        while o + 16 <= outputs.upperBound {
            sixteen(o)
            o += 16
        }
        if o < outputs.upperBound, outputs.count >= 16 {
            // The last 16 outputs, overlapping the previous vector (same values).
            sixteen(outputs.upperBound - 16)
            return
        }
        while o < outputs.upperBound {
            let s = 2 * o + offset
            let ab = row[s + 1] > row[s] ? row[s + 1] : row[s]
            out[o] = row[s + 2] > ab ? row[s + 2] : ab
            o += 1
        }
    }
}

extension AVX512Pool {
    /// A whole plane of 3x3 stride-2 max pooling (ResNet's pool after the stem), windows
    /// reaching into the padding or past the end taking the valid values only (all-padding
    /// windows give -infinity). `buffer` holds `width + 64` floats: one row of column maxima
    /// with -infinity on both sides, so every window reads three values.
    @inline(never)
    public static func maxPool3x3Stride2(
        _ x: UnsafePointer<Float>, height: Int, width: Int, padTop: Int, padLeft: Int,
        outHeight: Int, outWidth: Int, into y: UnsafeMutablePointer<Float>, buffer: UnsafeMutablePointer<Float>
    ) {
        let low = -Float.infinity
        buffer.update(repeating: low, count: width + 64)
        let row = buffer + 1
        for oh in 0..<outHeight {
            let out = y + oh * outWidth
            let top = 2 * oh - padTop
            let first = max(top, 0), last = min(top + 2, height - 1)
            guard first <= last else {
                out.update(repeating: low, count: outWidth)
                continue
            }
            copyRow(x + first * width, into: row, count: width)
            for ih in (first + 1)..<(last + 1) { maxInPlace(row, x + ih * width, count: width) }
            // Window ow covers row[2 * ow - padLeft ..< + 3]; row[-1] and row[width...] are -inf.
            max3Stride2(row, offset: -padLeft, outputs: 0..<outWidth, into: out)
        }
    }

    @inline(__always)
    static func copyRow(_ source: UnsafePointer<Float>, into destination: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        while i + 16 <= count {
            UnsafeMutableRawPointer(destination + i).storeBytes(
                of: UnsafeRawPointer(source + i).loadUnaligned(as: SIMD16<Float>.self), as: SIMD16<Float>.self)
            i += 16
        }
        while i < count {
            destination[i] = source[i]
            i += 1
        }
    }
}

extension AVX512Pool {
    /// Floats of scratch `maxPool3x3Stride2Halving` needs for a `height x width` plane.
    public static func halvingScratchCount(height: Int, width: Int) -> Int { height * width / 2 }

    /// 3x3 stride-2 max pooling of an even-sized plane with one row and column of padding
    /// before and at most one after (ResNet's pool: 56x56 -> 28x28). The horizontal maxima of
    /// every input row are taken in one flat pass over the plane (the plane's rows are twice
    /// the output rows, so flat index i is output column i % outWidth of row i / outWidth),
    /// then each output row is the maximum of three of them. Each input value is read once,
    /// with no per-row setup: ResNet50's pool at batch 16 0.48 -> 0.32 ms. `scratch` holds
    /// `halvingScratchCount` floats.
    @inline(never)
    public static func maxPool3x3Stride2Halving(
        _ x: UnsafePointer<Float>, height: Int, width: Int, into y: UnsafeMutablePointer<Float>,
        scratch h: UnsafeMutablePointer<Float>
    ) {
        let outWidth = width / 2, outHeight = height / 2, count = outHeight * 2 * outWidth
        @inline(__always) func larger(_ a: Float, _ b: Float) -> Float { b > a ? b : a }
        // h[i] = max(x[2i - 1], x[2i], x[2i + 1]); x[2i - 1] is the previous row's last value
        // where i starts a row, fixed below. Vectors read x[2i - 1 ..< 2i + 32], so they start
        // at i = 1 and stop 16 before the end.
        h[0] = larger(x[0], x[1])
        var i = 1
        while i + 16 < count {
            let start = x + (2 * i - 1)
            let pairs = UnsafeRawPointer(start).loadUnaligned(as: SIMD32<Float>.self)
            let shifted = UnsafeRawPointer(start + 1).loadUnaligned(as: SIMD32<Float>.self)
            let m = Self.larger(Self.larger(pairs.evenHalf, pairs.oddHalf), shifted.oddHalf)
            UnsafeMutableRawPointer(h + i).storeBytes(of: m, as: SIMD16<Float>.self)
            i += 16
        }
        while i < count {
            h[i] = larger(larger(x[2 * i - 1], x[2 * i]), x[2 * i + 1])
            i += 1
        }
        for row in 1..<(2 * outHeight) { h[row * outWidth] = larger(x[row * width], x[row * width + 1]) }
        // y[oh] = max(h[2oh - 1], h[2oh], h[2oh + 1]), row -1 being padding.
        for oh in 0..<outHeight {
            let out = y + oh * outWidth
            let middle = h + 2 * oh * outWidth, below = middle + outWidth
            let above = oh > 0 ? middle - outWidth : middle
            var o = 0
            @inline(__always) func sixteen(_ o: Int) {
                let a = UnsafeRawPointer(above + o).loadUnaligned(as: SIMD16<Float>.self)
                let b = UnsafeRawPointer(middle + o).loadUnaligned(as: SIMD16<Float>.self)
                let c = UnsafeRawPointer(below + o).loadUnaligned(as: SIMD16<Float>.self)
                UnsafeMutableRawPointer(out + o).storeBytes(of: Self.larger(Self.larger(a, b), c), as: SIMD16<Float>.self)
            }
            while o + 16 <= outWidth {
                sixteen(o)
                o += 16
            }
            if o < outWidth, outWidth >= 16 {
                sixteen(outWidth - 16)  // overlapping the previous vector (same values)
                continue
            }
            while o < outWidth {
                out[o] = larger(larger(above[o], middle[o]), below[o])
                o += 1
            }
        }
    }
}


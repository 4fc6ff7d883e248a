// Depthwise-convolution inner loops for AVX-512. Only called after a run-time CPU check
// (see Kernels' CPUFeatures); never call these on other CPUs.

/// The tap sum of a depthwise convolution over a flat run of outputs. Kernels lays the padded
/// input out so that every tap of every output reads `base + offset[tap] + o` (see Kernels'
/// `DepthwiseLayout`), which turns the convolution into a few shifted multiply-adds of long
/// contiguous runs, with the weights held in registers.
public enum AVX512Depthwise {
    /// `output[o] = sum over t of weights[t] * base[offsets[t] + o]` for every `o` below `count`
    /// rounded up to a multiple of 16: the caller makes those reads and writes valid. Taps are
    /// summed in order with fused multiply-adds.
    public static func accumulate(
        base: UnsafePointer<Float>, offsets: UnsafePointer<Int>, weights: UnsafePointer<Float>,
        tapCount: Int, count: Int, output: UnsafeMutablePointer<Float>
    ) {
        guard count > 0 else { return }
        if tapCount == 9 {
            accumulate9(base: base, offsets: offsets, weights: weights, count: count, output: output)
            return
        }
        var o = 0
        while o < count {
            var a0 = Vector(), a1 = Vector(), a2 = Vector(), a3 = Vector()
            let full = count - o >= 64
            for t in 0..<tapCount {
                let w = Vector(repeating: weights[t])
                let source = base + offsets[t] + o
                a0 = a0.addingProduct(w, load(source))
                if full {
                    a1 = a1.addingProduct(w, load(source + 16))
                    a2 = a2.addingProduct(w, load(source + 32))
                    a3 = a3.addingProduct(w, load(source + 48))
                }
            }
            store(a0, output + o)
            if full {
                store(a1, output + o + 16)
                store(a2, output + o + 32)
                store(a3, output + o + 48)
                o += 64
            } else {
                o += 16
            }
        }
    }

    /// `accumulate` for 3x3 filters: nine weights and nine read pointers stay in registers.
    @inline(never)
    static func accumulate9(
        base: UnsafePointer<Float>, offsets: UnsafePointer<Int>, weights: UnsafePointer<Float>,
        count: Int, output: UnsafeMutablePointer<Float>
    ) {
        let w0 = Vector(repeating: weights[0]), w1 = Vector(repeating: weights[1])
        let w2 = Vector(repeating: weights[2]), w3 = Vector(repeating: weights[3])
        let w4 = Vector(repeating: weights[4]), w5 = Vector(repeating: weights[5])
        let w6 = Vector(repeating: weights[6]), w7 = Vector(repeating: weights[7])
        let w8 = Vector(repeating: weights[8])
        let s0 = base + offsets[0], s1 = base + offsets[1], s2 = base + offsets[2]
        let s3 = base + offsets[3], s4 = base + offsets[4], s5 = base + offsets[5]
        let s6 = base + offsets[6], s7 = base + offsets[7], s8 = base + offsets[8]
        @inline(__always)
        func sum(_ o: Int) -> Vector {
            var a = w0 * load(s0 + o)
            a = a.addingProduct(w1, load(s1 + o))
            a = a.addingProduct(w2, load(s2 + o))
            a = a.addingProduct(w3, load(s3 + o))
            a = a.addingProduct(w4, load(s4 + o))
            a = a.addingProduct(w5, load(s5 + o))
            a = a.addingProduct(w6, load(s6 + o))
            a = a.addingProduct(w7, load(s7 + o))
            return a.addingProduct(w8, load(s8 + o))
        }
        var o = 0
        while count - o >= 64 {
            let a0 = sum(o), a1 = sum(o + 16), a2 = sum(o + 32), a3 = sum(o + 48)
            store(a0, output + o)
            store(a1, output + o + 16)
            store(a2, output + o + 32)
            store(a3, output + o + 48)
            o += 64
        }
        while o < count {
            store(sum(o), output + o)
            o += 16
        }
    }

    /// Copies an input plane (`height` rows of `width` floats) into a padded scratch: input row
    /// `ih` is padded row `r = ih + firstRow`, which starts at
    /// `destination + (r % rowStride) * rowPhaseJump + (r / rowStride) * phaseWidth`. With
    /// `deinterleave`, even input columns go to that row and odd ones to the same row
    /// `oddOffset` floats later (columns split by parity for stride 2); otherwise the row is
    /// copied as is. Only the cells of the input are written.
    public static func loadPlane(
        _ source: UnsafePointer<Float>, width: Int, height: Int,
        destination: UnsafeMutablePointer<Float>, firstRow: Int, rowStride: Int, rowPhaseJump: Int,
        phaseWidth: Int, deinterleave: Bool, oddOffset: Int
    ) {
        for ih in 0..<height {
            let r = ih + firstRow
            let row = destination + (r % rowStride) * rowPhaseJump + (r / rowStride) * phaseWidth
            let input = source + ih * width
            if deinterleave {
                deinterleaveRun(input, count: width, even: row, odd: row + oddOffset)
            } else {
                copyRun(input, count: width, to: row)
            }
        }
    }

    /// Copies one plane's tap sums from the flat layout (`height` rows of `width` floats,
    /// `sumsStride` apart) to `output` (rows `width` apart, contiguous), dropping the flat
    /// positions between rows; the caller then runs the epilogue over the whole plane at once.
    public static func compactPlane(
        sums: UnsafePointer<Float>, sumsStride: Int, width: Int, height: Int,
        output: UnsafeMutablePointer<Float>
    ) {
        for oh in 0..<height {
            copyRun(sums + oh * sumsStride, count: width, to: output + oh * width)
        }
    }

    /// `compactPlane` that writes each row of a narrow plane (`width < 16`) as one whole
    /// 16-float vector wherever that stays inside the plane (`width * height` floats): rows are
    /// written in order, so the next row overwrites what a vector wrote past its row.
    public static func compactNarrowPlane(
        sums: UnsafePointer<Float>, sumsStride: Int, width: Int, height: Int,
        output: UnsafeMutablePointer<Float>
    ) {
        let plane = width * height
        for oh in 0..<height {
            if oh * width + 16 <= plane {
                store(load(sums + oh * sumsStride), output + oh * width)
            } else {
                copyRun(sums + oh * sumsStride, count: width, to: output + oh * width)
            }
        }
    }

    /// `values[i] = act(values[i] + bias)` for `i` below `count` rounded up to a multiple of
    /// 16 (the caller makes those valid), in whole vectors: the epilogue of a whole stacked
    /// group of flat sums at once, before its rows are moved out. Activations as `finishPlane`.
    public static func finishFlat(
        _ values: UnsafeMutablePointer<Float>, count: Int, bias: Float, kind: Int, low: Float, high: Float
    ) {
        @inline(__always)
        func run(_ code: Int) {
            let b = Vector(repeating: bias)
            var o = 0
            while o < count {
                store(activate(load(values + o) + b, code, low, high), values + o)
                o += 16
            }
        }
        switch kind {
        case 0: run(0)
        case 1: run(1)
        default: run(2)
        }
    }

    /// `values[i] = act(values[i] + bias + residual[i])` for `i < count`, in place (see
    /// `finishRun` for the activation codes).
    public static func finishPlane(
        _ values: UnsafeMutablePointer<Float>, count: Int, bias: Float,
        residual: UnsafePointer<Float>?, kind: Int, low: Float, high: Float
    ) {
        finishRun(values, values, count: count, bias: bias, residual: residual, kind: kind, low: low, high: high)
    }

    /// `count` floats from `source` to `destination` in whole vectors, the last overlapping.
    @inline(__always)
    static func copyRun(_ source: UnsafePointer<Float>, count: Int, to destination: UnsafeMutablePointer<Float>) {
        if count >= 16 {
            var at = 0
            while at + 16 <= count {
                store(load(source + at), destination + at)
                at += 16
            }
            if at < count { store(load(source + count - 16), destination + count - 16) }
        } else if count >= 8 {
            storeAny(loadAny(source) as SIMD8<Float>, destination)
            storeAny(loadAny(source + count - 8) as SIMD8<Float>, destination + count - 8)
        } else if count >= 4 {
            storeAny(loadAny(source) as SIMD4<Float>, destination)
            storeAny(loadAny(source + count - 4) as SIMD4<Float>, destination + count - 4)
        } else {
            for i in 0..<count { destination[i] = source[i] }
        }
    }

    /// Splits `count` floats at `source` by parity: `even[i] = source[2i]`, `odd[i] = source[2i + 1]`.
    /// Whole 32- or 16-float blocks, the last one overlapping (it starts at an even column, so
    /// parities line up); a last even column left over is copied alone.
    @inline(__always)
    static func deinterleaveRun(
        _ source: UnsafePointer<Float>, count: Int,
        even: UnsafeMutablePointer<Float>, odd: UnsafeMutablePointer<Float>
    ) {
        let pairs = count / 2
        if pairs >= 16 {
            var i = 0
            while i + 16 <= pairs {
                splitVectors(source, i, even, odd)
                i += 16
            }
            if i < pairs { splitVectors(source, pairs - 16, even, odd) }
        } else if pairs >= 8 {
            splitBlock(SIMD16<Float>.self, source, 0, even, odd)
            splitBlock(SIMD16<Float>.self, source, pairs - 8, even, odd)
        } else if pairs >= 4 {
            splitBlock(SIMD8<Float>.self, source, 0, even, odd)
            splitBlock(SIMD8<Float>.self, source, pairs - 4, even, odd)
        } else {
            for i in 0..<pairs {
                even[i] = source[2 * i]
                odd[i] = source[2 * i + 1]
            }
        }
        if count % 2 == 1 { even[pairs] = source[count - 1] }
    }

    /// Even and odd floats of the 32 floats starting at pair `pair`, as two loads and two
    /// two-source permutes (`SIMD32.evenHalf` in a loop compiled to one broadcast per float).
    @inline(__always)
    private static func splitVectors(
        _ source: UnsafePointer<Float>, _ pair: Int,
        _ even: UnsafeMutablePointer<Float>, _ odd: UnsafeMutablePointer<Float>
    ) {
        let a = load(source + 2 * pair), b = load(source + 2 * pair + 16)
        store(Vector(a[0], a[2], a[4], a[6], a[8], a[10], a[12], a[14],
                     b[0], b[2], b[4], b[6], b[8], b[10], b[12], b[14]), even + pair)
        store(Vector(a[1], a[3], a[5], a[7], a[9], a[11], a[13], a[15],
                     b[1], b[3], b[5], b[7], b[9], b[11], b[13], b[15]), odd + pair)
    }

    /// Even and odd floats of the block of `V.scalarCount` floats starting at pair `pair`.
    @inline(__always)
    private static func splitBlock<V: SIMD>(
        _ type: V.Type, _ source: UnsafePointer<Float>, _ pair: Int,
        _ even: UnsafeMutablePointer<Float>, _ odd: UnsafeMutablePointer<Float>
    ) where V.Scalar == Float {
        let block: V = loadAny(source + 2 * pair)
        let half = V.scalarCount / 2
        switch half {
        case 16:
            let v = unsafeBitCast(block, to: SIMD32<Float>.self)
            storeAny(v.evenHalf, even + pair)
            storeAny(v.oddHalf, odd + pair)
        case 8:
            let v = unsafeBitCast(block, to: SIMD16<Float>.self)
            storeAny(v.evenHalf, even + pair)
            storeAny(v.oddHalf, odd + pair)
        default:
            let v = unsafeBitCast(block, to: SIMD8<Float>.self)
            storeAny(v.evenHalf, even + pair)
            storeAny(v.oddHalf, odd + pair)
        }
    }
}

@inline(__always)
private func loadAny<V: SIMD>(_ p: UnsafePointer<Float>) -> V where V.Scalar == Float {
    UnsafeRawPointer(p).loadUnaligned(as: V.self)
}

@inline(__always)
private func storeAny<V: SIMD>(_ v: V, _ p: UnsafeMutablePointer<Float>) where V.Scalar == Float {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: V.self)
}

// The 3x3, stride-1, pad-1 depthwise convolution (MobileNet's) in whole output vectors read
// straight from a row-padded copy of each plane, with the epilogue in registers. Only called
// after a run-time CPU check (see Kernels' CPUFeatures); never call these on other CPUs.

extension AVX512Depthwise {
    /// One output channel over `planes` input planes (`height x width`, no column padding).
    /// Plane `p` starts at `input + p * inputStride`, with at least `width + 1` zeros before it
    /// and after it (the padding rows; columns are masked instead), so output `o` of the plane
    /// reads tap `(kh, kw)` at `o + (kh - 1) * width + kw - 1`, lanes whose column wraps masked.
    ///
    /// The output vectors start at `rowCount` rows `rowStep` floats apart, at the
    /// `vectorsPerRow` offsets `columnStarts` inside each row; `leftMasks` and `rightMasks`
    /// (16 lanes per start, all bits set where the lane's column has a left / right neighbour)
    /// keep the kw = 0 / kw = 2 taps that wrap into the next row out. Vectors may overlap:
    /// they write the same values. Output plane `p` (and the residual) starts at
    /// `p * outputStride`. `weights` are the 9 taps row-major; the activation is an
    /// `EpilogueCode` with parameters `low`, `high`.
    public static func rows3x3(
        input: UnsafePointer<Float>, inputStride: Int, planes: Int, width: Int,
        rowCount: Int, rowStep: Int, columnStarts: UnsafePointer<Int>, vectorsPerRow: Int,
        leftMasks: UnsafePointer<UInt32>, rightMasks: UnsafePointer<UInt32>,
        weights: UnsafePointer<Float>, bias: Float,
        output: UnsafeMutablePointer<Float>, outputStride: Int, residual: UnsafePointer<Float>?,
        activation: Int, low: Float, high: Float
    ) {
        let w0 = Vector(repeating: weights[0]), w1 = Vector(repeating: weights[1])
        let w2 = Vector(repeating: weights[2]), w3 = Vector(repeating: weights[3])
        let w4 = Vector(repeating: weights[4]), w5 = Vector(repeating: weights[5])
        let w6 = Vector(repeating: weights[6]), w7 = Vector(repeating: weights[7])
        let w8 = Vector(repeating: weights[8])
        let b = Vector(repeating: bias)
        let up = -width, down = width
        @inline(__always)
        func run(_ code: Int, _ withResidual: Bool) {
            for p in 0..<planes {
                let plane = input + p * inputStride
                let out = output + p * outputStride
                let res = residual.map { $0 + p * outputStride }
                for r in 0..<rowCount {
                    let rowBase = r * rowStep
                    for v in 0..<vectorsPerRow {
                        let start = rowBase + columnStarts[v]
                        let q = plane + start
                        let middle = (w1 * load(q + up)).addingProduct(w4, load(q)).addingProduct(w7, load(q + down))
                        let left = (w0 * load(q + up - 1)).addingProduct(w3, load(q - 1))
                            .addingProduct(w6, load(q + down - 1))
                        let right = (w2 * load(q + up + 1)).addingProduct(w5, load(q + 1))
                            .addingProduct(w8, load(q + down + 1))
                        var sum = middle + masked(left, leftMasks + v * 16) + masked(right, rightMasks + v * 16) + b
                        if withResidual { sum += load(res! + start) }
                        store(activate(sum, code, low, high), out + start)
                    }
                }
            }
        }
        switch (activation, residual != nil) {
        case (0, false): run(0, false)
        case (0, true): run(0, true)
        case (1, false): run(1, false)
        case (1, true): run(1, true)
        case (2, false): run(2, false)
        case (2, true): run(2, true)
        case (_, let withResidual): run(activation, withResidual)
        }
    }

    /// Copies `planes` runs of `count` floats, `sourceStride` apart at `source`, to
    /// `destinationStride` apart at `destination`, in whole vectors (the last one of a run
    /// overlapping; runs under 16 floats go in narrower pieces).
    public static func copyPlanes(
        _ source: UnsafePointer<Float>, sourceStride: Int, count: Int, planes: Int,
        to destination: UnsafeMutablePointer<Float>, destinationStride: Int
    ) {
        for p in 0..<planes {
            copyRun(source + p * sourceStride, count: count, to: destination + p * destinationStride)
        }
    }

    /// `value` with the lanes whose mask is zero cleared (bitwise, so a NaN or infinity that a
    /// wrapped tap read is dropped too).
    @inline(__always)
    private static func masked(_ value: Vector, _ mask: UnsafePointer<UInt32>) -> Vector {
        let bits = unsafeBitCast(value, to: SIMD16<UInt32>.self)
        let keep = UnsafeRawPointer(mask).loadUnaligned(as: SIMD16<UInt32>.self)
        return unsafeBitCast(bits & keep, to: Vector.self)
    }
}

// 3x3 depthwise convolutions (MobileNet's, strides 1 and 2) in whole output vectors read from
// a copy of each plane without padding columns, with the epilogue in registers. Only called
// after a run-time CPU check (see Kernels' CPUFeatures); never call these on other CPUs.

extension AVX512Depthwise {
    /// One output channel over `planes` prepared input planes, plane `p` at
    /// `input + p * inputStride`: output `o` of a plane is the sum over taps `t` (row-major
    /// 3x3) of `weights[t] * plane[tapOffsets[t] + o]`, where the layout puts every read of a
    /// real input cell, and zeros for padding rows (see Kernels' `DepthwiseRowsLayout`);
    /// padding columns are lane masks instead: lanes whose window wraps into the neighbouring
    /// row drop their kw = 0 (kw = 2) taps by `leftMasks` (`rightMasks`).
    ///
    /// The output vectors start at `rowCount` rows `rowStep` floats apart (`inputRowStep`
    /// apart in the planes), at the `vectorsPerRow` offsets `columnStarts` inside each row,
    /// with 16 mask lanes per start
    /// (all bits set where the tap is kept). Vectors may overlap: they write the same values.
    /// Output plane `p` (and the residual) starts at `p * outputStride`. The activation is an
    /// `EpilogueCode` with parameters `low`, `high`.
    public static func rows3x3(
        input: UnsafePointer<Float>, inputStride: Int, planes: Int, tapOffsets: UnsafePointer<Int>,
        rowCount: Int, rowStep: Int, inputRowStep: Int, columnStarts: UnsafePointer<Int>, vectorsPerRow: Int,
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
        @inline(__always)
        func run(_ code: Int, _ withResidual: Bool) {
            for p in 0..<planes {
                let plane = input + p * inputStride
                let t0 = plane + tapOffsets[0], t1 = plane + tapOffsets[1], t2 = plane + tapOffsets[2]
                let t3 = plane + tapOffsets[3], t4 = plane + tapOffsets[4], t5 = plane + tapOffsets[5]
                let t6 = plane + tapOffsets[6], t7 = plane + tapOffsets[7], t8 = plane + tapOffsets[8]
                let out = output + p * outputStride
                let res = residual.map { $0 + p * outputStride }
                for r in 0..<rowCount {
                    let rowBase = r * rowStep, inputRowBase = r * inputRowStep
                    for v in 0..<vectorsPerRow {
                        let o = rowBase + columnStarts[v], i = inputRowBase + columnStarts[v]
                        let middle = (w1 * load(t1 + i)).addingProduct(w4, load(t4 + i)).addingProduct(w7, load(t7 + i))
                        let left = (w0 * load(t0 + i)).addingProduct(w3, load(t3 + i)).addingProduct(w6, load(t6 + i))
                        let right = (w2 * load(t2 + i)).addingProduct(w5, load(t5 + i)).addingProduct(w8, load(t8 + i))
                        var sum = middle + masked(left, leftMasks + v * 16) + masked(right, rightMasks + v * 16) + b
                        if withResidual { sum += load(res! + o) }
                        store(activate(sum, code, low, high), out + o)
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

import KernelsAVX512

extension Gemm {
    /// How a GEMM operand's columns lie in memory: column `j` is element `j % length` of
    /// segment `j / length`, segments `stride` floats apart (rows `ld` apart inside a segment).
    /// NCHW images seen as one `[channels, images * positions]` matrix are segments of
    /// `positions` columns, `channels * positions` apart; a plain matrix is one segment.
    struct ColumnSegments {
        var length: Int
        var stride: Int

        /// A plain matrix of `n` columns.
        static func contiguous(_ n: Int) -> ColumnSegments { ColumnSegments(length: max(n, 1), stride: 0) }
    }

    /// `C = act(A * B + bias + residual)` on AVX-512 with `B` and `C` (and the residual, laid
    /// out like `C`) in column segments, the epilogue applied in the last store of each tile:
    /// a batched 1x1 convolution in one product, with no copy in and no pass after. `A` is
    /// `[m, lda]`, or when `packedA` is given, `packedA` holds it as `AVX512Gemm.packA` laid it
    /// out (and `a` is not read). `bias` is `[m]` or nil. The residual may be `c` itself (with
    /// `beta` 0): the product then accumulates onto it. Threads like `avx512Sgemm`. Callers
    /// guarantee `m, n, k >= 1` and `CPUFeatures.usesAVX512GEMM`.
    static func avx512SegmentedSgemm(
        m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int, packedA: UnsafePointer<Float>? = nil,
        b: UnsafePointer<Float>, ldb: Int, bSegments: ColumnSegments,
        c: UnsafeMutablePointer<Float>, ldc: Int, cSegments: ColumnSegments,
        bias: UnsafePointer<Float>?, epilogue: ConvEpilogue, alpha: Float = 1, beta: Float = 0
    ) {
        let (code, p, q) = epilogue.activation.epilogueCode
        // The residual as the output: C starts out holding it, so the product accumulates onto
        // it (beta 1) and the last store adds only the bias.
        let overResidual = epilogue.residual == UnsafePointer(c) && beta == 0
        splitAVX512(m: m, n: n, k: k) { rows, columns, workspace in
            AVX512Gemm.multiplySegmented(
                m: m, n: n, k: k, alpha: alpha, a: packedA ?? a, lda: lda, aPacked: packedA != nil,
                b: b, ldb: ldb, bSegment: bSegments.length, bSegmentStride: bSegments.stride,
                beta: overResidual ? 1 : beta, c: c, ldc: ldc, cSegment: cSegments.length, cSegmentStride: cSegments.stride,
                bias: bias, residual: overResidual ? nil : epilogue.residual, activation: code, p: p, q: q,
                rows: rows, columns: columns, workspace: workspace)
        }
    }
}

extension FusedActivation {
    /// This activation as the AVX-512 GEMM's `EpilogueCode` and its two parameters.
    var epilogueCode: (code: Int, p: Float, q: Float) {
        switch self {
        case .none: return (EpilogueCode.identity, 0, 0)
        case .relu: return (EpilogueCode.relu, 0, 0)
        case .clip(let lo, let hi): return (EpilogueCode.clip, lo, hi)
        case .leakyRelu(let slope): return (EpilogueCode.leakyRelu, slope, 0)
        case .hardSigmoid(let alpha, let beta): return (EpilogueCode.hardSigmoid, alpha, beta)
        case .sigmoid: return (EpilogueCode.sigmoid, 0, 0)
        case .swish: return (EpilogueCode.swish, 0, 0)
        }
    }
}

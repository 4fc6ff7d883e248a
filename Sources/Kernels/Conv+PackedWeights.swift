import KernelsAVX512

extension Conv {
    /// Weights rearranged once for a plan's algorithm (Winograd-transformed, or in the AVX-512
    /// GEMM's row panels), so that repeated `forward` calls skip that work. Empty when the
    /// algorithm reads weights as given (`Plan.packsWeights` is false).
    public struct PackedWeights: Sendable {
        /// The packed values (in huge pages when large); empty when the plan needs none.
        public let storage: AlignedFloats
        let algorithm: Conv.Algorithm
        let params: ConvParams

        /// The packed values as an array (a copy).
        public var values: [Float] { storage.array }

        /// Packs `weight` (`ConvParams.weightCount` floats) for `plan`.
        public init(_ plan: Plan, weight: UnsafePointer<Float>) {
            algorithm = plan.algorithm
            params = plan.params
            switch plan.algorithm {
            case .winograd2, .winograd4:
                let tile = Winograd.Tiling(plan.params, outputTile: plan.algorithm == .winograd2 ? 2 : 4)
                if CPUFeatures.usesAVX512GEMM {
                    // Each point's [Cout, Cin] matrix in the GEMM's 8-row panels.
                    storage = AlignedFloats(count: tile.panelWeightCount) { Winograd.transformWeightsIntoPanels(tile, weight: weight, into: $0) }
                } else {
                    storage = AlignedFloats(count: tile.packedWeightCount) { Winograd.transformWeights(tile, weight: weight, into: $0) }
                }
            case .broadcast:
                storage = AlignedFloats(count: plan.params.weightCount) {
                    Conv.packBroadcastWeights(plan.params, weight, into: $0)
                }
            case .pointwise where plan.packsWeights, .im2col where plan.packsWeights:
                let (m, k) = (plan.params.outChannels, plan.params.weightCount / max(plan.params.outChannels, 1))
                storage = AlignedFloats(count: AVX512Gemm.packedACount(m: m, k: k)) {
                    AVX512Gemm.packA(m: m, k: k, a: weight, lda: k, into: $0)
                }
            default:
                storage = AlignedFloats(count: 0) { _ in }
            }
        }

        /// Whether these weights were packed for `plan` (same algorithm and shape).
        func matches(_ plan: Plan) -> Bool {
            algorithm == plan.algorithm && params.inChannels == plan.params.inChannels
                && params.outChannels == plan.params.outChannels && params.kernel == plan.params.kernel
                && params.group == plan.params.group
        }
    }

    /// `Conv.packWeights(plan, weight)`: the packed values alone (empty when not needed).
    public static func packWeights(_ plan: Plan, _ weight: UnsafePointer<Float>) -> [Float] {
        PackedWeights(plan, weight: weight).values
    }

    /// `forward` with weights packed once by `PackedWeights` (nil, or packed for another plan:
    /// packed on the fly in the workspace, which must then hold `plan.workspaceCount` floats;
    /// otherwise `plan.packedWorkspaceCount` suffice). `weight` is still the original tensor.
    public static func forward(
        _ plan: Plan, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        packed: PackedWeights?, bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>,
        workspace: UnsafeMutablePointer<Float>?, epilogue: ConvEpilogue
    ) throws {
        try checkResidual(epilogue, output: output, plan: plan)
        try run(plan, input: input, weight: weight, packed: packed, bias: bias, output: output,
                workspace: workspace, epilogue: epilogue)
    }
}

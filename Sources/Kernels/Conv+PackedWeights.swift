extension Conv {
    /// Weights rearranged once for a plan's algorithm (e.g. Winograd-transformed), so that
    /// repeated `forward` calls skip that work. Empty when the algorithm reads weights as given.
    public struct PackedWeights: Sendable {
        /// The packed values; empty when the plan needs none.
        public let values: [Float]

        /// Packs `weight` (`ConvParams.weightCount` floats) for `plan`.
        public init(_ plan: Plan, weight: UnsafePointer<Float>) {
            values = []
        }
    }

    /// `forward` with weights packed once by `PackedWeights` (nil: pack on the fly, in the
    /// workspace). `weight` is still the original tensor.
    public static func forward(
        _ plan: Plan, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        packed: PackedWeights?, bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>,
        workspace: UnsafeMutablePointer<Float>?, epilogue: ConvEpilogue
    ) throws {
        try forward(plan, input: input, weight: weight, bias: bias, output: output,
                    workspace: workspace, epilogue: epilogue)
    }
}

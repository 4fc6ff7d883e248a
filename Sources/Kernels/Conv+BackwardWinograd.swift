/// The data gradient of a 3x3, stride-1, dilation-1, single-group convolution is itself
/// such a convolution: `dX = conv(dY, W')` with `W'[ci][co] = W[co][ci]` rotated by 180
/// degrees, pads `2 - padsBegin` and `2 - padsEnd`, so it can run through the forward Winograd kernels instead of a GEMM plus col2im.
extension Conv {
    /// The forward plan computing `dX` for `params`' data gradient with Winograd, or nil
    /// when the shape does not qualify or Winograd would not be chosen for it.
    public static func winogradDataGradientPlan(for params: ConvParams) -> Plan? {
        guard params.rank == 2, params.kernel == [3, 3], params.strides == [1, 1], params.dilations == [1, 1],
              params.group == 1, params.padsBegin.allSatisfy({ 0...2 ~= $0 }),
              params.padsEnd.allSatisfy({ 0...2 ~= $0 }) else { return nil }
        let transposed = ConvParams(
            batch: params.batch, inChannels: params.outChannels, outChannels: params.inChannels,
            inSpatial: params.outSpatial, kernel: [3, 3], strides: [1, 1], dilations: [1, 1],
            padsBegin: params.padsBegin.map { 2 - $0 }, padsEnd: params.padsEnd.map { 2 - $0 },
            outSpatial: params.inSpatial)
        guard let algorithm = Winograd.preferred(for: transposed) else { return nil }
        return try? Plan(transposed, algorithm: algorithm)
    }

    /// Writes `W'` (`[inChannels, outChannels, 3, 3]`) for `W` (`[outChannels, inChannels, 3, 3]`):
    /// transposed channels, each 3x3 filter rotated by 180 degrees.
    public static func transposeRotateFilters(
        _ weight: UnsafePointer<Float>, outChannels: Int, inChannels: Int, into result: UnsafeMutablePointer<Float>
    ) {
        Parallel.forEachChunk(count: inChannels, minimumChunk: 16) { range in
            for ci in range {
                for co in 0..<outChannels {
                    let source = weight + (co * inChannels + ci) * 9
                    let destination = result + (ci * outChannels + co) * 9
                    for tap in 0..<9 { destination[tap] = source[8 - tap] }
                }
            }
        }
    }

    /// Floats of scratch `winogradDataGradient` needs for `plan` (from
    /// `winogradDataGradientPlan`): without packed weights, room for `W'` and its transform.
    public static func winogradDataGradientWorkspaceCount(_ plan: Plan, packed: Bool) -> Int {
        packed ? plan.packedWorkspaceCount : plan.workspaceCount + plan.params.weightCount
    }

    /// `gradInput = dL/dX` through `plan` (from `winogradDataGradientPlan`). `packed` holds
    /// `W'` packed for the plan (`PackedWeights(plan, weight: W')`), or nil to build it in the
    /// workspace from `weight` (the forward conv's `W`).
    public static func winogradDataGradient(
        _ plan: Plan, gradOutput: UnsafePointer<Float>, weight: UnsafePointer<Float>, packed: PackedWeights?,
        gradInput: UnsafeMutablePointer<Float>, workspace: UnsafeMutablePointer<Float>
    ) throws {
        if let packed, packed.matches(plan) {
            try Conv.forward(plan, input: gradOutput, weight: weight, packed: packed, bias: nil, output: gradInput,
                             workspace: workspace, epilogue: ConvEpilogue())
            return
        }
        let rotated = workspace + plan.workspaceCount
        transposeRotateFilters(weight, outChannels: plan.params.inChannels, inChannels: plan.params.outChannels,
                               into: rotated)
        try Conv.forward(plan, input: gradOutput, weight: rotated, packed: nil, bias: nil, output: gradInput,
                         workspace: workspace, epilogue: ConvEpilogue())
    }
}

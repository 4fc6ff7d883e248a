/// Forward N-d convolution (ONNX `Conv`), float32 NCHW.
public enum Conv {
    /// How `forward` computes a given convolution.
    public enum Algorithm: String, Equatable, Sendable {
        /// 1x1 kernel, stride 1, no padding: the input image already is the GEMM operand.
        case pointwise
        /// One input channel per group (depthwise, any channel multiplier), 1-D or 2-D:
        /// a direct loop, no GEMM.
        case depthwise
        /// General case: im2col into the workspace, then one GEMM per group.
        case im2col
        /// 2-D 3x3, stride 1, dilation 1, one group: Winograd F(2x2, 3x3) (16 GEMMs).
        case winograd2
        /// 2-D 3x3, stride 1, dilation 1, one group: Winograd F(4x4, 3x3) (36 GEMMs).
        case winograd4
        /// 1-D or 2-D, one group, at most 4 input channels (a stem conv): a direct loop with
        /// 8 output channels x 48 outputs in registers, no GEMM (`Conv+Direct.swift`).
        case direct
        /// 2-D, one group, output channels a multiple of 16, AVX-512: input values of 8 output
        /// positions broadcast against 48 output channels' weights, windows read in place (a
        /// strided conv's choice; `Conv+Broadcast.swift`).
        case broadcast
    }

    /// The algorithm `forward` uses for `params` (assumed valid).
    public static func algorithm(for params: ConvParams) -> Algorithm {
        if isPointwiseShape(params) {
            return prefersBroadcast(params) ? .broadcast : .pointwise
        }
        if params.group > 1, params.group == params.inChannels, params.rank <= 2 {
            return .depthwise
        }
        if CPUFeatures.usesAVX512GEMM, directApplies(to: params) { return .direct }
        if prefersBroadcast(params) { return .broadcast }
        if let winograd = Winograd.preferred(for: params) { return winograd }
        return broadcastApplies(to: params) && !prefersSubsampleGemm(params) ? .broadcast : .im2col
    }

    /// A 1x1 kernel with stride 1 and no padding: the input already is a GEMM operand.
    static func isPointwiseShape(_ params: ConvParams) -> Bool {
        params.kernel.allSatisfy { $0 == 1 } && params.strides.allSatisfy { $0 == 1 }
            && params.padsBegin.allSatisfy { $0 == 0 } && params.padsEnd.allSatisfy { $0 == 0 }
    }

    /// Whether `algorithm` can compute `params` (assumed valid).
    public static func supports(_ algorithm: Algorithm, _ params: ConvParams) -> Bool {
        switch algorithm {
        case .im2col: return true
        case .pointwise, .depthwise:
            let natural = Conv.algorithm(for: params)
            return natural == algorithm
                || (algorithm == .pointwise && natural != .depthwise && isPointwiseShape(params))
        case .winograd2, .winograd4: return Winograd.applies(to: params)
        case .direct: return directApplies(to: params)
        case .broadcast: return broadcastApplies(to: params)
        }
    }

    /// Float elements of scratch memory `forward` needs (0 when it needs none).
    public static func workspaceCount(_ params: ConvParams) -> Int {
        (try? Plan(params).workspaceCount) ?? 0
    }

    /// A convolution validated once, with its window geometry and algorithm resolved, so that
    /// repeated `forward` calls (a compiled program's runs) neither re-check nor allocate.
    public struct Plan: Sendable {
        public let params: ConvParams
        public let algorithm: Algorithm
        /// Float elements of scratch memory `forward` needs (0 when it needs none), when the
        /// weights are not packed in advance (see `PackedWeights`).
        public let workspaceCount: Int
        /// Float elements of scratch memory `forward` needs when given `PackedWeights`.
        public let packedWorkspaceCount: Int
        /// Images per GEMM for the im2col and pointwise paths (the batch is folded into the
        /// GEMM's columns so late, small layers still give BLAS a wide product); 1 otherwise.
        public let imagesPerChunk: Int
        let geometry: WindowGeometry

        /// Whether `PackedWeights` rearranges the weights for this plan (Winograd transforms;
        /// the AVX-512 GEMM's row panels for ungrouped pointwise and im2col convolutions; the
        /// broadcast kernel's 48-channel panels), so
        /// that a program with constant weights should pack them once.
        public var packsWeights: Bool {
            switch algorithm {
            case .winograd2, .winograd4: return true
            case .pointwise, .im2col: return CPUFeatures.usesAVX512GEMM && params.group == 1
            case .broadcast: return true
            case .depthwise, .direct: return false
            }
        }

        /// Whether `forward` accepts the residual as the output buffer (the output written over
        /// it, each element read before it is written): the AVX-512 GEMM paths, which then
        /// accumulate onto the residual instead of adding it at the end, and the broadcast
        /// kernel, which reads each tile's residual just before storing the tile.
        public var writesOverResidual: Bool {
            (algorithm == .pointwise || algorithm == .im2col) && CPUFeatures.usesAVX512GEMM && params.group == 1
                || algorithm == .broadcast
        }

        /// Validates `params`; throws `KernelParameterError` naming the field at fault.
        public init(_ params: ConvParams) throws {
            try self.init(params, algorithm: nil)
        }

        /// A plan that uses `algorithm` (for benchmarks and tests); throws when it cannot run
        /// these parameters.
        public init(_ params: ConvParams, algorithm: Algorithm) throws {
            try self.init(params, algorithm: Optional(algorithm))
        }

        private init(_ params: ConvParams, algorithm forced: Algorithm?) throws {
            try params.validate()
            let geometry = WindowGeometry(
                inSpatial: params.inSpatial, kernel: params.kernel, strides: params.strides,
                dilations: params.dilations, padsBegin: params.padsBegin, padsEnd: params.padsEnd,
                outSpatial: params.outSpatial)
            let groupRows = params.outChannels / params.group
            let groupDepth = params.inChannels / params.group * geometry.kernelVolume
            let widest = geometry.outputPlane * max(1, params.batch)
            guard Gemm.fitsBLAS(groupRows, groupDepth, widest, groupDepth * widest,
                                groupRows * widest, groupRows * groupDepth) else {
                throw KernelParameterError(kernel: "Conv", field: "inSpatial",
                                           message: "GEMM sizes exceed 32-bit BLAS limits")
            }
            if let forced, !Conv.supports(forced, params) {
                throw KernelParameterError(kernel: "Conv", field: "algorithm",
                                           message: "\(forced) cannot run these parameters")
            }
            let algorithm = forced ?? Conv.algorithm(for: params)
            self.params = params
            self.geometry = geometry
            self.algorithm = algorithm
            switch algorithm {
            case .depthwise:
                imagesPerChunk = 1
                workspaceCount = 0
                packedWorkspaceCount = 0
            case .pointwise, .im2col:
                imagesPerChunk = Conv.imagesPerChunk(params, geometry)
                workspaceCount = Conv.gemmWorkspaceCount(params, geometry, algorithm: algorithm,
                                                         images: imagesPerChunk)
                packedWorkspaceCount = workspaceCount
            case .direct:
                imagesPerChunk = 1
                workspaceCount = Conv.directWorkspaceCount(params, geometry)
                packedWorkspaceCount = workspaceCount
            case .broadcast:
                imagesPerChunk = 1
                workspaceCount = Conv.broadcastWorkspaceCount(params, geometry, packed: false)
                packedWorkspaceCount = Conv.broadcastWorkspaceCount(params, geometry, packed: true)
            case .winograd2, .winograd4:
                let tile = Winograd.Tiling(params, outputTile: algorithm == .winograd2 ? 2 : 4)
                imagesPerChunk = 1
                packedWorkspaceCount = tile.workspaceCount
                workspaceCount = tile.workspaceCount + tile.packedWeightCount
            }
        }
    }

    /// Computes `output = conv(input, weight) + bias`.
    ///
    /// Buffer layouts are described on `ConvParams`; `bias` is `[outChannels]` or nil, and
    /// `workspace` must hold `workspaceCount(params)` floats (nil allowed when that is 0).
    /// Throws `KernelParameterError` for invalid parameters or a missing workspace.
    public static func forward(
        _ params: ConvParams, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>,
        workspace: UnsafeMutablePointer<Float>?
    ) throws {
        try forward(Plan(params), input: input, weight: weight, bias: bias, output: output,
                    workspace: workspace)
    }

    /// `forward` for a plan made once; throws only for a missing workspace.
    public static func forward(
        _ plan: Plan, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>,
        workspace: UnsafeMutablePointer<Float>?
    ) throws {
        try run(plan, input: input, weight: weight, packed: nil, bias: bias, output: output,
                workspace: workspace, epilogue: ConvEpilogue())
    }

    /// The one dispatch every public `forward` ends in.
    static func run(
        _ plan: Plan, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        packed: PackedWeights?, bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>,
        workspace: UnsafeMutablePointer<Float>?, epilogue: ConvEpilogue
    ) throws {
        let usablePacked = packed.flatMap { $0.matches(plan) ? $0 : nil }
        let needed = usablePacked == nil ? plan.workspaceCount : plan.packedWorkspaceCount
        if needed > 0, workspace == nil {
            throw KernelParameterError(kernel: "Conv", field: "workspace",
                                       message: "nil, but \(needed) floats are needed")
        }
        guard plan.params.batch > 0 else { return }
        switch plan.algorithm {
        case .depthwise:
            depthwise(plan.params, plan.geometry, input: input, weight: weight, bias: bias,
                      output: output, epilogue: epilogue)
        case .direct:
            direct(plan.params, plan.geometry, input: input, weight: weight, bias: bias, output: output,
                   workspace: workspace!, epilogue: epilogue)
        case .broadcast:
            broadcast(plan, input: input, weight: weight, packed: usablePacked, bias: bias, output: output,
                      workspace: workspace, epilogue: epilogue)
        case .pointwise, .im2col:
            gemmPath(plan, input: input, weight: weight, packed: usablePacked, bias: bias, output: output,
                     workspace: workspace, epilogue: epilogue)
        case .winograd2, .winograd4:
            Winograd.forward(plan, input: input, weight: weight, packed: usablePacked, bias: bias,
                             output: output, workspace: workspace!, epilogue: epilogue)
        }
    }
}

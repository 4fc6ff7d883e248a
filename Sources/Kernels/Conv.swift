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
    }

    /// The algorithm `forward` uses for `params` (assumed valid).
    public static func algorithm(for params: ConvParams) -> Algorithm {
        let isUnitKernel = params.kernel.allSatisfy { $0 == 1 }
        if isUnitKernel, params.strides.allSatisfy({ $0 == 1 }),
           params.padsBegin.allSatisfy({ $0 == 0 }), params.padsEnd.allSatisfy({ $0 == 0 }) {
            return .pointwise
        }
        if params.group > 1, params.group == params.inChannels, params.rank <= 2 {
            return .depthwise
        }
        return .im2col
    }

    /// Float elements of scratch memory `forward` needs (0 when it needs none).
    public static func workspaceCount(_ params: ConvParams) -> Int {
        guard algorithm(for: params) == .im2col else { return 0 }
        return params.inChannels * params.kernel.reduce(1, *) * params.outSpatial.reduce(1, *)
    }

    /// A convolution validated once, with its window geometry and algorithm resolved, so that
    /// repeated `forward` calls (a compiled program's runs) neither re-check nor allocate.
    public struct Plan: Sendable {
        public let params: ConvParams
        public let algorithm: Algorithm
        /// Float elements of scratch memory `forward` needs (0 when it needs none).
        public let workspaceCount: Int
        let geometry: WindowGeometry

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
            guard Gemm.fitsBLAS(groupRows, groupDepth, geometry.outputPlane,
                                groupDepth * geometry.outputPlane, groupRows * groupDepth) else {
                throw KernelParameterError(kernel: "Conv", field: "inSpatial",
                                           message: "GEMM sizes exceed 32-bit BLAS limits")
            }
            self.params = params
            self.geometry = geometry
            let algorithm = forced ?? Conv.algorithm(for: params)
            if let forced, forced != .im2col, forced != Conv.algorithm(for: params) {
                throw KernelParameterError(kernel: "Conv", field: "algorithm",
                                           message: "\(forced) cannot run these parameters")
            }
            self.algorithm = algorithm
            self.workspaceCount = algorithm == .im2col
                ? params.inChannels * geometry.kernelVolume * geometry.outputPlane : 0
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
        let params = plan.params
        let geometry = plan.geometry
        switch plan.algorithm {
        case .depthwise:
            depthwise(params, geometry, input: input, weight: weight, bias: bias, output: output)
        case .pointwise:
            for image in 0..<params.batch {
                gemmPerGroup(params, geometry,
                             columns: input + image * params.inputCountPerImage,
                             weight: weight, bias: bias,
                             output: output + image * params.outputCountPerImage)
            }
        case .im2col:
            guard let workspace else {
                throw KernelParameterError(
                    kernel: "Conv", field: "workspace",
                    message: "nil, but \(plan.workspaceCount) floats are needed")
            }
            for image in 0..<params.batch {
                Im2Col.fill(geometry: geometry, channels: params.inChannels,
                            image: input + image * params.inputCountPerImage, columns: workspace)
                gemmPerGroup(params, geometry, columns: UnsafePointer(workspace),
                             weight: weight, bias: bias,
                             output: output + image * params.outputCountPerImage)
            }
        }
    }

    /// `output_g[Cout/G, P] = weight_g[Cout/G, Cin/G * k] * columns_g[Cin/G * k, P] (+ bias)`
    /// for one image. Runs on the calling thread so OpenBLAS can thread each product.
    private static func gemmPerGroup(
        _ params: ConvParams, _ geometry: WindowGeometry, columns: UnsafePointer<Float>,
        weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
        output: UnsafeMutablePointer<Float>
    ) {
        let rows = params.outChannels / params.group
        let depth = params.inChannels / params.group * geometry.kernelVolume
        let positions = geometry.outputPlane
        if let bias {
            for channel in 0..<params.outChannels {
                (output + channel * positions).update(repeating: bias[channel], count: positions)
            }
        }
        for group in 0..<params.group {
            Gemm.sgemm(
                transA: false, transB: false, m: rows, n: positions, k: depth, alpha: 1,
                a: weight + group * rows * depth, lda: depth,
                b: columns + group * depth * positions, ldb: positions,
                beta: bias == nil ? 0 : 1,
                c: output + group * rows * positions, ldc: positions)
        }
    }
}

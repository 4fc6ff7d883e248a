/// Gradients of `Conv.forward` (NCHW float32, 1-D to 3-D, any groups, strides, pads and
/// dilations), written as the transposed GEMMs of the im2col forward pass:
/// - data: `columns_g = weight_g^T * dY_g`, then col2im scatters the columns back onto dX;
/// - weight: `dW_g += dY_g * im2col(X)_g^T`, accumulated over the images of the batch.
/// Both run on the calling thread's BLAS (see `Parallel`), and both are deterministic: the
/// batch is accumulated in image order, and col2im gives each channel plane to one thread.
extension Conv {
    /// Floats of scratch memory `backwardData` / `backwardWeight` need for `params`: the
    /// column matrix of one image, except for a pointwise convolution, which needs none.
    public static func backwardWorkspaceCount(_ params: ConvParams) -> Int {
        guard algorithm(for: params) != .pointwise else { return 0 }
        return params.inChannels * params.kernel.reduce(1, *) * params.outSpatial.reduce(1, *)
    }

    /// Computes `gradInput = dL/dX` (`[batch, inChannels, inSpatial...]`, overwritten) from
    /// `gradOutput` (`[batch, outChannels, outSpatial...]`) and `weight`.
    /// `workspace` must hold `backwardWorkspaceCount(plan.params)` floats.
    public static func backwardData(
        _ plan: Plan, gradOutput: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        gradInput: UnsafeMutablePointer<Float>, workspace: UnsafeMutablePointer<Float>?
    ) throws {
        let params = plan.params, geometry = plan.geometry
        let pointwise = plan.algorithm == .pointwise
        guard pointwise || workspace != nil else {
            throw KernelParameterError(kernel: "ConvGradInput", field: "workspace",
                                       message: "nil, but \(backwardWorkspaceCount(params)) floats are needed")
        }
        let rows = params.outChannels / params.group
        let depth = params.inChannels / params.group * geometry.kernelVolume
        let positions = geometry.outputPlane
        for image in 0..<params.batch {
            let dy = gradOutput + image * params.outputCountPerImage
            let dx = gradInput + image * params.inputCountPerImage
            // Pointwise: the columns are dX itself.
            let columns = pointwise ? dx : workspace!
            guard rows > 0, positions > 0 else {
                dx.update(repeating: 0, count: params.inputCountPerImage)
                continue
            }
            for group in 0..<params.group {
                Gemm.sgemm(
                    transA: true, transB: false, m: depth, n: positions, k: rows, alpha: 1,
                    a: weight + group * rows * depth, lda: depth,
                    b: dy + group * rows * positions, ldb: positions,
                    beta: 0, c: columns + group * depth * positions, ldc: positions)
            }
            if !pointwise {
                Col2Im.accumulate(geometry: geometry, channels: params.inChannels,
                                  columns: UnsafePointer(columns), image: dx)
            }
        }
    }

    /// Computes `gradWeight = dL/dW` (`[outChannels, inChannels / group, kernel...]`,
    /// overwritten) from `gradOutput` and the forward `input`, summed over the batch.
    /// `workspace` must hold `backwardWorkspaceCount(plan.params)` floats.
    public static func backwardWeight(
        _ plan: Plan, gradOutput: UnsafePointer<Float>, input: UnsafePointer<Float>,
        gradWeight: UnsafeMutablePointer<Float>, workspace: UnsafeMutablePointer<Float>?
    ) throws {
        let params = plan.params, geometry = plan.geometry
        let pointwise = plan.algorithm == .pointwise
        guard pointwise || workspace != nil else {
            throw KernelParameterError(kernel: "ConvGradWeight", field: "workspace",
                                       message: "nil, but \(backwardWorkspaceCount(params)) floats are needed")
        }
        let rows = params.outChannels / params.group
        let depth = params.inChannels / params.group * geometry.kernelVolume
        let positions = geometry.outputPlane
        gradWeight.update(repeating: 0, count: params.weightCount)
        guard rows > 0, depth > 0, positions > 0 else { return }
        for image in 0..<params.batch {
            let x = input + image * params.inputCountPerImage
            let columns: UnsafePointer<Float>
            if pointwise {
                columns = x
            } else {
                Im2Col.fill(geometry: geometry, channels: params.inChannels, image: x, columns: workspace!)
                columns = UnsafePointer(workspace!)
            }
            let dy = gradOutput + image * params.outputCountPerImage
            for group in 0..<params.group {
                Gemm.sgemm(
                    transA: false, transB: true, m: rows, n: depth, k: positions, alpha: 1,
                    a: dy + group * rows * positions, lda: positions,
                    b: columns + group * depth * positions, ldb: positions,
                    beta: 1, c: gradWeight + group * rows * depth, ldc: depth)
            }
        }
    }
}

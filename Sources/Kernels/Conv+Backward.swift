/// Gradients of `Conv.forward` (NCHW float32, 1-D to 3-D, any groups, strides, pads and
/// dilations), written as the transposed GEMMs of the im2col forward pass:
/// - data: `columns_g = weight_g^T * dY_g`, then col2im scatters the columns back onto dX;
/// - weight: `dW_g += dY_g * im2col(X)_g^T`, accumulated over the images of the batch.
/// Both run on the calling thread's BLAS (see `Parallel`), and both are deterministic: the
/// batch is accumulated in image order, and col2im gives each channel plane to one thread.
extension Conv {
    /// Floats of scratch memory `backwardData` / `backwardWeight` need for `params`: the
    /// column matrix of the images folded into one GEMM (none for an unfolded pointwise
    /// convolution) and, when folding, the gathered `[outChannels, images * positions]` dY.
    public static func backwardWorkspaceCount(_ params: ConvParams) -> Int {
        let geometry = WindowGeometry(
            inSpatial: params.inSpatial, kernel: params.kernel, strides: params.strides, dilations: params.dilations,
            padsBegin: params.padsBegin, padsEnd: params.padsEnd, outSpatial: params.outSpatial)
        let images = backwardImagesPerChunk(params, geometry)
        let pointwise = isPointwiseShape(params)
        let width = geometry.outputPlane * images
        let columns = pointwise && images == 1 ? 0 : params.inChannels * geometry.kernelVolume * width
        let gathered = images > 1 ? params.outChannels * width : 0
        // The segmented data gradient of a pointwise conv needs W^T instead.
        let transposed = pointwise && params.group == 1 ? params.inChannels * params.outChannels : 0
        return max(columns + gathered, transposed)
    }

    /// Images whose columns share one GEMM in the backward passes: small feature maps
    /// (the late stages of a ResNet) make thin GEMMs that repack the weights per image, so
    /// images are folded side by side up to about 1024 columns (and 16 MB of scratch).
    static func backwardImagesPerChunk(_ params: ConvParams, _ g: WindowGeometry) -> Int {
        let positions = g.outputPlane
        guard params.group == 1, params.batch > 1, positions > 0, positions < 1024 else { return 1 }
        let perImage = (params.inChannels * g.kernelVolume + params.outChannels) * positions
        let wanted = (1024 + positions - 1) / positions
        let fits = (4 << 20) / max(perImage, 1)
        return max(1, min(params.batch, wanted, fits))
    }

    /// Copies `[channels, positions]` planes of `count` consecutive images side by side
    /// into `[channels, count * positions]` (`toColumns`), or back (`!toColumns`).
    static func foldPlanes(_ images: UnsafeMutablePointer<Float>, imageStride: Int, count: Int, channels: Int,
                           positions: Int, _ folded: UnsafeMutablePointer<Float>, toColumns: Bool) {
        let width = count * positions
        Parallel.forEachChunk(count: channels, minimumChunk: max(1, 16_384 / max(width, 1))) { range in
            for channel in range {
                for image in 0..<count {
                    let plane = images + image * imageStride + channel * positions
                    let row = folded + channel * width + image * positions
                    if toColumns {
                        row.update(from: plane, count: positions)
                    } else {
                        plane.update(from: row, count: positions)
                    }
                }
            }
        }
    }

    /// Computes `gradInput = dL/dX` (`[batch, inChannels, inSpatial...]`, overwritten) from
    /// `gradOutput` (`[batch, outChannels, outSpatial...]`) and `weight`.
    /// `workspace` must hold `backwardWorkspaceCount(plan.params)` floats.
    public static func backwardData(
        _ plan: Plan, gradOutput: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        gradInput: UnsafeMutablePointer<Float>, workspace: UnsafeMutablePointer<Float>?
    ) throws {
        let params = plan.params, geometry = plan.geometry
        let pointwise = isPointwiseShape(params)
        let fold = backwardImagesPerChunk(params, geometry)
        try requireBackwardWorkspace(params, workspace, kernel: "ConvGradInput")
        let (rows, depth, positions) = groupGemmShape(params, geometry)
        guard rows > 0, positions > 0 else {
            gradInput.update(repeating: 0, count: params.batch * params.inputCountPerImage)
            return
        }
        if pointwise, params.group == 1, CPUFeatures.usesAVX512GEMM, let workspace {
            // dX = W^T * dY over every image at once: W^T into the workspace, dY and dX read and
            // written in place as column segments (no folding copies).
            let cin = params.inChannels, cout = params.outChannels
            Parallel.forEachChunk(count: cin, minimumChunk: max(1, 16_384 / max(cout, 1))) { range in
                for i in range {
                    for o in 0..<cout { workspace[i * cout + o] = weight[o * cin + i] }
                }
            }
            Gemm.avx512SegmentedSgemm(
                m: cin, n: params.batch * positions, k: cout, a: workspace, lda: cout,
                b: gradOutput, ldb: positions, bSegments: .init(length: positions, stride: params.outputCountPerImage),
                c: gradInput, ldc: positions, cSegments: .init(length: positions, stride: params.inputCountPerImage),
                bias: nil, epilogue: ConvEpilogue())
            return
        }
        if fold > 1, let workspace {
            // One GEMM for `fold` images: columns [depth, fold * positions] = W^T * dY gathered.
            let columns = workspace
            let gathered = workspace + depth * fold * positions
            var first = 0
            while first < params.batch {
                let count = min(fold, params.batch - first)
                let width = count * positions
                foldPlanes(UnsafeMutablePointer(mutating: gradOutput + first * params.outputCountPerImage),
                           imageStride: params.outputCountPerImage, count: count, channels: rows,
                           positions: positions, gathered, toColumns: true)
                Gemm.sgemm(transA: true, transB: false, m: depth, n: width, k: rows, alpha: 1,
                           a: weight, lda: depth, b: gathered, ldb: width, beta: 0, c: columns, ldc: width)
                let dx = gradInput + first * params.inputCountPerImage
                if pointwise {
                    foldPlanes(dx, imageStride: params.inputCountPerImage, count: count, channels: depth,
                               positions: positions, columns, toColumns: false)
                } else {
                    for image in 0..<count {
                        Col2Im.accumulate(geometry: geometry, channels: params.inChannels,
                                          columns: UnsafePointer(columns + image * positions),
                                          image: dx + image * params.inputCountPerImage, rowStride: width)
                    }
                }
                first += count
            }
            return
        }
        for image in 0..<params.batch {
            let dy = gradOutput + image * params.outputCountPerImage
            let dx = gradInput + image * params.inputCountPerImage
            // Pointwise: the columns are dX itself.
            let columns = pointwise ? dx : workspace!
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
        let pointwise = isPointwiseShape(params)
        try requireBackwardWorkspace(params, workspace, kernel: "ConvGradWeight")
        let (rows, depth, positions) = groupGemmShape(params, geometry)
        gradWeight.update(repeating: 0, count: params.weightCount)
        guard rows > 0, depth > 0, positions > 0 else { return }
        let fold = backwardImagesPerChunk(params, geometry)
        if fold > 1, let workspace {
            // dW += dY gathered [rows, fold * positions] * columns [depth, fold * positions]^T.
            let columns = workspace
            let gathered = workspace + depth * fold * positions
            var first = 0
            while first < params.batch {
                let count = min(fold, params.batch - first)
                let width = count * positions
                let x = UnsafeMutablePointer(mutating: input + first * params.inputCountPerImage)
                if pointwise {
                    foldPlanes(x, imageStride: params.inputCountPerImage, count: count, channels: depth,
                               positions: positions, columns, toColumns: true)
                } else {
                    Im2Col.fill(geometry: geometry, channels: params.inChannels, images: count, first: x,
                                imageStride: params.inputCountPerImage, columns: columns, rowStride: width)
                }
                foldPlanes(UnsafeMutablePointer(mutating: gradOutput + first * params.outputCountPerImage),
                           imageStride: params.outputCountPerImage, count: count, channels: rows,
                           positions: positions, gathered, toColumns: true)
                Gemm.sgemm(transA: false, transB: true, m: rows, n: depth, k: width, alpha: 1,
                           a: gathered, lda: width, b: columns, ldb: width,
                           beta: 1, c: gradWeight, ldc: depth)
                first += count
            }
            return
        }
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

extension Conv {
    /// Both backward passes need `backwardWorkspaceCount` floats of scratch, or none.
    static func requireBackwardWorkspace(_ params: ConvParams, _ workspace: UnsafeMutablePointer<Float>?,
                                         kernel: String) throws {
        let needed = backwardWorkspaceCount(params)
        guard needed == 0 || workspace != nil else {
            throw KernelParameterError(kernel: kernel, field: "workspace", message: "nil, but \(needed) floats are needed")
        }
    }
}

import Testing
@testable import Kernels

/// Worst error of `Conv.depthwise` (AVX-512 kernels or the portable loops) against the naive
/// reference, relative to the largest reference magnitude (at least 1).
private func depthwiseError(
    _ p: ConvParams, avx512: Bool, residual withResidual: Bool = false,
    activation: FusedActivation = .none, seed: UInt64 = 11
) throws -> Double {
    let plan = try Conv.Plan(p)
    #expect(plan.algorithm == .depthwise)
    let input = KernelTestData.random(p.batch * p.inputCountPerImage, seed: seed)
    let weight = KernelTestData.random(p.weightCount, seed: seed + 1)
    let bias = KernelTestData.random(p.outChannels, seed: seed + 2)
    let residual = withResidual ? KernelTestData.random(p.batch * p.outputCountPerImage, seed: seed + 3) : nil
    var output = [Float](repeating: .nan, count: p.batch * p.outputCountPerImage)
    output.withUnsafeMutableBufferPointer { y in
        (residual ?? []).withUnsafeBufferPointer { r in
            Conv.depthwise(p, plan.geometry, input: input, weight: weight, bias: bias,
                           output: y.baseAddress!,
                           epilogue: ConvEpilogue(residual: withResidual ? r.baseAddress : nil,
                                                  activation: activation),
                           avx512: avx512)
        }
    }
    let reference = referenceFusedConvolution(p, input: input, weight: weight, bias: bias, residual: residual,
                                   activation: activation)
    return worstScaledError(output, reference)
}

private func depthwise2D(batch: Int = 2, channels: Int = 3, multiplier: Int = 1, height: Int, width: Int,
                         kernel: Int = 3, stride: Int, dilation: Int = 1, pads: ([Int], [Int])) -> ConvParams {
    ConvParams(batch: batch, inChannels: channels, outChannels: channels * multiplier, group: channels,
               inSpatial: [height, width], kernel: [kernel, kernel], strides: [stride, stride],
               dilations: [dilation, dilation], padsBegin: pads.0, padsEnd: pads.1)
}

/// The kernels to pin: the portable loops always, the AVX-512 ones where the CPU has them.
private let kernelChoices: [Bool] = CPUFeatures.hasAVX512F ? [false, true] : [false]

private let tolerance = 1e-5

@Suite("Depthwise convolution: stacked, phase-split kernels against a naive reference")
struct DepthwiseTests {
    @Test("3x3 strides 1 and 2, pads none / one / asymmetric, widths 1 to 33", arguments: kernelChoices)
    func shapes(avx512: Bool) throws {
        let pads: [([Int], [Int])] = [([0, 0], [0, 0]), ([1, 1], [1, 1]), ([0, 1], [1, 0]), ([2, 0], [1, 2])]
        for stride in [1, 2] {
            for width in [1, 3, 7, 17, 33] {
                for pad in pads {
                    let height = width == 1 ? 5 : width / 2 + 3
                    let p = depthwise2D(height: height, width: width, stride: stride, pads: pad)
                    guard p.outSpatial.allSatisfy({ $0 > 0 }) else { continue }
                    #expect(try depthwiseError(p, avx512: avx512, activation: .clip(min: 0, max: 6)) < tolerance,
                            "stride \(stride) width \(width) pads \(pad)")
                }
            }
        }
    }

    @Test("every vectorized epilogue: none, ReLU, clip, residual", arguments: kernelChoices)
    func epilogues(avx512: Bool) throws {
        let activations: [FusedActivation] = [.none, .relu, .clip(min: -0.5, max: 0.5), .sigmoid]
        for stride in [1, 2] {
            let p = depthwise2D(height: 9, width: 17, stride: stride, pads: ([1, 1], [1, 1]))
            for activation in activations {
                for residual in [false, true] {
                    #expect(try depthwiseError(p, avx512: avx512, residual: residual, activation: activation) < tolerance,
                            "stride \(stride) \(activation) residual \(residual)")
                }
            }
        }
    }

    @Test("channel multiplier 2, dilation 2, 5x5 and stride 3 filters", arguments: kernelChoices)
    func otherFilters(avx512: Bool) throws {
        let shapes = [
            depthwise2D(multiplier: 2, height: 8, width: 7, stride: 1, pads: ([1, 1], [1, 1])),
            depthwise2D(multiplier: 2, height: 9, width: 9, stride: 2, pads: ([0, 0], [1, 1])),
            depthwise2D(height: 11, width: 13, stride: 1, dilation: 2, pads: ([2, 2], [2, 2])),
            depthwise2D(height: 11, width: 13, stride: 2, dilation: 2, pads: ([1, 2], [2, 1])),
            depthwise2D(height: 12, width: 10, kernel: 5, stride: 1, pads: ([2, 2], [2, 2])),
            depthwise2D(height: 12, width: 10, stride: 3, pads: ([1, 0], [1, 1])),
        ]
        for p in shapes {
            #expect(try depthwiseError(p, avx512: avx512, residual: true, activation: .relu) < tolerance, "\(p)")
        }
    }

    @Test("small planes stacked across the batch; large planes in groups with a partial last one",
          arguments: kernelChoices)
    func batchGroups(avx512: Bool) throws {
        let small = depthwise2D(batch: 5, channels: 4, height: 4, width: 4, stride: 1, pads: ([1, 1], [1, 1]))
        let smallPlan = try Conv.Plan(small)
        #expect(DepthwiseLayout(smallPlan.geometry, batch: 5).planesPerGroup == 5)
        #expect(try depthwiseError(small, avx512: avx512, activation: .clip(min: 0, max: 6)) < tolerance)
        // A 62x62 padded plane fills a quarter of a group: batch 5 runs as 4 + 1.
        let large = depthwise2D(batch: 5, channels: 2, height: 60, width: 60, stride: 2, pads: ([1, 1], [1, 1]))
        let layout = DepthwiseLayout(try Conv.Plan(large).geometry, batch: 5)
        #expect(layout.planesPerGroup == 4)
        #expect(try depthwiseError(large, avx512: avx512, residual: true, activation: .relu) < tolerance)
    }

    @Test("3x3 row kernel, strides 1 and 2: flat narrow planes, row-by-row wide ones, image groups",
          arguments: kernelChoices)
    func rowKernel(avx512: Bool) throws {
        // (height, width): one vector (4x4), flat runs with an overlapping last vector (7x7,
        // 5x4, 3x6), exactly one row vector (16), rows with an overlapping vector (28, 33 wide).
        let planes = [(4, 4), (7, 7), (5, 4), (3, 6), (14, 14), (3, 16), (4, 28), (5, 33)]
        for (height, width) in planes {
            let p = depthwise2D(batch: 3, channels: 5, height: height, width: width, stride: 1,
                                pads: ([1, 1], [1, 1]))
            let layout = try #require(DepthwiseRowsLayout(try Conv.Plan(p).geometry, batch: 3))
            #expect(layout.columnStarts.last! + 16 == (width >= 16 ? width : width * height))
            for residual in [false, true] {
                #expect(try depthwiseError(p, avx512: avx512, residual: residual,
                                           activation: .clip(min: 0, max: 6)) < tolerance,
                        "\(height)x\(width) residual \(residual)")
            }
        }
        // 7x7 planes: a group holds 16 of the 20 images; channel multiplier 2 reuses each copy.
        let grouped = depthwise2D(batch: 20, channels: 2, multiplier: 2, height: 7, width: 7, stride: 1,
                                  pads: ([1, 1], [1, 1]))
        #expect(DepthwiseRowsLayout(try Conv.Plan(grouped).geometry, batch: 20)?.planesPerGroup == 16)
        #expect(try depthwiseError(grouped, avx512: avx512, residual: true, activation: .relu) < tolerance)
        // 56x56 planes: one image per unit.
        let large = depthwise2D(batch: 2, channels: 2, multiplier: 2, height: 56, width: 56, stride: 1,
                                pads: ([1, 1], [1, 1]))
        #expect(DepthwiseRowsLayout(try Conv.Plan(large).geometry, batch: 2)?.planesPerGroup == 1)
        #expect(try depthwiseError(large, avx512: avx512, residual: true, activation: .relu) < tolerance)
        // Stride 2: pads 0 / 1 (MobileNet's on even sizes), 1 / 1 (odd sizes) and mixed, even and odd
        // widths, outputs of one vector (4x4), flat runs (7x7), rows (16, 21 and 20 wide).
        let strided: [(Int, Int, ([Int], [Int]))] = [
            (8, 8, ([0, 0], [1, 1])), (7, 7, ([1, 1], [1, 1])), (14, 14, ([0, 0], [1, 1])),
            (13, 9, ([1, 1], [1, 1])), (5, 32, ([0, 0], [1, 1])), (6, 41, ([1, 1], [1, 1])),
            (4, 39, ([1, 1], [1, 1])), (20, 24, ([0, 0], [1, 1])),
            (9, 10, ([1, 0], [1, 1])), (10, 9, ([0, 1], [1, 1])),
            // PyTorch's pads of one on both sides of even sizes, rows of 20 and 28 outputs.
            (6, 40, ([1, 1], [1, 1])), (5, 56, ([1, 1], [1, 1])),
        ]
        for (height, width, pads) in strided {
            let p = depthwise2D(batch: 3, channels: 5, height: height, width: width, stride: 2, pads: pads)
            #expect(DepthwiseRowsLayout(try Conv.Plan(p).geometry, batch: 3)?.stride == 2, "\(height)x\(width)")
            for residual in [false, true] {
                #expect(try depthwiseError(p, avx512: avx512, residual: residual,
                                           activation: .clip(min: 0, max: 6)) < tolerance,
                        "stride 2 \(height)x\(width) \(pads) residual \(residual)")
            }
        }
        // Planes under 16 outputs, other pads and strides take the stacked kernels.
        let tiny = depthwise2D(height: 3, width: 3, stride: 1, pads: ([1, 1], [1, 1]))
        #expect(DepthwiseRowsLayout(try Conv.Plan(tiny).geometry, batch: 2) == nil)
        // Stride 2, a flat run (under 16 outputs a row) with the last input column where a
        // wrapped tap would read it (even width, pads 1 / 1): not a row-kernel shape.
        let wrapsIntoInput = depthwise2D(height: 6, width: 20, stride: 2, pads: ([1, 1], [1, 1]))
        #expect(DepthwiseRowsLayout(try Conv.Plan(wrapsIntoInput).geometry, batch: 2) == nil)
        #expect(try depthwiseError(wrapsIntoInput, avx512: avx512, activation: .relu) < tolerance)
        #expect(try depthwiseError(tiny, avx512: avx512, activation: .relu) < tolerance)
    }

    @Test("row kernel: a wrapped tap's infinity in a masked lane does not leak into the next row")
    func rowKernelMasksNonFinite() throws {
        guard CPUFeatures.hasAVX512F else { return }
        // 4x4 plane, input 1 everywhere but +inf at the end of row 0: only outputs whose window
        // holds that cell (columns 2-3 of rows 0-1) may be infinite.
        let p = depthwise2D(batch: 1, channels: 1, height: 4, width: 4, stride: 1, pads: ([1, 1], [1, 1]))
        var input = [Float](repeating: 1, count: 16)
        input[3] = .infinity
        let weight = [Float](repeating: 1, count: 9)
        var output = [Float](repeating: .nan, count: 16)
        output.withUnsafeMutableBufferPointer { y in
            Conv.depthwise(p, try! Conv.Plan(p).geometry, input: input, weight: weight, bias: [0],
                           output: y.baseAddress!, epilogue: ConvEpilogue(), avx512: true)
        }
        for index in 0..<16 {
            let (row, column) = (index / 4, index % 4)
            if row <= 1, column >= 2 {
                #expect(output[index] == .infinity, "output \(row), \(column)")
            } else {
                #expect(output[index].isFinite, "output \(row), \(column) = \(output[index])")
            }
        }
    }
}

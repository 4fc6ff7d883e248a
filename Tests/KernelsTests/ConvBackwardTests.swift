import Testing
@testable import Kernels

/// Calls `body(xFlat, wFlat, yFlat)` for every multiply-accumulate of the convolution `p`
/// (the same tap loop as the autodiff reference interpreter, N-d).
private func forEachTap(_ p: ConvParams, _ body: (Int, Int, Int) -> Void) {
    let inCount = p.inSpatial.reduce(1, *), outCount = p.outSpatial.reduce(1, *)
    let kernelCount = p.kernel.reduce(1, *)
    let inPerGroup = p.inChannels / p.group, outPerGroup = p.outChannels / p.group
    for n in 0..<p.batch {
        for oc in 0..<p.outChannels {
            let group = oc / outPerGroup
            for o in 0..<outCount {
                let outAt = KernelTestData.unravel(o, p.outSpatial)
                for ic in 0..<inPerGroup {
                    for t in 0..<kernelCount {
                        let tapAt = KernelTestData.unravel(t, p.kernel)
                        let inAt = p.inSpatial.indices.map { outAt[$0] * p.strides[$0] - p.padsBegin[$0] + tapAt[$0] * p.dilations[$0] }
                        guard inAt.indices.allSatisfy({ inAt[$0] >= 0 && inAt[$0] < p.inSpatial[$0] }) else { continue }
                        let xi = (n * p.inChannels + group * inPerGroup + ic) * inCount + KernelTestData.rowMajor(inAt, p.inSpatial)
                        body(xi, (oc * inPerGroup + ic) * kernelCount + t, (n * p.outChannels + oc) * outCount + o)
                    }
                }
            }
        }
    }
}

/// Worst relative errors of (dX, dW) from the kernels against double-precision sums.
private func backwardErrors(_ p: ConvParams, expecting algorithm: Conv.Algorithm) throws -> (data: Double, weight: Double) {
    // The forward of few input channels runs direct on AVX-512 CPUs; the gradients are the
    // same im2col GEMMs either way.
    let direct = algorithm == .im2col && CPUFeatures.usesAVX512GEMM && Conv.directApplies(to: p)
    #expect(Conv.algorithm(for: p) == (direct ? .direct : algorithm))
    let x = KernelTestData.random(p.batch * p.inputCountPerImage, seed: 11)
    let w = KernelTestData.random(p.weightCount, seed: 12)
    let dy = KernelTestData.random(p.batch * p.outputCountPerImage, seed: 13)
    var dxRef = [Double](repeating: 0, count: x.count), dwRef = [Double](repeating: 0, count: w.count)
    forEachTap(p) { xi, wi, yi in
        dxRef[xi] += Double(dy[yi]) * Double(w[wi])
        dwRef[wi] += Double(dy[yi]) * Double(x[xi])
    }
    var dx = [Float](repeating: .nan, count: x.count), dw = [Float](repeating: .nan, count: w.count)
    var workspace = [Float](repeating: .nan, count: Conv.backwardWorkspaceCount(p))
    let plan = try Conv.Plan(p)
    try workspace.withUnsafeMutableBufferPointer { scratch in
        try Conv.backwardData(plan, gradOutput: dy, weight: w, gradInput: &dx, workspace: scratch.baseAddress)
        try Conv.backwardWeight(plan, gradOutput: dy, input: x, gradWeight: &dw, workspace: scratch.baseAddress)
    }
    return (KernelTestData.worstRelativeError(dx, dxRef.map(Float.init)),
            KernelTestData.worstRelativeError(dw, dwRef.map(Float.init)))
}

@Suite("Conv backward (data and weight) matches direct double-precision sums")
struct ConvBackwardTests {
    @Test("2-D 3x3, same padding, batch 2")
    func sameThreeByThree() throws {
        let p = ConvParams(batch: 2, inChannels: 3, outChannels: 4, inSpatial: [6, 5], kernel: [3, 3],
                           padsBegin: [1, 1], padsEnd: [1, 1])
        let e = try backwardErrors(p, expecting: .im2col)
        #expect(e.data < KernelTestData.tolerance && e.weight < KernelTestData.tolerance, "\(e)")
    }

    @Test("images folded into one GEMM: pointwise batch 3, and 3x3 stride 2 batch 4 in chunks of 3 and 1")
    func foldedImages() throws {
        let pointwise = ConvParams(batch: 3, inChannels: 4, outChannels: 5, inSpatial: [3, 4], kernel: [1, 1])
        #expect(Conv.backwardImagesPerChunk(pointwise, try Conv.Plan(pointwise).geometry) == 3)
        let p = try backwardErrors(pointwise, expecting: .pointwise)
        #expect(p.data < KernelTestData.tolerance && p.weight < KernelTestData.tolerance, "\(p)")
        let chunked = ConvParams(batch: 4, inChannels: 2, outChannels: 3, inSpatial: [40, 40], kernel: [3, 3],
                                 strides: [2, 2], padsBegin: [1, 1], padsEnd: [1, 1])
        #expect(Conv.backwardImagesPerChunk(chunked, try Conv.Plan(chunked).geometry) == 3)
        let c = try backwardErrors(chunked, expecting: .im2col)
        #expect(c.data < KernelTestData.tolerance && c.weight < KernelTestData.tolerance, "\(c)")
    }

    @Test("2-D with strides, asymmetric pads, dilation and a non-square kernel")
    func stridedDilated() throws {
        let p = ConvParams(batch: 2, inChannels: 2, outChannels: 3, inSpatial: [9, 10], kernel: [3, 2],
                           strides: [2, 3], dilations: [2, 1], padsBegin: [1, 2], padsEnd: [2, 0])
        let e = try backwardErrors(p, expecting: .im2col)
        #expect(e.data < KernelTestData.tolerance && e.weight < KernelTestData.tolerance, "\(e)")
    }

    @Test("grouped (2 groups) and depthwise (group = channels, multiplier 2)")
    func groups() throws {
        let grouped = ConvParams(batch: 2, inChannels: 4, outChannels: 6, group: 2, inSpatial: [5, 5],
                                 kernel: [3, 3], padsBegin: [1, 1], padsEnd: [1, 1])
        let depthwise = ConvParams(batch: 1, inChannels: 3, outChannels: 6, group: 3, inSpatial: [6, 6],
                                   kernel: [3, 3], strides: [2, 2], padsBegin: [1, 1], padsEnd: [0, 0])
        let g = try backwardErrors(grouped, expecting: .im2col)
        let d = try backwardErrors(depthwise, expecting: .depthwise)
        #expect(g.data < KernelTestData.tolerance && g.weight < KernelTestData.tolerance, "\(g)")
        #expect(d.data < KernelTestData.tolerance && d.weight < KernelTestData.tolerance, "\(d)")
    }

    @Test("pointwise 1x1 with 2 groups needs no workspace")
    func pointwise() throws {
        let p = ConvParams(batch: 3, inChannels: 4, outChannels: 6, group: 2, inSpatial: [4, 3], kernel: [1, 1])
        #expect(Conv.backwardWorkspaceCount(p) == 0)
        let e = try backwardErrors(p, expecting: .pointwise)
        #expect(e.data < KernelTestData.tolerance && e.weight < KernelTestData.tolerance, "\(e)")
    }

    @Test("1-D and 3-D")
    func otherRanks() throws {
        let one = ConvParams(batch: 2, inChannels: 3, outChannels: 2, inSpatial: [11], kernel: [3],
                             strides: [2], padsBegin: [2], padsEnd: [1])
        let three = ConvParams(batch: 1, inChannels: 2, outChannels: 3, inSpatial: [4, 5, 4], kernel: [2, 3, 2],
                               strides: [1, 2, 1], dilations: [2, 1, 1], padsBegin: [1, 1, 0], padsEnd: [0, 1, 1])
        for p in [one, three] {
            let e = try backwardErrors(p, expecting: .im2col)
            #expect(e.data < KernelTestData.tolerance && e.weight < KernelTestData.tolerance, "\(p.inSpatial): \(e)")
        }
    }

    @Test("a missing workspace is an error naming the kernel")
    func missingWorkspace() throws {
        let p = ConvParams(batch: 1, inChannels: 1, outChannels: 1, inSpatial: [3, 3], kernel: [2, 2])
        var dx = [Float](repeating: 0, count: 9)
        #expect(throws: KernelParameterError.self) {
            try Conv.backwardData(try Conv.Plan(p), gradOutput: [1, 1, 1, 1], weight: [1, 1, 1, 1], gradInput: &dx, workspace: nil)
        }
    }
}

import GraphIR
import Kernels

/// Resolved geometry of a 2-D convolution (1-D convolutions use height 1).
struct ConvGeometry: Equatable {
    var batch, inChannels, inHeight, inWidth: Int
    var outChannels, outHeight, outWidth: Int
    var kernelHeight, kernelWidth: Int
    var strideHeight, strideWidth: Int
    var dilationHeight, dilationWidth: Int
    var padTop, padLeft: Int
    var group: Int
}

/// Resolved geometry of a 2-D pooling window (1-D pools use height 1).
struct PoolGeometry: Equatable {
    var batch, channels, inHeight, inWidth: Int
    var outHeight, outWidth: Int
    var kernelHeight, kernelWidth: Int
    var strideHeight, strideWidth: Int
    var dilationHeight, dilationWidth: Int
    var padTop, padLeft, padBottom, padRight: Int
}

struct BatchNormGeometry: Equatable {
    var batch, channels, spatial: Int
    var epsilon: Float
    var momentum: Float
    var training: Bool
}

struct GemmGeometry: Equatable {
    var m, n, k: Int
    var transA, transB: Bool
    var alpha, beta: Float
    /// Strides of C over (row, column) after broadcasting to [m, n]; nil without C.
    var cStrides: (row: Int, column: Int)?

    static func == (a: GemmGeometry, b: GemmGeometry) -> Bool {
        a.m == b.m && a.n == b.n && a.k == b.k && a.transA == b.transA && a.transB == b.transB
            && a.alpha == b.alpha && a.beta == b.beta && a.cStrides?.row == b.cStrides?.row
            && a.cStrides?.column == b.cStrides?.column
    }
}

/// Batched matrix product `[.., m, k] x [.., k, n]`; the batch offsets (in elements) of A
/// and B for every output batch are precomputed, which handles broadcasting.
struct MatMulGeometry: Equatable {
    var m, n, k: Int
    var aOffsets: [Int]
    var bOffsets: [Int]
}

/// Conv, pools, BatchNormalization, Gemm and MatMul: resolves their geometry.
func makeHeavyKernel(_ s: NodeSignature) throws -> StepKernel {
    let a = s.attributes
    let x = try s.inputDims(0)
    switch s.node.op {
    case .conv:
        let w = try s.inputDims(1), y = try s.outputDims(0)
        guard x.count == 3 || x.count == 4 else { throw s.fail("Conv supports 1-D and 2-D inputs, found rank \(x.count)") }
        let kernel = Array(w[2...])
        let pads = try resolvedPads(s, x, kernel)
        let strides = a.ints("strides") ?? Array(repeating: 1, count: kernel.count)
        let dilations = a.ints("dilations") ?? Array(repeating: 1, count: kernel.count)
        let two = x.count == 4
        return .conv(ConvGeometry(
            batch: x[0], inChannels: x[1], inHeight: two ? x[2] : 1, inWidth: x.last!,
            outChannels: y[1], outHeight: two ? y[2] : 1, outWidth: y.last!,
            kernelHeight: two ? kernel[0] : 1, kernelWidth: kernel.last!,
            strideHeight: two ? strides[0] : 1, strideWidth: strides.last!,
            dilationHeight: two ? dilations[0] : 1, dilationWidth: dilations.last!,
            padTop: two ? pads.begin[0] : 0, padLeft: pads.begin.last!, group: a.int("group") ?? 1))
    case .maxPool, .averagePool:
        guard x.count == 3 || x.count == 4 else {
            throw s.fail("\(s.node.op.rawValue) supports 1-D and 2-D inputs, found rank \(x.count)")
        }
        guard let kernel = a.ints("kernel_shape") else { throw s.fail("missing attribute 'kernel_shape'") }
        let y = try s.outputDims(0)
        let pads = try resolvedPads(s, x, kernel)
        let strides = a.ints("strides") ?? Array(repeating: 1, count: kernel.count)
        let dilations = a.ints("dilations") ?? Array(repeating: 1, count: kernel.count)
        let two = x.count == 4
        let g = PoolGeometry(
            batch: x[0], channels: x[1], inHeight: two ? x[2] : 1, inWidth: x.last!,
            outHeight: two ? y[2] : 1, outWidth: y.last!,
            kernelHeight: two ? kernel[0] : 1, kernelWidth: kernel.last!,
            strideHeight: two ? strides[0] : 1, strideWidth: strides.last!,
            dilationHeight: two ? dilations[0] : 1, dilationWidth: dilations.last!,
            padTop: two ? pads.begin[0] : 0, padLeft: pads.begin.last!,
            padBottom: two ? pads.end[0] : 0, padRight: pads.end.last!)
        if s.node.op == .maxPool { return .maxPool(g, storageOrder: a.int("storage_order") ?? 0) }
        return .averagePool(g, countIncludePad: (a.int("count_include_pad") ?? 0) != 0)
    case .globalAveragePool, .globalMaxPool:
        return .globalPool(channels: x[1], batch: x[0], spatial: x[2...].reduce(1, *), max: s.node.op == .globalMaxPool)
    case .batchNormalization:
        let training = (a.int("training_mode") ?? 0) != 0
        return .batchNorm(BatchNormGeometry(batch: x[0], channels: x[1], spatial: x[2...].reduce(1, *),
                                            epsilon: a.float("epsilon") ?? 1e-5, momentum: a.float("momentum") ?? 0.9,
                                            training: training))
    case .gemm:
        let b = try s.inputDims(1)
        guard x.count == 2, b.count == 2 else { throw s.fail("Gemm needs 2-D inputs") }
        let ta = (a.int("transA") ?? 0) != 0, tb = (a.int("transB") ?? 0) != 0
        let m = ta ? x[1] : x[0], k = ta ? x[0] : x[1], n = tb ? b[0] : b[1]
        var cStrides: (Int, Int)? = nil
        if s.inputs.count > 2, s.inputs[2] != nil {
            let c = try s.inputDims(2)
            let c2 = Array(repeating: 1, count: max(0, 2 - c.count)) + c
            guard c2.count == 2, c2[0] == 1 || c2[0] == m, c2[1] == 1 || c2[1] == n else {
                throw s.fail("C with shape \(c) does not broadcast to [\(m), \(n)]")
            }
            cStrides = (c2[0] == 1 ? 0 : c2[1], c2[1] == 1 ? 0 : 1)
        }
        return .gemm(GemmGeometry(m: m, n: n, k: k, transA: ta, transB: tb, alpha: a.float("alpha") ?? 1,
                                  beta: a.float("beta") ?? 1, cStrides: cStrides))
    case .matMul:
        return .matMul(try matMulGeometry(s, x, try s.inputDims(1)))
    default:
        throw s.fail("\(s.node.op.rawValue) is not a heavy op")
    }
}

private func resolvedPads(_ s: NodeSignature, _ x: [Int], _ kernel: [Int]) throws -> (begin: [Int], end: [Int]) {
    do {
        return try s.node.op.resolvedPads(attributes: s.attributes, inputShape: x, kernel: kernel)
    } catch let e as ShapeError {
        throw s.fail(e.message)
    }
}

private func matMulGeometry(_ s: NodeSignature, _ aDims: [Int], _ bDims: [Int]) throws -> MatMulGeometry {
    var ad = aDims, bd = bDims
    if ad.count == 1 { ad.insert(1, at: 0) }
    if bd.count == 1 { bd.append(1) }
    let m = ad[ad.count - 2], k = ad[ad.count - 1], n = bd[bd.count - 1]
    guard bd[bd.count - 2] == k else { throw s.fail("inner dimensions differ: \(aDims) x \(bDims)") }
    let aBatch = Array(ad.dropLast(2)), bBatch = Array(bd.dropLast(2))
    let rank = max(aBatch.count, bBatch.count)
    let la = Array(repeating: 1, count: rank - aBatch.count) + aBatch
    let lb = Array(repeating: 1, count: rank - bBatch.count) + bBatch
    var out: [Int] = []
    for i in 0..<rank {
        guard la[i] == lb[i] || la[i] == 1 || lb[i] == 1 else {
            throw s.fail("batch dimensions \(aBatch) and \(bBatch) do not broadcast")
        }
        out.append(max(la[i], lb[i]))
    }
    let sa = contiguousStrides(la), sb = contiguousStrides(lb), so = contiguousStrides(out)
    var aOffsets: [Int] = [], bOffsets: [Int] = []
    for flat in 0..<out.reduce(1, *) {
        var ia = 0, ib = 0
        for d in 0..<rank {
            let i = (flat / so[d]) % out[d]
            if la[d] != 1 { ia += i * sa[d] }
            if lb[d] != 1 { ib += i * sb[d] }
        }
        aOffsets.append(ia * m * k)
        bOffsets.append(ib * k * n)
    }
    return MatMulGeometry(m: m, n: n, k: k, aOffsets: aOffsets, bOffsets: bOffsets)
}

import GraphIR
import Testing
@testable import Runtime

// The Program runs the heavy ops through the optimized Kernels (im2col + BLAS, direct
// depthwise, parallel pools and batch norm). Each test here builds a small graph with
// random data and holds the Program's output to the naive oracle in ReferenceKernels.swift,
// within 1e-4 relative.

private let tolerance = 1e-4

/// Deterministic floats in [-1, 1).
private func randomFloats(_ count: Int, seed: UInt64) -> [Float] {
    var rng = SeededRandom(seed: seed, stream: "reference-comparison")
    return (0..<count).map { _ in Float.random(in: -1..<1, using: &rng) }
}

/// Largest `|actual - expected| / max(1, |expected|)`; infinite when the counts differ.
private func worstRelativeError(_ actual: [Float], _ expected: [Float]) -> Double {
    guard actual.count == expected.count else { return .infinity }
    return zip(actual, expected).reduce(0.0) { worst, pair in
        let error = abs(Double(pair.0) - Double(pair.1)) / max(1, abs(Double(pair.1)))
        return error.isNaN ? .infinity : max(worst, error)
    }
}

/// Compiles and runs a graph of one node: a run-time input `x`, constant operands (nil =
/// omitted), and `outputs` outputs.
private func runNode(_ op: OpKind, x: Tensor, operands: [Tensor?] = [], _ attributes: Attributes = [:],
                     outputs: Int = 1) throws -> [Tensor] {
    var b = GraphBuilder(name: op.rawValue)
    let xv = b.input("x", x.type)
    let others = operands.enumerated().map { i, t in t.map { b.constant("operand\(i)", $0) } }
    let outs = try b.node(op, "node", [xv] + others, attributes, outputNames: (0..<outputs).map { "y\($0)" })
    for o in outs { b.output(o) }
    return try Program.compile(b.graph).run(["x": x])
}

/// ONNX conv output length (explicit pads).
private func convOutput(_ input: Int, _ kernel: Int, _ stride: Int, _ dilation: Int, _ pads: (Int, Int)) -> Int {
    (input + pads.0 + pads.1 - dilation * (kernel - 1) - 1) / stride + 1
}

// MARK: - Conv

struct ConvCase: CustomTestStringConvertible, Sendable {
    var name: String
    var batch = 1, inChannels: Int, outChannels: Int, group = 1
    var inSpatial: [Int], kernel: [Int]
    var strides: [Int]? = nil, dilations: [Int]? = nil, pads: [Int]? = nil
    var hasBias = true
    var testDescription: String { name }
}

private let convCases: [ConvCase] = [
    ConvCase(name: "1-D strided dilated padded", batch: 2, inChannels: 3, outChannels: 4, inSpatial: [11], kernel: [3],
             strides: [2], dilations: [2], pads: [2, 1]),
    ConvCase(name: "1-D grouped without bias", inChannels: 4, outChannels: 6, group: 2, inSpatial: [9], kernel: [2],
             hasBias: false),
    ConvCase(name: "2-D grouped strided dilated asymmetric pads", batch: 2, inChannels: 4, outChannels: 6, group: 2,
             inSpatial: [7, 6], kernel: [3, 2], strides: [2, 1], dilations: [1, 2], pads: [1, 0, 2, 1]),
    ConvCase(name: "2-D pointwise (GEMM path)", batch: 2, inChannels: 5, outChannels: 3, inSpatial: [4, 5], kernel: [1, 1]),
    ConvCase(name: "2-D pointwise strided (im2col path)", inChannels: 3, outChannels: 2, inSpatial: [5, 5], kernel: [1, 1],
             strides: [2, 2]),
    ConvCase(name: "2-D depthwise", batch: 2, inChannels: 4, outChannels: 4, group: 4, inSpatial: [6, 7], kernel: [3, 3],
             pads: [1, 1, 1, 1]),
    ConvCase(name: "2-D depthwise, multiplier 2, strided dilated", inChannels: 3, outChannels: 6, group: 3,
             inSpatial: [9, 8], kernel: [3, 3], strides: [2, 2], dilations: [2, 1], pads: [0, 2, 1, 0]),
    ConvCase(name: "3-D", batch: 2, inChannels: 2, outChannels: 3, inSpatial: [4, 5, 3], kernel: [2, 3, 2],
             pads: [1, 1, 0, 0, 1, 1]),
    ConvCase(name: "3-D grouped strided dilated", inChannels: 4, outChannels: 4, group: 2, inSpatial: [6, 5, 7],
             kernel: [2, 2, 3], strides: [2, 1, 2], dilations: [2, 1, 1], pads: [1, 0, 1, 0, 1, 2]),
    ConvCase(name: "3-D depthwise", inChannels: 3, outChannels: 3, group: 3, inSpatial: [4, 4, 4], kernel: [3, 3, 3],
             pads: [1, 1, 1, 1, 1, 1], hasBias: false),
]

@Test("Conv matches the naive reference", arguments: convCases)
func convMatchesReference(_ c: ConvCase) throws {
    let rank = c.inSpatial.count
    let pads = c.pads ?? Array(repeating: 0, count: 2 * rank)
    let strides = c.strides ?? Array(repeating: 1, count: rank)
    let dilations = c.dilations ?? Array(repeating: 1, count: rank)
    let outSpatial = (0..<rank).map { convOutput(c.inSpatial[$0], c.kernel[$0], strides[$0], dilations[$0],
                                                  (pads[$0], pads[rank + $0])) }
    let xShape = [c.batch, c.inChannels] + c.inSpatial
    let wShape = [c.outChannels, c.inChannels / c.group] + c.kernel
    let x = randomFloats(xShape.reduce(1, *), seed: 1), w = randomFloats(wShape.reduce(1, *), seed: 2)
    let bias = c.hasBias ? randomFloats(c.outChannels, seed: 3) : nil

    var attributes: Attributes = ["group": .int(c.group), "strides": .ints(strides), "dilations": .ints(dilations),
                                  "pads": .ints(pads)]
    if rank > 1 { attributes["kernel_shape"] = .ints(c.kernel) }
    let y = try runNode(.conv, x: Tensor(shape: xShape, floats: x),
                        operands: [Tensor(shape: wShape, floats: w), bias.map { Tensor(shape: [c.outChannels], floats: $0) }],
                        attributes)[0]

    let window = ReferenceWindow(inSpatial: c.inSpatial, kernel: c.kernel, strides: strides, dilations: dilations,
                                 padsBegin: Array(pads[..<rank]), padsEnd: Array(pads[rank...]), outSpatial: outSpatial)
    let expected = ReferenceKernels.conv(batch: c.batch, inChannels: c.inChannels, outChannels: c.outChannels,
                                         group: c.group, window, x: x, w: w, bias: bias)
    #expect(y.shape == [c.batch, c.outChannels] + outSpatial)
    #expect(worstRelativeError(y.floatValues, expected) <= tolerance)
}

@Test func samePaddingConvMatchesReferenceWithThePadsItImplies() throws {
    // 3-D SAME_UPPER, stride 2 on odd sizes: totals (2, 1, 2) split with the odd pixel at the end.
    let x = randomFloats(2 * 5 * 4 * 5, seed: 4), w = randomFloats(3 * 2 * 27, seed: 5)
    let y = try runNode(.conv, x: Tensor(shape: [1, 2, 5, 4, 5], floats: x), operands: [Tensor(shape: [3, 2, 3, 3, 3], floats: w)],
                        ["auto_pad": .string("SAME_UPPER"), "strides": .ints([2, 2, 2])])[0]
    let window = ReferenceWindow(inSpatial: [5, 4, 5], kernel: [3, 3, 3], strides: [2, 2, 2],
                                 padsBegin: [1, 0, 1], padsEnd: [1, 1, 1], outSpatial: [3, 2, 3])
    let expected = ReferenceKernels.conv(batch: 1, inChannels: 2, outChannels: 3, group: 1, window, x: x, w: w, bias: nil)
    #expect(y.shape == [1, 3, 3, 2, 3])
    #expect(worstRelativeError(y.floatValues, expected) <= tolerance)
}

// MARK: - Pools

struct PoolCase: CustomTestStringConvertible, Sendable {
    var name: String
    var batch = 1, channels = 2
    var inSpatial: [Int], kernel: [Int]
    var strides: [Int]? = nil, dilations: [Int]? = nil, pads: [Int]? = nil
    var ceilMode = false
    /// Expected output spatial size (stated, so ceil_mode's rounding is checked too).
    var outSpatial: [Int]
    var testDescription: String { name }
}

private let poolCases: [PoolCase] = [
    PoolCase(name: "1-D strided", batch: 2, inSpatial: [10], kernel: [3], strides: [2], outSpatial: [4]),
    PoolCase(name: "1-D ceil mode, last window reaching past the end pad", inSpatial: [10], kernel: [3], strides: [3],
             pads: [0, 1], ceilMode: true, outSpatial: [4]),
    PoolCase(name: "2-D ceil mode, last window in the input", inSpatial: [6, 7], kernel: [3, 3], strides: [2, 2],
             ceilMode: true, outSpatial: [3, 3]),
    PoolCase(name: "2-D ceil mode, window starting on the end pad is dropped", batch: 2, inSpatial: [5, 5],
             kernel: [2, 2], strides: [2, 2], pads: [1, 1, 1, 1], ceilMode: true, outSpatial: [3, 3]),
    PoolCase(name: "2-D dilated asymmetric pads", inSpatial: [8, 7], kernel: [2, 3], strides: [1, 2], dilations: [2, 2],
             pads: [1, 0, 0, 2], outSpatial: [7, 3]),
    PoolCase(name: "3-D", batch: 2, inSpatial: [4, 5, 6], kernel: [2, 2, 2], strides: [2, 2, 2], outSpatial: [2, 2, 3]),
    PoolCase(name: "3-D ceil mode dilated padded", inSpatial: [5, 6, 7], kernel: [2, 3, 2], strides: [2, 2, 3],
             dilations: [2, 1, 2], pads: [1, 1, 0, 0, 1, 1], ceilMode: true, outSpatial: [3, 4, 3]),
]

private func poolWindow(_ c: PoolCase) -> ReferenceWindow {
    let rank = c.inSpatial.count
    let pads = c.pads ?? Array(repeating: 0, count: 2 * rank)
    return ReferenceWindow(inSpatial: c.inSpatial, kernel: c.kernel, strides: c.strides, dilations: c.dilations,
                           padsBegin: Array(pads[..<rank]), padsEnd: Array(pads[rank...]), outSpatial: c.outSpatial)
}

private func poolAttributes(_ c: PoolCase) -> Attributes {
    var a: Attributes = ["kernel_shape": .ints(c.kernel), "ceil_mode": .int(c.ceilMode ? 1 : 0)]
    if let s = c.strides { a["strides"] = .ints(s) }
    if let d = c.dilations { a["dilations"] = .ints(d) }
    if let p = c.pads { a["pads"] = .ints(p) }
    return a
}

@Test("MaxPool values and indices match the naive reference, both storage orders", arguments: poolCases)
func maxPoolMatchesReference(_ c: PoolCase) throws {
    let shape = [c.batch, c.channels] + c.inSpatial
    let x = randomFloats(shape.reduce(1, *), seed: 6)
    for order in [0, 1] {
        var attributes = poolAttributes(c)
        attributes["storage_order"] = .int(order)
        let out = try runNode(.maxPool, x: Tensor(shape: shape, floats: x), attributes, outputs: 2)
        let expected = ReferenceKernels.maxPool(planes: c.batch * c.channels, poolWindow(c), storageOrder: order,
                                                originalRank: c.inSpatial.count, x: x)
        #expect(out[0].shape == [c.batch, c.channels] + c.outSpatial)
        #expect(out[0].floatValues == expected.values)
        #expect(out[1] == Tensor(shape: out[0].shape, int64s: expected.indices), "storage_order \(order)")
    }
}

@Test("AveragePool matches the naive reference, with and without count_include_pad", arguments: poolCases)
func averagePoolMatchesReference(_ c: PoolCase) throws {
    let shape = [c.batch, c.channels] + c.inSpatial
    let x = randomFloats(shape.reduce(1, *), seed: 7)
    for includePad in [false, true] {
        var attributes = poolAttributes(c)
        attributes["count_include_pad"] = .int(includePad ? 1 : 0)
        let y = try runNode(.averagePool, x: Tensor(shape: shape, floats: x), attributes)[0]
        let expected = ReferenceKernels.averagePool(planes: c.batch * c.channels, poolWindow(c),
                                                    countIncludePad: includePad, x: x)
        #expect(y.shape == [c.batch, c.channels] + c.outSpatial)
        #expect(worstRelativeError(y.floatValues, expected) <= tolerance, "count_include_pad \(includePad)")
    }
}

@Test(arguments: [[7], [3, 5], [2, 3, 4]])
func globalPoolsMatchReference(spatial: [Int]) throws {
    let shape = [2, 3] + spatial
    let x = randomFloats(shape.reduce(1, *), seed: 8)
    let count = spatial.reduce(1, *)
    for (op, isMax) in [(OpKind.globalAveragePool, false), (.globalMaxPool, true)] {
        let y = try runNode(op, x: Tensor(shape: shape, floats: x))[0]
        #expect(y.shape == [2, 3] + spatial.map { _ in 1 })
        let expected = ReferenceKernels.globalPool(planes: 6, spatial: count, max: isMax, x: x)
        #expect(worstRelativeError(y.floatValues, expected) <= tolerance, "\(op.rawValue)")
    }
}

// MARK: - BatchNormalization

@Test(arguments: [[2, 3], [2, 3, 5], [1, 4, 3, 3], [2, 2, 2, 3, 2]])
func batchNormMatchesReferenceInBothModes(shape: [Int]) throws {
    let channels = shape[1], spatial = shape[2...].reduce(1, *)
    let x = randomFloats(shape.reduce(1, *), seed: 9)
    let scale = randomFloats(channels, seed: 10), bias = randomFloats(channels, seed: 11)
    let mean = randomFloats(channels, seed: 12), variance = randomFloats(channels, seed: 13).map { $0 + 1.5 }
    let operands = [scale, bias, mean, variance].map { Tensor(shape: [channels], floats: $0) }
    for training in [false, true] {
        let outputs = training ? 3 : 1
        let out = try runNode(.batchNormalization, x: Tensor(shape: shape, floats: x), operands: operands,
                              ["epsilon": .float(1e-3), "momentum": .float(0.8), "training_mode": .int(training ? 1 : 0)],
                              outputs: outputs)
        let expected = ReferenceKernels.batchNorm(batch: shape[0], channels: channels, spatial: spatial, epsilon: 1e-3,
                                                  momentum: 0.8, training: training, x: x, scale: scale, bias: bias,
                                                  mean: mean, variance: variance)
        #expect(worstRelativeError(out[0].floatValues, expected.y) <= tolerance, "training \(training)")
        if training {
            #expect(worstRelativeError(out[1].floatValues, expected.runningMean) <= tolerance)
            #expect(worstRelativeError(out[2].floatValues, expected.runningVariance) <= tolerance)
        }
    }
}

@Test func trainingBatchNormWithoutRunningOutputsStillNormalizesWithBatchStatistics() throws {
    let x = randomFloats(2 * 3 * 4, seed: 14)
    let ones = Tensor(shape: [3], floats: [1, 1, 1]), zeros = Tensor(shape: [3], floats: [0, 0, 0])
    let y = try runNode(.batchNormalization, x: Tensor(shape: [2, 3, 4], floats: x), operands: [ones, zeros, zeros, ones],
                        ["training_mode": .int(1)])[0]
    let expected = ReferenceKernels.batchNorm(batch: 2, channels: 3, spatial: 4, epsilon: 1e-5, momentum: 0.9,
                                              training: true, x: x, scale: [1, 1, 1], bias: [0, 0, 0],
                                              mean: [0, 0, 0], variance: [1, 1, 1])
    #expect(worstRelativeError(y.floatValues, expected.y) <= tolerance)
}

// MARK: - Gemm and MatMul

struct GemmCase: CustomTestStringConvertible, Sendable {
    var transA: Bool, transB: Bool
    var alpha: Float, beta: Float
    /// Shape of C, nil for none.
    var cShape: [Int]?
    var testDescription: String { "transA \(transA) transB \(transB) alpha \(alpha) beta \(beta) C \(cShape.map { "\($0)" } ?? "none")" }
}

private let gemmCases: [GemmCase] = [
    GemmCase(transA: false, transB: false, alpha: 1, beta: 1, cShape: nil),
    GemmCase(transA: true, transB: false, alpha: 0.5, beta: 1, cShape: []),
    GemmCase(transA: false, transB: true, alpha: 1, beta: 2, cShape: [5]),
    GemmCase(transA: true, transB: true, alpha: -1.5, beta: 0.25, cShape: [1, 5]),
    GemmCase(transA: false, transB: true, alpha: 1, beta: -1, cShape: [3, 1]),
    GemmCase(transA: true, transB: false, alpha: 2, beta: 0.5, cShape: [3, 5]),
    GemmCase(transA: false, transB: false, alpha: 1, beta: 0, cShape: [1, 1]),
]

@Test("Gemm matches the naive reference", arguments: gemmCases)
func gemmMatchesReference(_ c: GemmCase) throws {
    let (m, n, k) = (3, 5, 4)
    let aShape = c.transA ? [k, m] : [m, k], bShape = c.transB ? [n, k] : [k, n]
    let a = randomFloats(m * k, seed: 15), b = randomFloats(k * n, seed: 16)
    let cValues = c.cShape.map { randomFloats($0.reduce(1, *), seed: 17) }
    let y = try runNode(.gemm, x: Tensor(shape: aShape, floats: a),
                        operands: [Tensor(shape: bShape, floats: b), c.cShape.map { Tensor(shape: $0, floats: cValues!) }],
                        ["transA": .int(c.transA ? 1 : 0), "transB": .int(c.transB ? 1 : 0),
                         "alpha": .float(c.alpha), "beta": .float(c.beta)])[0]
    let expected = ReferenceKernels.gemm(m: m, n: n, k: k, transA: c.transA, transB: c.transB, alpha: c.alpha,
                                         beta: c.beta, a: a, b: b, c: cValues, cShape: c.cShape ?? [])
    #expect(y.shape == [m, n])
    #expect(worstRelativeError(y.floatValues, expected) <= tolerance)
}

@Test(arguments: [([3, 4], [4, 5]), ([2, 3, 4], [4, 5]), ([2, 1, 3, 4], [3, 4, 2]), ([4], [2, 4, 3]),
                  ([2, 3, 4], [4]), ([4], [4]), ([1, 3, 4], [2, 4, 2])])
func matMulMatchesReference(aShape: [Int], bShape: [Int]) throws {
    let a = randomFloats(aShape.reduce(1, *), seed: 18), b = randomFloats(bShape.reduce(1, *), seed: 19)
    let y = try runNode(.matMul, x: Tensor(shape: aShape, floats: a), operands: [Tensor(shape: bShape, floats: b)])[0]
    let expected = ReferenceKernels.matMul(aShape: aShape, bShape: bShape, a: a, b: b)
    #expect(y.shape == expected.shape)
    #expect(worstRelativeError(y.floatValues, expected.values) <= tolerance)
}

// MARK: - A small network

@Test func convBatchNormReluPoolGemmChainMatchesReferenceComposition() throws {
    // The conv output has 2 * 8 * 66 * 66 = 69,696 elements: above the threshold where the
    // elementwise kernels (Relu, the per-channel Add) split their work across threads.
    let (batch, channels, side) = (2, 8, 66)
    let x = randomFloats(batch * 3 * side * side, seed: 20), w = randomFloats(channels * 27, seed: 21)
    let scale = randomFloats(channels, seed: 22), shift = randomFloats(channels, seed: 23)
    let mean = randomFloats(channels, seed: 24), variance = randomFloats(channels, seed: 25).map { $0 + 1.5 }
    let offset = randomFloats(channels, seed: 26), dense = randomFloats(channels * 3, seed: 27)
    let denseBias = randomFloats(3, seed: 28)

    var b = GraphBuilder(name: "chain")
    let xv = b.input("x", TensorType(.float32, Shape([batch, 3, side, side])))
    func constant(_ name: String, _ shape: [Int], _ values: [Float]) -> ValueID {
        b.constant(name, Tensor(shape: shape, floats: values))
    }
    let conv = try b.add(.conv, "conv", [xv, constant("w", [channels, 3, 3, 3], w)], ["pads": .ints([1, 1, 1, 1])])
    let bn = try b.add(.batchNormalization, "bn", [conv, constant("scale", [channels], scale),
                                                   constant("shift", [channels], shift), constant("mean", [channels], mean),
                                                   constant("variance", [channels], variance)])
    let relu = try b.add(.relu, "relu", [bn])
    let added = try b.add(.add, "add", [relu, constant("offset", [channels, 1, 1], offset)])
    let pooled = try b.add(.maxPool, "pool", [added], ["kernel_shape": .ints([2, 2]), "strides": .ints([2, 2])])
    let global = try b.add(.globalAveragePool, "gap", [pooled])
    let flat = try b.add(.flatten, "flatten", [global])
    b.output(try b.add(.gemm, "dense", [flat, constant("dense", [channels, 3], dense), constant("bias", [3], denseBias)]))
    let y = try Program.compile(b.graph).run(["x": Tensor(shape: [batch, 3, side, side], floats: x)])[0]

    let plane = side * side
    let convWindow = ReferenceWindow(inSpatial: [side, side], kernel: [3, 3], padsBegin: [1, 1], padsEnd: [1, 1],
                                     outSpatial: [side, side])
    let convolved = ReferenceKernels.conv(batch: batch, inChannels: 3, outChannels: channels, group: 1, convWindow,
                                          x: x, w: w, bias: nil)
    let normalized = ReferenceKernels.batchNorm(batch: batch, channels: channels, spatial: plane, epsilon: 1e-5,
                                                momentum: 0.9, training: false, x: convolved, scale: scale, bias: shift,
                                                mean: mean, variance: variance).y
    let activated = normalized.enumerated().map { i, v in max(v, 0) + offset[(i / plane) % channels] }
    let poolWindow = ReferenceWindow(inSpatial: [side, side], kernel: [2, 2], strides: [2, 2],
                                     outSpatial: [side / 2, side / 2])
    let maxima = ReferenceKernels.maxPool(planes: batch * channels, poolWindow, storageOrder: 0, originalRank: 2,
                                          x: activated).values
    let averages = ReferenceKernels.globalPool(planes: batch * channels, spatial: plane / 4, max: false, x: maxima)
    let expected = ReferenceKernels.gemm(m: batch, n: 3, k: channels, transA: false, transB: false, alpha: 1, beta: 1,
                                         a: averages, b: dense, c: denseBias, cShape: [3])
    #expect(y.shape == [batch, 3])
    #expect(worstRelativeError(y.floatValues, expected) <= tolerance)
}

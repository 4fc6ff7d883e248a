import Testing
@testable import Kernels

/// Direct pooling from the ONNX definition: every tap of every window, in double precision.
/// Returns values and MaxPool indices (row-major or column-major within the spatial dims).
private func referencePool(
    _ p: PoolParams, input: [Float], isMax: Bool, storageOrder: Int = 0
) -> (values: [Float], indices: [Int64]) {
    let inCount = p.inSpatial.reduce(1, *)
    let outCount = p.outSpatial.reduce(1, *)
    let kernelCount = p.kernel.reduce(1, *)
    var values: [Float] = []
    var indices: [Int64] = []
    for plane in 0..<(p.batch * p.channels) {
        for o in 0..<outCount {
            let outAt = KernelTestData.unravel(o, p.outSpatial)
            var sum = 0.0
            var inside = 0
            var insidePadded = 0
            var best: (value: Float, at: [Int])?
            for t in 0..<kernelCount {
                let tapAt = KernelTestData.unravel(t, p.kernel)
                let at = p.inSpatial.indices.map { i in
                    outAt[i] * p.strides[i] - p.padsBegin[i] + tapAt[i] * p.dilations[i]
                }
                let inPadded = at.indices.allSatisfy {
                    at[$0] >= -p.padsBegin[$0] && at[$0] < p.inSpatial[$0] + p.padsEnd[$0]
                }
                if inPadded { insidePadded += 1 }
                guard at.indices.allSatisfy({ at[$0] >= 0 && at[$0] < p.inSpatial[$0] }) else { continue }
                let x = input[plane * inCount + KernelTestData.rowMajor(at, p.inSpatial)]
                sum += Double(x)
                inside += 1
                if best == nil || x > best!.value { best = (x, at) }
            }
            if isMax {
                values.append(best!.value)
                let offset = storageOrder == 0
                    ? KernelTestData.rowMajor(best!.at, p.inSpatial)
                    : KernelTestData.columnMajor(best!.at, p.inSpatial)
                indices.append(Int64(plane * inCount + offset))
            } else {
                values.append(Float(sum / Double(p.countIncludePad ? insidePadded : inside)))
            }
        }
    }
    return (values, indices)
}

private func runMax(_ p: PoolParams, _ input: [Float], storageOrder: Int) throws -> ([Float], [Int64]) {
    let count = p.batch * p.channels * p.outSpatial.reduce(1, *)
    var values = [Float](repeating: .nan, count: count)
    var indices = [Int64](repeating: -7, count: count)
    try input.withUnsafeBufferPointer { x in
        try values.withUnsafeMutableBufferPointer { y in
            try indices.withUnsafeMutableBufferPointer { i in
                try Pool.max(p, input: x.baseAddress!, output: y.baseAddress!,
                             indices: i.baseAddress, storageOrder: storageOrder)
            }
        }
    }
    return (values, indices)
}

private func runAverage(_ p: PoolParams, _ input: [Float]) throws -> [Float] {
    var values = [Float](repeating: .nan, count: p.batch * p.channels * p.outSpatial.reduce(1, *))
    try input.withUnsafeBufferPointer { x in
        try values.withUnsafeMutableBufferPointer { y in
            try Pool.average(p, input: x.baseAddress!, output: y.baseAddress!)
        }
    }
    return values
}

/// Window configurations exercised by both max and average pooling.
private let poolCases: [(name: String, params: PoolParams)] = [
    ("1-D stride 2 with pads", PoolParams(batch: 2, channels: 3, inSpatial: [9], kernel: [3], strides: [2],
                                          padsBegin: [1], padsEnd: [1])),
    ("2-D 3x3 stride 2 ceil mode", PoolParams(batch: 1, channels: 2, inSpatial: [6, 7], kernel: [3, 3],
                                              strides: [2, 2], ceilMode: true)),
    ("2-D asymmetric pads, ceil mode", PoolParams(batch: 2, channels: 2, inSpatial: [5, 6], kernel: [2, 3],
                                                  strides: [2, 2], padsBegin: [1, 0], padsEnd: [0, 2],
                                                  ceilMode: true)),
    ("2-D dilation 2", PoolParams(batch: 1, channels: 3, inSpatial: [8, 7], kernel: [2, 3], strides: [1, 2],
                                  dilations: [2, 2], padsBegin: [1, 1], padsEnd: [1, 1])),
    ("3-D with pads, dilation and ceil mode", PoolParams(batch: 1, channels: 2, inSpatial: [5, 4, 6],
                                                         kernel: [2, 2, 3], strides: [2, 1, 2],
                                                         dilations: [1, 2, 1], padsBegin: [1, 0, 1],
                                                         padsEnd: [0, 1, 1], ceilMode: true)),
    ("2-D planes large enough to be split across threads",
     PoolParams(batch: 2, channels: 4, inSpatial: [40, 40], kernel: [3, 3], padsBegin: [1, 1], padsEnd: [1, 1])),
    // ResNet's pool after the stem (vector rows of 16 and an overlapping last one), and rows
    // of 49 and 35 outputs (odd widths, ceil mode).
    ("2-D 3x3 stride 2 pad 1 on 56x56", PoolParams(batch: 1, channels: 3, inSpatial: [56, 56], kernel: [3, 3],
                                                  strides: [2, 2], padsBegin: [1, 1], padsEnd: [1, 1])),
    ("2-D 3x3 stride 2 on 99x70, ceil mode", PoolParams(batch: 2, channels: 2, inSpatial: [70, 99], kernel: [3, 3],
                                                       strides: [2, 2], padsBegin: [0, 1], padsEnd: [1, 0],
                                                       ceilMode: true)),
]

@Suite("Pooling matches the ONNX definition")
struct PoolTests {
    @Test("ceil mode rounds up, but drops a last window that would start in the end padding")
    func ceilModeOutputSize() {
        #expect(PoolParams(batch: 1, channels: 1, inSpatial: [6], kernel: [3], strides: [2]).outSpatial == [2])
        #expect(PoolParams(batch: 1, channels: 1, inSpatial: [6], kernel: [3], strides: [2], ceilMode: true).outSpatial == [3])
        // ONNX test_averagepool_2d_ceil_last_window_starts_on_pad: ceil gives 2, reduced to 1.
        #expect(PoolParams(batch: 1, channels: 1, inSpatial: [2], kernel: [3], strides: [3],
                           padsBegin: [1], padsEnd: [1], ceilMode: true).outSpatial == [1])
    }

    @Test("max values and indices, storage order 0 and 1", arguments: [0, 1])
    func maxPool(storageOrder: Int) throws {
        for (name, p) in poolCases {
            let input = KernelTestData.random(p.batch * p.channels * p.inSpatial.reduce(1, *), seed: 11)
            let (values, indices) = try runMax(p, input, storageOrder: storageOrder)
            let expected = referencePool(p, input: input, isMax: true, storageOrder: storageOrder)
            #expect(values == expected.values, "\(name)")
            #expect(indices == expected.indices, "\(name)")
        }
    }

    @Test("max values without indices (the row-wise path) equal the reference")
    func maxPoolWithoutIndices() throws {
        let resNetStem = PoolParams(batch: 2, channels: 3, inSpatial: [28, 28], kernel: [3, 3], strides: [2, 2],
                                    padsBegin: [1, 1], padsEnd: [1, 1])
        let wideKernel = PoolParams(batch: 1, channels: 2, inSpatial: [9, 11], kernel: [4, 5], strides: [3, 1],
                                    padsBegin: [2, 1], padsEnd: [1, 3])
        // Even planes halved by the 3x3 / 2 pool take the flat AVX-512 path: rows of 28 and 20
        // outputs (vectors overlapping at the end), 7 (scalar), no end padding, odd (row by row).
        let halving = PoolParams(batch: 2, channels: 3, inSpatial: [12, 56], kernel: [3, 3], strides: [2, 2],
                                 padsBegin: [1, 1], padsEnd: [1, 1])
        let halvingNoEndPad = PoolParams(batch: 1, channels: 5, inSpatial: [40, 14], kernel: [3, 3], strides: [2, 2],
                                         padsBegin: [1, 1], padsEnd: [0, 0])
        let oddPlane = PoolParams(batch: 1, channels: 2, inSpatial: [15, 41], kernel: [3, 3], strides: [2, 2],
                                  padsBegin: [1, 1], padsEnd: [1, 1])
        let cases = poolCases + [("ResNet stem 3x3 s2 p1", resNetStem), ("4x5 kernel, mixed strides", wideKernel),
                                 ("halving 12x56", halving), ("halving 40x14, no end pads", halvingNoEndPad),
                                 ("odd 15x41", oddPlane)]
        for (name, p) in cases {
            let input = KernelTestData.random(p.batch * p.channels * p.inSpatial.reduce(1, *), seed: 13)
            var values = [Float](repeating: .nan, count: p.batch * p.channels * p.outSpatial.reduce(1, *))
            try input.withUnsafeBufferPointer { x in
                try values.withUnsafeMutableBufferPointer { y in
                    try Pool.max(p, input: x.baseAddress!, output: y.baseAddress!)
                }
            }
            #expect(values == referencePool(p, input: input, isMax: true).values, "\(name)")
        }
    }

    @Test("average with and without count_include_pad", arguments: [false, true])
    func averagePool(countIncludePad: Bool) throws {
        for (name, base) in poolCases {
            var p = base
            p.countIncludePad = countIncludePad
            let input = KernelTestData.random(p.batch * p.channels * p.inSpatial.reduce(1, *), seed: 12)
            let error = KernelTestData.worstRelativeError(
                try runAverage(p, input), referencePool(p, input: input, isMax: false).values)
            #expect(error < KernelTestData.tolerance, "\(name)")
        }
    }

    @Test("ONNX test_maxpool_with_argmax_2d_precomputed_strides (storage order 1)")
    func onnxArgmaxColumnMajor() throws {
        let p = PoolParams(batch: 1, channels: 1, inSpatial: [5, 5], kernel: [2, 2], strides: [2, 2])
        let (values, indices) = try runMax(p, (1...25).map(Float.init), storageOrder: 1)
        #expect(values == [7, 9, 17, 19])
        #expect(indices == [6, 16, 8, 18])
    }

    @Test("ONNX test_averagepool_2d_ceil_last_window_starts_on_pad counts the 3x3 padded window")
    func onnxCeilLastWindow() throws {
        let p = PoolParams(batch: 1, channels: 1, inSpatial: [2, 2], kernel: [3, 3], strides: [3, 3],
                           padsBegin: [1, 1], padsEnd: [1, 1], ceilMode: true, countIncludePad: true)
        let values = try runAverage(p, [0.858, 0.0786, 0.2692, 0.1537])
        #expect(values.count == 1)
        #expect(abs(values[0] - 1.3595 / 9) < 1e-6)
    }

    @Test("a plan made once gives what the one-shot call gives, run after run")
    func planReuse() throws {
        let p = PoolParams(batch: 2, channels: 2, inSpatial: [4, 5, 3], kernel: [2, 3, 2], strides: [2, 2, 1],
                           padsBegin: [1, 1, 0], padsEnd: [0, 1, 1], ceilMode: true, countIncludePad: true)
        let input = KernelTestData.random(p.batch * p.channels * p.inSpatial.reduce(1, *), seed: 23)
        let plan = try Pool.Plan(p, kernelName: "AveragePool")
        let expected = try runAverage(p, input)
        for _ in 0..<2 {
            var output = [Float](repeating: .nan, count: expected.count)
            Pool.average(plan, input: input, output: &output)
            #expect(output == expected)
        }
        #expect { try Pool.Plan(PoolParams(batch: 1, channels: 1, inSpatial: [2], kernel: [2], strides: [1],
                                           dilations: [1], padsBegin: [3], padsEnd: [0], outSpatial: [2]),
                                kernelName: "MaxPool") }
            throws: { ($0 as? KernelParameterError)?.kernel == "MaxPool" }
    }

    @Test("a window entirely in padding is rejected")
    func rejectsEmptyWindow() {
        let p = PoolParams(batch: 1, channels: 1, inSpatial: [2], kernel: [2], strides: [1],
                           dilations: [1], padsBegin: [3], padsEnd: [0], outSpatial: [2])
        #expect { try p.validate() } throws: { ($0 as? KernelParameterError)?.field == "outSpatial" }
        #expect { try runMax(p, [1, 2], storageOrder: 2) } throws: { $0 is KernelParameterError }
    }

    @Test("global average and max over each (n, c) plane")
    func globalPools() throws {
        let (batch, channels, spatial) = (2, 3, 10)
        let input = KernelTestData.random(batch * channels * spatial, seed: 5)
        var average = [Float](repeating: .nan, count: batch * channels)
        var maximum = average
        try input.withUnsafeBufferPointer { x in
            try average.withUnsafeMutableBufferPointer { y in
                try Pool.globalAverage(batch: batch, channels: channels, spatialCount: spatial,
                                       input: x.baseAddress!, output: y.baseAddress!)
            }
            try maximum.withUnsafeMutableBufferPointer { y in
                try Pool.globalMax(batch: batch, channels: channels, spatialCount: spatial,
                                   input: x.baseAddress!, output: y.baseAddress!)
            }
        }
        let planes = (0..<(batch * channels)).map { Array(input[($0 * spatial)..<(($0 + 1) * spatial)]) }
        let expectedAverage = planes.map { Float($0.reduce(0.0) { $0 + Double($1) } / Double(spatial)) }
        #expect(KernelTestData.worstRelativeError(average, expectedAverage) < KernelTestData.tolerance)
        #expect(maximum == planes.map { $0.max()! })
    }
}

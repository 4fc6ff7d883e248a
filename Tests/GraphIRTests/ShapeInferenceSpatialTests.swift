import Testing
@testable import GraphIR

/// Conv and pooling output shapes, hand-computed with out = floor((in + pads - d(k-1) - 1) / s) + 1.
@Suite("Shape inference: conv and pooling")
struct ShapeInferenceSpatialTests {
    @Test func convStridePad() throws {
        // (7 + 2 - 3) / 2 + 1 = 4
        let y = try infer(.conv, [f32(1, 3, 7, 7), f32(8, 3, 3, 3)], ["strides": .ints([2, 2]), "pads": .ints([1, 1, 1, 1])])
        #expect(y == [f32(1, 8, 4, 4)])
    }

    @Test func convGroupDilationAsymmetricPads() throws {
        // H: 5 + 0 + 2 - 2*2 - 1 = 2 -> 3; W: 5 + 1 + 3 - 2 - 1 = 6 -> 7 (checked with onnxruntime).
        let y = try infer(.conv, [f32(1, 8, 5, 5), f32(8, 2, 3, 3)],
                          ["group": .int(4), "dilations": .ints([2, 1]), "pads": .ints([0, 1, 2, 3])])
        #expect(y == [f32(1, 8, 3, 7)])
    }

    @Test func convDepthwiseKeepsSymbolicBatch() throws {
        let y = try infer(.conv, [f32(.symbolic("N"), 4, 6, 6), f32(4, 1, 3, 3), f32(4)], ["group": .int(4)])
        #expect(y == [f32(.symbolic("N"), 4, 4, 4)])
    }

    @Test func convRejectsChannelAndBiasMismatch() {
        #expect(errorText { _ = try infer(.conv, [f32(1, 8, 5, 5), f32(8, 4, 3, 3)], ["group": .int(4)]) }
                == "input has 8 channels but the weight expects 16 (4 per group x 4 groups)")
        #expect(errorText { _ = try infer(.conv, [f32(1, 3, 5, 5), f32(8, 3, 3, 3), f32(4)]) }
                == "bias has shape [4] but the weight has 8 output channels")
        #expect(errorText { _ = try infer(.conv, [f32(1, 3, 5, 5), f32(8, 3, 3, 3)], ["kernel_shape": .ints([2, 2])]) }
                == "kernel_shape [2, 2] does not match the weight's spatial dims [3, 3]")
    }

    @Test func convSameUpperAndLower() throws {
        // len 6, k 3, s 2: out 3, total pad (3-1)*2 + 3 - 6 = 1, odd pixel at the end (UPPER) or start (LOWER).
        for mode in ["SAME_UPPER", "SAME_LOWER"] {
            let y = try infer(.conv, [f32(1, 1, 6, 7), f32(2, 1, 3, 3)], ["strides": .ints([2, 2]), "auto_pad": .string(mode)])
            #expect(y == [f32(1, 2, 3, 4)])
        }
        let upper = try OpKind.conv.resolvedPads(attributes: ["strides": .ints([2, 2]), "auto_pad": .string("SAME_UPPER")],
                                                 inputShape: [1, 1, 6, 7], kernel: [3, 3])
        #expect(upper.begin == [0, 1] && upper.end == [1, 1])
        let lower = try OpKind.conv.resolvedPads(attributes: ["strides": .ints([2, 2]), "auto_pad": .string("SAME_LOWER")],
                                                 inputShape: [1, 1, 6, 7], kernel: [3, 3])
        #expect(lower.begin == [1, 1] && lower.end == [0, 1])
        let valid = try infer(.conv, [f32(1, 1, 6, 7), f32(2, 1, 3, 3)], ["auto_pad": .string("VALID"), "pads": .ints([5, 5, 5, 5])])
        #expect(valid == [f32(1, 2, 4, 5)])
    }

    @Test func poolFloorAndCeilMode() throws {
        let floor = try infer(.maxPool, [f32(1, 1, 5, 5)], ["kernel_shape": .ints([2, 2]), "strides": .ints([2, 2])])
        #expect(floor == [f32(1, 1, 2, 2), i64(1, 1, 2, 2)])
        let ceil = try infer(.maxPool, [f32(1, 1, 5, 5)], ["kernel_shape": .ints([2, 2]), "strides": .ints([2, 2]), "ceil_mode": .int(1)])
        #expect(ceil[0] == f32(1, 1, 3, 3))
    }

    @Test func poolCeilModeDropsALastWindowThatStartsInThePadding() throws {
        // len 4 + end pad 1, k 2, s 2: ceil gives 3 windows, but the third starts at 4,
        // inside the padding, so it is dropped (onnxruntime and PyTorch agree: 2).
        let y = try infer(.averagePool, [f32(1, 1, 4, 4)],
                          ["kernel_shape": .ints([2, 2]), "strides": .ints([2, 2]), "pads": .ints([0, 0, 1, 1]), "ceil_mode": .int(1)])
        #expect(y[0] == f32(1, 1, 2, 2))
    }

    @Test func poolSameAndGlobal() throws {
        let y = try infer(.averagePool, [f32(1, 2, 6, 6)], ["kernel_shape": .ints([3, 3]), "strides": .ints([2, 2]), "auto_pad": .string("SAME_LOWER")])
        #expect(y[0] == f32(1, 2, 3, 3))
        #expect(try infer(.globalAveragePool, [f32(.symbolic("N"), 2048, 4, 4)]) == [f32(.symbolic("N"), 2048, 1, 1)])
        #expect(errorText { _ = try infer(.maxPool, [f32(1, 1, 2, 2)], ["kernel_shape": .ints([3, 3])]) }
                == "window 3 (dilation 1) is larger than the padded input 2")
    }
}

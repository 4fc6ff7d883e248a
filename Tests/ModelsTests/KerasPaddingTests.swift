import Testing
import GraphIR
@testable import Models

/// TensorFlow "same" padding and `correct_pad`, the two places where Keras and a naive
/// symmetric padding disagree.
struct KerasPaddingTests {
    @Test func sameLeavesTheOddPixelAtTheEnd() {
        // 112 / 2 -> 56 outputs need 55 * 2 + 3 = 113 rows: one extra, at the bottom.
        #expect(samePadding(inputSize: 112, kernel: 3, stride: 2) == (0, 1))
        // 7x7 stride-2 on 224: 111 * 2 + 7 - 224 = 5 -> 2 before, 3 after.
        #expect(samePadding(inputSize: 224, kernel: 7, stride: 2) == (2, 3))
        // Stride 1 with an odd kernel is symmetric.
        #expect(samePadding(inputSize: 7, kernel: 5, stride: 1) == (2, 2))
        // A 1x1 stride-2 window never needs padding.
        #expect(samePadding(inputSize: 112, kernel: 1, stride: 2) == (0, 0))
    }

    @Test func correctPadDependsOnParity() {
        let even = correctPad(inputSize: [112, 112], kernel: 3)
        #expect(even.height == (0, 1) && even.width == (0, 1))
        let odd = correctPad(inputSize: [113, 113], kernel: 3)
        #expect(odd.height == (1, 1) && odd.width == (1, 1))
        let wide = correctPad(inputSize: [56, 57], kernel: 5)
        #expect(wide.height == (1, 2) && wide.width == (2, 2))
    }

    @Test func sameConvolutionGetsExplicitOnnxPads() throws {
        var k = KerasBuilder(name: "t")
        let x = try k.input(size: 112, batch: 1)
        let y = try k.conv2D(x, filters: 4, kernel: 3, strides: 2, padding: .same, name: "c")
        #expect(k.shape(of: y) == [1, 4, 56, 56])
        let conv = try #require(k.graph.node(named: "c"))
        // ONNX order: begins (top, left) then ends (bottom, right).
        #expect(k.graph[conv].attributes.ints("pads") == [0, 0, 1, 1])
    }

    @Test func zeroPaddingIsAConstantPadOverNCHW() throws {
        var k = KerasBuilder(name: "t")
        let x = try k.input(size: 8, batch: 2)
        let y = try k.zeroPadding2D(x, padding: ((0, 1), (2, 3)), name: "p")
        #expect(k.shape(of: y) == [2, 3, 9, 13])
        let pads = try #require(k.graph.value(named: "p/pads"))
        #expect(k.graph[pads].data?.intValues == [0, 0, 0, 2, 0, 0, 1, 3])
        #expect(k.graph[pads].type.dtype == .int64)
    }
}

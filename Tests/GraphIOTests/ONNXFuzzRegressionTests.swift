import Testing
import GraphIR
@testable import GraphIO

/// Inputs found by Tools/fuzz (libFuzzer), minimized, kept as byte arrays so the crash
/// cannot come back. Each must import or throw; before its fix each one trapped.
@Suite("ONNX import of fuzzer-found inputs")
struct ONNXFuzzRegressionTests {
    /// ModelProto: Reshape(x, s) where x is an empty float initializer (dims [0]) and
    /// s = [2^40, 2^40, 37]; the inferred output shape's element count overflows Int.
    static let reshapeToOverflowingDims: [UInt8] = [
        0x3a, 0x61, 0x0a, 0x12, 0x0a, 0x01, 0x78, 0x0a, 0x01, 0x73, 0x12, 0x01,
        0x79, 0x22, 0x07, 0x52, 0x65, 0x73, 0x68, 0x61, 0x70, 0x65, 0x12, 0x12,
        0x72, 0x65, 0x73, 0x68, 0x61, 0x70, 0x65, 0x5f, 0x6f, 0x76, 0x65, 0x72,
        0x66, 0x6c, 0x6f, 0x77, 0x5f, 0x66, 0x2a, 0x09, 0x08, 0x00, 0x10, 0x01,
        0x42, 0x01, 0x78, 0x4a, 0x00, 0x2a, 0x21, 0x08, 0x03, 0x10, 0x07, 0x42,
        0x01, 0x73, 0x4a, 0x18, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x25, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x62, 0x09, 0x0a, 0x01, 0x79, 0x12, 0x04, 0x0a,
        0x02, 0x08, 0x01, 0x42, 0x04, 0x0a, 0x00, 0x10, 0x11,
    ]

    @Test("a Reshape of an empty tensor to dims whose product overflows does not trap")
    func reshapeOverflowingDims() throws {
        let result = try ONNXImporter.importModel(bytes: Self.reshapeToOverflowingDims)
        let y = try #require(result.graph.value(named: "y"))
        // Typed, but too large to evaluate at import time: it stays a node.
        #expect(result.graph[y].data == nil)
        #expect(result.graph[y].type.shape.elementCount == nil)
    }

    @Test("the constant evaluator skips zero-size tensors whose other dims multiply past Int")
    func evaluatorZeroSizeHugeDims() {
        let big = 1 << 34
        let empty = Tensor(shape: [0, big, big, big], int64s: [])
        let out = ONNXConstantEvaluator.evaluate(
            .gather, inputs: [empty, .int64Vector([])],
            inputTypes: [TensorType(.int64, [0, .known(big), .known(big), .known(big)]), TensorType(.int64, [0])],
            attributes: Attributes(), outputType: TensorType(.int64, [0, .known(big), .known(big), .known(big)]))
        #expect(out == nil)
    }

    @Test("a constant Slice with a step near Int.max takes one element instead of trapping")
    func sliceHugeStep() throws {
        let vector = { (n: Int) in TensorType(.int64, [.known(n)]) }
        let out = ONNXConstantEvaluator.evaluate(
            .slice,
            inputs: [.int64Vector([10, 20, 30]), .int64Vector([1]), .int64Vector([3]), .int64Vector([0]), .int64Vector([Int.max])],
            inputTypes: [vector(3), vector(1), vector(1), vector(1), vector(1)],
            attributes: Attributes(), outputType: vector(1))
        #expect(try #require(out).first == .int64Vector([20]))
    }
}

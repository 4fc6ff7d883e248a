import Testing
@testable import GraphIR

@Suite("Shape inference rejects absurd sizes instead of trapping")
struct ShapeInferenceSanityTests {
    @Test func hugeConvPadsThrow() throws {
        let ctx = InferenceContext(
            inputs: [TensorType(.float32, Shape([1, 3, 8, 8])), TensorType(.float32, Shape([4, 3, 3, 3]))],
            attributes: ["pads": .ints([Int.max, 1, 1, 1])])
        #expect(throws: ShapeError.self) { try OpKind.conv.inferOutputTypes(ctx) }
    }

    @Test func hugeSliceStepThrows() throws {
        let ctx = InferenceContext(
            inputs: [TensorType(.float32, Shape([10])), TensorType(.int64, Shape([1])), TensorType(.int64, Shape([1])),
                     TensorType(.int64, Shape([1])), TensorType(.int64, Shape([1]))],
            constants: [nil, .int64Vector([0]), .int64Vector([10]), .int64Vector([0]), .int64Vector([Int.max])])
        #expect(throws: ShapeError.self) { try OpKind.slice.inferOutputTypes(ctx) }
    }
}

import GraphIR
@testable import GraphIO

/// Models written in Swift with `ONNXModelWriter`, for what the conformance data lacks.
enum ONNXFixtures {
    /// A small CNN with a dynamic batch (`dim_param` "N") and the flatten-by-shape-subgraph
    /// pattern PyTorch exports: Shape -> Gather -> Unsqueeze -> Concat -> Reshape.
    /// About 12 KiB, mostly the fc weight.
    static func dynamicBatchCNN() -> ONNXModelWriter {
        var m = ONNXModelWriter()
        m.graphName = "tiny_cnn"
        m.opset = 11  // Unsqueeze takes `axes` as an attribute before opset 13
        m.inputs = [.init(name: "image", dims: ["N", 3, 8, 8])]
        m.outputs = [.init(name: "logits", dims: ["N", 10])]
        func ramp(_ n: Int, _ scale: Float) -> [Float] { (0..<n).map { Float($0 % 17) * scale - 0.1 } }
        m.initializers = [
            ("conv1.weight", Tensor(shape: [16, 3, 3, 3], floats: ramp(432, 0.01))),
            ("conv1.bias", Tensor(shape: [16], floats: ramp(16, 0.02))),
            ("fc.weight", Tensor(shape: [10, 256], floats: ramp(2560, 0.001))),
            ("fc.bias", Tensor(shape: [10], floats: ramp(10, 0.05))),
        ]
        m.nodes = [
            .init(op: "Conv", name: "conv1", inputs: ["image", "conv1.weight", "conv1.bias"], outputs: ["conv1_out"],
                  attributes: [("kernel_shape", .ints([3, 3])), ("pads", .ints([1, 1, 1, 1]))]),
            .init(op: "Relu", name: "relu1", inputs: ["conv1_out"], outputs: ["relu1_out"]),
            .init(op: "MaxPool", name: "pool1", inputs: ["relu1_out"], outputs: ["pool1_out"],
                  attributes: [("kernel_shape", .ints([2, 2])), ("strides", .ints([2, 2]))]),
            .init(op: "Shape", name: "", inputs: ["pool1_out"], outputs: ["shape"]),
            .init(op: "Constant", name: "", inputs: [], outputs: ["zero"],
                  attributes: [("value", .tensor(Tensor(shape: [], int64s: [0])))]),
            .init(op: "Gather", name: "", inputs: ["shape", "zero"], outputs: ["batch"], attributes: [("axis", .int(0))]),
            .init(op: "Unsqueeze", name: "", inputs: ["batch"], outputs: ["batch1"], attributes: [("axes", .ints([0]))]),
            .init(op: "Constant", name: "", inputs: [], outputs: ["minus_one"],
                  attributes: [("value", .tensor(.int64Vector([-1])))]),
            .init(op: "Concat", name: "", inputs: ["batch1", "minus_one"], outputs: ["target"], attributes: [("axis", .int(0))]),
            .init(op: "Reshape", name: "flatten", inputs: ["pool1_out", "target"], outputs: ["flat"]),
            .init(op: "Gemm", name: "fc", inputs: ["flat", "fc.weight", "fc.bias"], outputs: ["logits"],
                  attributes: [("transB", .int(1))]),
        ]
        return m
    }

    /// One opset-9 Softmax over axis 1 of a rank-3 input (coerced to 2-D in old opsets).
    static func legacySoftmax(dims: [Any]) -> ONNXModelWriter {
        var m = ONNXModelWriter()
        m.opset = 9
        m.inputs = [.init(name: "x", dims: dims)]
        m.outputs = [.init(name: "y", dims: dims)]
        m.nodes = [.init(op: "Softmax", name: "sm", inputs: ["x"], outputs: ["y"])]
        return m
    }
}

@testable import GraphIR

/// Small hand-built graphs shared by the tests.
enum TestGraphs {
    static let batch = Dim.symbolic("N")

    /// conv -> BN -> relu -> conv(1x1) -> add (residual) -> relu -> maxpool -> reshape
    /// -> gemm -> softmax, on an [N,3,8,8] image; structure only.
    static func residual() throws -> Graph {
        var b = GraphBuilder(name: "tiny_resnet", weights: .none)
        let x = b.input("image", TensorType(.float32, [batch, 3, 8, 8]))
        let w1 = b.parameter("conv1/kernel", shape: [4, 3, 3, 3], initializer: .heNormal)
        let c1 = try b.add(.conv, "conv1", [x, w1, nil], ["pads": .ints([1, 1, 1, 1])])
        let gamma = b.parameter("bn1/gamma", shape: [4], initializer: .ones)
        let beta = b.parameter("bn1/beta", shape: [4], initializer: .zeros)
        let mean = b.parameter("bn1/moving_mean", shape: [4], initializer: .zeros, trainable: false)
        let variance = b.parameter("bn1/moving_variance", shape: [4], initializer: .ones, trainable: false)
        let bn = try b.add(.batchNormalization, "bn1", [c1, gamma, beta, mean, variance], ["epsilon": .float(0.001)])
        let r1 = try b.add(.relu, "relu1", [bn])
        let w2 = b.parameter("conv2/kernel", shape: [4, 4, 1, 1], initializer: .heNormal)
        let bias2 = b.parameter("conv2/bias", shape: [4], initializer: .zeros)
        let c2 = try b.add(.conv, "conv2", [r1, w2, bias2])
        let sum = try b.add(.add, "add", [r1, c2])
        let r2 = try b.add(.relu, "out", [sum])
        let pool = try b.add(.maxPool, "pool", [r2], ["kernel_shape": .ints([2, 2]), "strides": .ints([2, 2])])
        let shape = b.constant("flat_shape", .int64Vector([0, -1]))
        let flat = try b.add(.reshape, "flatten", [pool, shape])
        let wd = b.parameter("dense/kernel", shape: [10, 64], initializer: .glorotUniform)
        let bd = b.parameter("dense/bias", shape: [10], initializer: .zeros)
        let logits = try b.add(.gemm, "dense", [flat, wd, bd], ["transB": .int(1)])
        b.output(try b.add(.softmax, "probs", [logits], ["axis": .int(-1)]))
        return b.graph
    }

    /// A static [1,3,4,4] -> conv(8 filters, 3x3, no pad) -> relu graph used for breaking things.
    static func convRelu() throws -> Graph {
        var b = GraphBuilder(name: "conv_relu")
        let x = b.input("x", TensorType(.float32, [1, 3, 4, 4]))
        let w = b.parameter("w", shape: [8, 3, 3, 3], initializer: .zeros)
        let y = try b.add(.conv, "conv", [x, w])
        b.output(try b.add(.relu, "relu", [y]))
        return b.graph
    }
}

/// Infers the output types of one op from input types and constant operands.
func infer(_ op: OpKind, _ inputs: [TensorType?], constants: [Tensor?] = [],
           _ attributes: Attributes = [:]) throws -> [TensorType] {
    try op.inferOutputTypes(InferenceContext(inputs: inputs, constants: constants, attributes: attributes))
}

func f32(_ dims: Dim...) -> TensorType { TensorType(.float32, Shape(dims)) }
func i64(_ dims: Dim...) -> TensorType { TensorType(.int64, Shape(dims)) }

/// The message of the error a throwing call raises, or nil when it does not throw.
func errorText(_ body: () throws -> Void) -> String? {
    do { try body(); return nil } catch { return "\(error)" }
}

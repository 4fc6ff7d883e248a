import GraphIR
import Kernels
import Testing
@testable import Runtime

/// FusedConv runs `act(conv(X, W) + B + Z)` in one step; each case is checked against the
/// same computation written as separate Conv, Add and activation nodes.
@Suite("FusedConv")
struct FusedConvTests {
    static let xShape = [2, 3, 6, 6]

    /// x -> conv (3x3, pad 1, bias) [+ z] [-> activation], as separate nodes or one FusedConv.
    static func graph(fused: Bool, activation: String, params: [Float], residual: Bool) throws -> Graph {
        var b = GraphBuilder(name: "fused-conv", weights: .seeded(11))
        let x = b.input("x", TensorType(.float32, Shape(xShape)))
        let z = residual ? b.input("z", TensorType(.float32, [2, 4, 6, 6])) : nil
        let w = b.parameter("w", shape: [4, 3, 3, 3], initializer: .glorotUniform)
        let bias = b.parameter("b", shape: [4], initializer: .uniform(low: -0.5, high: 0.5))
        let conv: Attributes = ["pads": .ints([1, 1, 1, 1])]
        if fused {
            var attributes = conv
            attributes["activation"] = .string(activation)
            if !params.isEmpty { attributes["activation_params"] = .floats(params) }
            b.output(try b.add(.fusedConv, "y", [x, w, bias, z], attributes))
            return b.graph
        }
        var y = try b.add(.conv, "conv", [x, w, bias], conv)
        if let z { y = try b.add(.add, "add", [y, z]) }
        switch activation {
        case "": break
        case "Relu": y = try b.add(.relu, "act", [y])
        case "Sigmoid": y = try b.add(.sigmoid, "act", [y])
        case "Swish": y = try b.add(.swish, "act", [y])
        case "LeakyRelu": y = try b.add(.leakyRelu, "act", [y], ["alpha": .float(params[0])])
        case "HardSigmoid":
            y = try b.add(.hardSigmoid, "act", [y], ["alpha": .float(params[0]), "beta": .float(params[1])])
        case "Clip":
            let lo = b.constant("lo", .scalar(params[0])), hi = b.constant("hi", .scalar(params[1]))
            y = try b.add(.clip, "act", [y, lo, hi])
        default: Issue.record("no reference for \(activation)")
        }
        b.output(y)
        return b.graph
    }

    static func inputs(residual: Bool) -> [String: Tensor] {
        var rng = SeededRandom(seed: 5)
        func random(_ shape: [Int]) -> Tensor {
            Tensor(shape: shape, floats: (0..<shape.reduce(1, *)).map { _ in 4 * rng.nextUnitFloat() - 2 })
        }
        var feeds = ["x": random(xShape)]
        if residual { feeds["z"] = random([2, 4, 6, 6]) }
        return feeds
    }

    @Test(arguments: [
        ("", [Float]()), ("Relu", []), ("Clip", [0, 1.5]), ("Sigmoid", []), ("Swish", []),
        ("LeakyRelu", [0.1]), ("HardSigmoid", [0.2, 0.5]),
    ])
    func matchesSeparateNodes(activation: String, params: [Float]) throws {
        for residual in [false, true] {
            let feeds = Self.inputs(residual: residual)
            let fused = try Program.compile(try Self.graph(fused: true, activation: activation, params: params,
                                                           residual: residual), options: .unoptimized)
            let reference = try Program.compile(try Self.graph(fused: false, activation: activation, params: params,
                                                               residual: residual), options: .unoptimized)
            #expect(fused.stepCount == 1)
            let y = try fused.run(feeds)[0], expected = try reference.run(feeds)[0]
            #expect(y.shape == [2, 4, 6, 6])
            #expect(isClose(floats(y), floats(expected), tolerance: 1e-5), "activation '\(activation)', residual \(residual)")
        }
    }

    /// `out = Sigmoid(FusedConv(x, W, B, Z: Neg(z)))`: the residual is an intermediate that
    /// dies at the conv, so where the kernel allows it (the AVX-512 GEMM paths) the planner
    /// writes the conv's output over it; the results stay those of an unplanned program.
    @Test func plannedOutputTakesOverADyingResidual() throws {
        // 8 input channels: an im2col convolution (fewer go to the direct stem kernel).
        var b = GraphBuilder(name: "residual-in-place", weights: .seeded(11))
        let x = b.input("x", TensorType(.float32, [2, 8, 6, 6]))
        let z = b.input("z", TensorType(.float32, [2, 4, 6, 6]))
        let negated = try b.add(.neg, "negated", [z])
        let w = b.parameter("w", shape: [4, 8, 3, 3], initializer: .glorotUniform)
        let bias = b.parameter("b", shape: [4], initializer: .uniform(low: -0.5, high: 0.5))
        let y = try b.add(.fusedConv, "y", [x, w, bias, negated],
                          ["pads": .ints([1, 1, 1, 1]), "activation": .string("Relu")])
        b.output(try b.add(.sigmoid, "out", [y]))
        let planned = try Program.compile(b.graph, options: CompileOptions(optimize: false))
        let unplanned = try Program.compile(b.graph, options: .unoptimized)
        let entry = try #require(planned.memoryPlan?.entry(named: "y"))
        if CPUFeatures.usesAVX512GEMM {
            #expect(entry.kind == .inPlace && entry.sharesWith == "negated")
        } else {
            #expect(entry.kind != .inPlace)
        }
        var rng = SeededRandom(seed: 9)
        func random(_ shape: [Int]) -> Tensor {
            Tensor(shape: shape, floats: (0..<shape.reduce(1, *)).map { _ in 4 * rng.nextUnitFloat() - 2 })
        }
        let feeds = ["x": random([2, 8, 6, 6]), "z": random([2, 4, 6, 6])]
        #expect(isClose(floats(try planned.run(feeds)[0]), floats(try unplanned.run(feeds)[0]), tolerance: 1e-6))
    }

    @Test func unknownActivationIsReportedAgainstTheNode() throws {
        var g = try Self.graph(fused: true, activation: "Relu", params: [], residual: false)
        g.nodes[0].attributes["activation"] = .string("Gelu")
        let error = #expect(throws: RuntimeError.self) { try Program.compile(g, options: .unoptimized) }
        #expect(error?.subject == "y")
    }
}

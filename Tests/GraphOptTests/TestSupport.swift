import GraphIR
import Testing
@testable import GraphOpt

/// Small hand-built graphs whose optimized forms the golden tests spell out.
enum OptTestGraphs {
    /// `conv1_conv -> conv1_bn -> conv1_relu`, with a conv bias and non-trivial BN data.
    static func convBatchNormRelu(batch: Dim = 1) throws -> Graph {
        var b = GraphBuilder(name: "conv_bn_relu", weights: .seeded(7))
        let x = b.input("image", TensorType(.float32, [batch, 2, 5, 5]))
        let y = try convBatchNorm(&b, x, channels: 2, name: "conv1")
        b.output(try b.add(.relu, "conv1_relu", [y]))
        return b.graph
    }

    /// A residual block tail: `x + BN(conv(x))`, then ReLU, as in Keras ResNet blocks.
    static func residualBlock(batch: Dim = 1) throws -> Graph {
        var b = GraphBuilder(name: "residual", weights: .seeded(11))
        let x = b.input("image", TensorType(.float32, [batch, 3, 4, 4]))
        let y = try convBatchNorm(&b, x, channels: 3, name: "block1_3")
        let sum = try b.add(.add, "block1_add", [x, y])
        b.output(try b.add(.relu, "block1_out", [sum]))
        return b.graph
    }

    /// `<name>_conv` (3x3, same padding, bias) and `<name>_bn` with BN statistics drawn
    /// away from the identity (gamma, beta, mean, variance all non-trivial).
    static func convBatchNorm(_ b: inout GraphBuilder, _ x: ValueID, channels: Int, name: String) throws -> ValueID {
        let inChannels = b.type(of: x).shape[1].value ?? 1
        let w = b.parameter("\(name)_conv/kernel", shape: [channels, inChannels, 3, 3], initializer: .glorotUniform)
        let bias = b.parameter("\(name)_conv/bias", shape: [channels], initializer: .uniform(low: -0.5, high: 0.5))
        let y = try b.add(.conv, "\(name)_conv", [x, w, bias], ["pads": .ints([1, 1, 1, 1])])
        let gamma = b.parameter("\(name)_bn/gamma", shape: [channels], initializer: .uniform(low: 0.5, high: 1.5))
        let beta = b.parameter("\(name)_bn/beta", shape: [channels], initializer: .uniform(low: -0.5, high: 0.5))
        let mean = b.parameter("\(name)_bn/moving_mean", shape: [channels], initializer: .uniform(low: -0.5, high: 0.5),
                               trainable: false)
        let variance = b.parameter("\(name)_bn/moving_variance", shape: [channels],
                                   initializer: .uniform(low: 0.5, high: 2), trainable: false)
        return try b.add(.batchNormalization, "\(name)_bn", [y, gamma, beta, mean, variance], ["epsilon": .float(1e-3)])
    }

    /// Replaces every BatchNormalization's statistics by seeded non-trivial values (the
    /// zoo initializes them to the identity transform, which would hide folding bugs).
    static func randomizingBatchNorm(_ graph: Graph, seed: UInt64 = 5) -> Graph {
        var g = graph
        for node in g.nodes where node.op == .batchNormalization {
            let ranges: [(Float, Float)] = [(0.5, 1.5), (-0.5, 0.5), (-0.5, 0.5), (0.5, 2)]
            for (k, (lo, hi)) in zip(1...4, ranges) {
                guard let v = node.inputs[k], let n = g[v].type.shape.elementCount else { continue }
                var rng = SeededRandom(seed: seed, stream: g[v].name)
                g[v].data = Tensor(shape: [n], floats: (0..<n).map { _ in lo + (hi - lo) * rng.nextUnitFloat() })
            }
        }
        return g
    }
}

/// Runs `pipeline` with verification and a text round trip after every pass.
func optimize(_ graph: Graph, _ pipeline: Pipeline = .standardInference, pinned: Set<String> = []) throws
    -> (graph: Graph, stats: RewriteStats) {
    var p = pipeline
    p.verifyEach = true
    return try p.run(graph, pinned: pinned)
}

func optimize(_ graph: Graph, passes: [String], pinned: Set<String> = []) throws -> Graph {
    try optimize(graph, try Pipeline(names: passes), pinned: pinned).graph
}

func count(_ op: OpKind, in graph: Graph) -> Int { graph.nodes.filter { $0.op == op }.count }

/// Appends a node with explicitly given output types, for graphs the builder cannot
/// type (a Reshape whose target is computed by other nodes).
@discardableResult
func appendNode(_ g: inout Graph, _ op: OpKind, _ name: String, _ inputs: [ValueID?],
                _ outputTypes: [TensorType], _ attributes: Attributes = [:]) -> [ValueID] {
    let outs = outputTypes.enumerated().map { k, t in
        g.addValue(Value(name: k == 0 ? name : "\(name):\(k)", type: t, role: .intermediate))
    }
    g.addNode(Node(name: name, op: op, inputs: inputs, outputs: outs, attributes: attributes))
    return outs
}

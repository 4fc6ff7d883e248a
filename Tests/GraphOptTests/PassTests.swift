import GraphIR
import Testing
@testable import GraphOpt

/// The clean-up passes one at a time, on graphs small enough to read.
@Suite("Passes: folding, identities, reshapes, dead code")
struct PassTests {
    /// `x -> Flatten(Reshape(x, Concat(Shape(x)[0], [-1])))` plus an Identity and Dropout.
    /// It only verifies once the target is folded: inference needs a constant target.
    static func shapeArithmeticGraph() throws -> Graph {
        var b = GraphBuilder(name: "shapes")
        let x = b.input("x", TensorType(.float32, [2, 3, 4]))
        let shape = try b.add(.shape, "x_shape", [x])
        let zero = b.constant("zero", Tensor(shape: [], int64s: [0]))
        let batch = try b.add(.gather, "batch", [shape, zero], ["axis": .int(0)])
        let axes = b.constant("axes", .int64Vector([0]))
        let batch1 = try b.add(.unsqueeze, "batch_1d", [batch, axes])
        let rest = b.constant("rest", .int64Vector([-1]))
        let target = try b.add(.concat, "target", [batch1, rest], ["axis": .int(0)])
        var g = b.graph
        let f32 = { (dims: [Int]) in TensorType(.float32, Shape(dims)) }
        let flat = appendNode(&g, .reshape, "flat", [x, target], [f32([2, 12])])[0]
        let same = appendNode(&g, .flatten, "flat2", [flat], [f32([2, 12])], ["axis": .int(1)])[0]
        let kept = appendNode(&g, .identity, "kept", [same], [f32([2, 12])])[0]
        let ratio = g.addValue(Value(name: "ratio", type: TensorType(.float32, []), role: .constant, data: .scalar(0.5)))
        let dropped = appendNode(&g, .dropout, "drop", [kept, ratio], [f32([2, 12])])[0]
        g.outputs = [appendNode(&g, .relu, "y", [dropped], [f32([2, 12])])[0]]
        return g
    }

    @Test func foldConstantsEvaluatesShapeArithmetic() throws {
        let g = try optimize(try Self.shapeArithmeticGraph(), passes: ["fold-constants"])
        #expect(g.textDescription.contains("const %target : i64[2] = [2,-1]"))
        #expect(count(.shape, in: g) == 0 && count(.gather, in: g) == 0 && count(.concat, in: g) == 0)
        #expect(g.textDescription.contains("%flat = Reshape(%x, %target) : f32[2,12]"))
    }

    @Test func cleanupPipelineLeavesOneReshapeAndTheRelu() throws {
        let g = try optimize(try Self.shapeArithmeticGraph(),
                             passes: ["fold-constants", "remove-identity", "collapse-reshapes", "eliminate-dead-code"])
        // The Flatten(Reshape) chain became one Reshape to the static result shape; the
        // computed target and the no-longer-read shape arithmetic are gone.
        #expect(g.textDescription == """
            graph shapes {
              input %x : f32[2,3,4]
              const %flat2/shape : i64[2] = [2,12]
              %flat2 = Reshape(%x, %flat2/shape) : f32[2,12]
              %y = Relu(%flat2) : f32[2,12]
              output %y
            }

            """)
    }

    @Test func collapseReshapesUsesTheStaticResultShape() throws {
        var b = GraphBuilder(name: "chain")
        let x = b.input("x", TensorType(.float32, [2, 3, 4]))
        let s1 = b.constant("s1", .int64Vector([6, 4]))
        let r1 = try b.add(.reshape, "r1", [x, s1])
        let r2 = try b.add(.flatten, "r2", [r1], ["axis": .int(0)])
        b.output(try b.add(.sigmoid, "y", [r2]))
        let g = try optimize(b.graph, passes: ["collapse-reshapes", "eliminate-dead-code"])
        #expect(g.textDescription.contains("const %r2/shape : i64[2] = [1,24]"))
        #expect(g.textDescription.contains("%r2 = Reshape(%x, %r2/shape) : f32[1,24]"))
        #expect(count(.reshape, in: g) == 1 && count(.flatten, in: g) == 0)
    }

    @Test func collapseReshapesKeepsAPinnedLink() throws {
        var b = GraphBuilder(name: "chain")
        let x = b.input("x", TensorType(.float32, [2, 3, 4]))
        let s1 = b.constant("s1", .int64Vector([6, 4]))
        let r1 = try b.add(.reshape, "r1", [x, s1])
        b.output(try b.add(.flatten, "r2", [r1], ["axis": .int(0)]))
        let g = try optimize(b.graph, passes: ["collapse-reshapes"], pinned: ["r1"])
        #expect(count(.flatten, in: g) == 1)
    }

    @Test func removeIdentityHandsAnOutputNameToTheProducer() throws {
        var b = GraphBuilder(name: "ids")
        let x = b.input("x", TensorType(.float32, [4]))
        let r = try b.add(.relu, "features", [x])
        let id = try b.add(.identity, "features_copy", [r])
        b.output(id)
        let g = try optimize(b.graph, passes: ["remove-identity"])
        #expect(g.textDescription.contains("%features_copy = Relu(%x) : f32[4] @features"))
        #expect(count(.identity, in: g) == 0)
    }

    @Test func removeIdentityKeepsAnIdentityBetweenTwoObservedValues() throws {
        var b = GraphBuilder(name: "ids")
        let x = b.input("x", TensorType(.float32, [4]))
        let r = try b.add(.relu, "features", [x])
        b.output(try b.add(.identity, "features_copy", [r]))
        let g = try optimize(b.graph, passes: ["remove-identity"], pinned: ["features"])
        #expect(count(.identity, in: g) == 1)
    }

    @Test func trainingDropoutIsKept() throws {
        var b = GraphBuilder(name: "drop")
        let x = b.input("x", TensorType(.float32, [4]))
        let ratio = b.constant("ratio", .scalar(0.5))
        let training = b.constant("training", Tensor(shape: [], storage: .bool([true])))
        b.output(try b.add(.dropout, "d", [x, ratio, training]))
        let g = try optimize(b.graph, passes: ["remove-identity"])
        #expect(count(.dropout, in: g) == 1)
    }

    @Test func deadCodeEliminationKeepsPinnedBranchesAndDropsTheirUnusedWeights() throws {
        var b = GraphBuilder(name: "dce", weights: .seeded(1))
        let x = b.input("x", TensorType(.float32, [1, 2, 4, 4]))
        let w = b.parameter("side/kernel", shape: [2, 2, 1, 1], initializer: .glorotUniform)
        let side = try b.add(.conv, "side", [x, w])
        let w2 = b.parameter("dead/kernel", shape: [2, 2, 1, 1], initializer: .glorotUniform)
        _ = try b.add(.conv, "dead", [side, w2])
        b.output(try b.add(.relu, "y", [x]))
        let pinned = try optimize(b.graph, passes: ["eliminate-dead-code"], pinned: ["side"])
        #expect(pinned.node(named: "side") != nil && pinned.node(named: "dead") == nil)
        #expect(pinned.value(named: "dead/kernel") == nil && pinned.value(named: "side/kernel") != nil)
        let plain = try optimize(b.graph, passes: ["eliminate-dead-code"])
        #expect(plain.nodes.map(\.name) == ["y"])
        #expect(plain.parameters.isEmpty)
    }

    @Test func sigmoidTimesInputBecomesSwishThenFuses() throws {
        var b = GraphBuilder(name: "swish", weights: .seeded(3))
        let x = b.input("x", TensorType(.float32, [1, 2, 4, 4]))
        let w = b.parameter("conv/kernel", shape: [2, 2, 1, 1], initializer: .glorotUniform)
        let c = try b.add(.conv, "conv", [x, w])
        let s = try b.add(.sigmoid, "gate", [c])
        b.output(try b.add(.mul, "act", [s, c]))
        let (g, stats) = try optimize(b.graph, try Pipeline(names: ["fuse-conv-activation"]))
        #expect(g.textDescription.contains(#"%act = FusedConv(%x, %conv/kernel) {activation="Swish"} : f32[1,2,4,4]"#))
        #expect(stats["sigmoid-mul-to-swish"] == 1 && stats["fuse-conv-activation"] == 1)
    }

    @Test func clipWithConstantBoundsFusesWithItsParameters() throws {
        var b = GraphBuilder(name: "relu6", weights: .seeded(3))
        let x = b.input("x", TensorType(.float32, [1, 2, 4, 4]))
        let w = b.parameter("conv/kernel", shape: [2, 2, 1, 1], initializer: .glorotUniform)
        let c = try b.add(.conv, "conv", [x, w])
        let lo = b.constant("lo", .scalar(0)), hi = b.constant("hi", .scalar(6))
        b.output(try b.add(.clip, "relu6", [c, lo, hi]))
        let g = try optimize(b.graph, passes: ["fuse-conv-activation"])
        #expect(g.textDescription.contains(#"{activation="Clip", activation_params=[0.0,6.0]}"#))
    }
}

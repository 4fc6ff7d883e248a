import GraphIR
import GraphOpt
import Models
import Testing
@testable import Runtime

/// What `CompileOptions` changes: optimization, memory planning and pinned values never
/// change results, only the number of steps, the arena size and which values stay readable.
@Suite("Compile options")
struct CompileOptionsTests {
    /// x[1,4,3,3] -> relu -> flatten -> relu2 -> reshape back -> sigmoid (output).
    static func chain() throws -> Graph {
        var b = GraphBuilder(name: "chain")
        let x = b.input("x", TensorType(.float32, [1, 4, 3, 3]))
        let r = try b.add(.relu, "relu", [x])
        let f = try b.add(.flatten, "flat", [r])
        let r2 = try b.add(.relu, "relu2", [f])
        let back = try b.add(.reshape, "back", [r2, b.constant("shape", .int64Vector([1, 4, 3, 3]))])
        b.output(try b.add(.sigmoid, "out", [back]))
        return b.graph
    }

    static let x = Tensor(shape: [1, 4, 3, 3], floats: (0..<36).map { Float($0 % 7) - 3 })

    @Test func reshapesAliasTheirInputAndElementwiseOpsRunInPlace() throws {
        let planned = try Program.compile(try Self.chain(), options: CompileOptions(optimize: false))
        let plain = try Program.compile(try Self.chain(), options: .unoptimized)
        let plan = try #require(planned.memoryPlan)
        #expect(plan.entry(named: "flat")?.kind == .alias)
        #expect(plan.entry(named: "back")?.kind == .alias)
        #expect(plan.entry(named: "relu2")?.kind == .inPlace)
        // The two reshapes make no step; the plain program copies.
        #expect(planned.stepCount == 3)
        #expect(plain.stepCount == 5)
        #expect(plain.memoryPlan == nil)
        #expect(try planned.run(["x": Self.x]) == (try plain.run(["x": Self.x])))
        #expect(planned.memoryStats.arenaBytes < plain.memoryStats.arenaBytes)
    }

    @Test func pinnedValuesAndOutputsAreReadableAndOthersSayHowToPinThem() throws {
        let program = try Program.compile(try Self.chain(), options: CompileOptions(optimize: false, pinned: ["relu"]))
        let plain = try Program.compile(try Self.chain(), options: .unoptimized)
        _ = try program.run(["x": Self.x])
        _ = try plain.run(["x": Self.x])
        #expect(try program.values(named: "relu") == (try plain.values(named: "relu")))
        #expect(try program.values(named: "out") == (try plain.values(named: "out")))
        #expect(try program.values(named: "x") == Self.x)
        let error = #expect(throws: RuntimeError.self) { try program.values(named: "relu2") }
        #expect(error?.message.contains("CompileOptions(pinned: [\"relu2\"])") == true)
        // Without planning every intermediate keeps its buffer.
        #expect(try plain.values(named: "relu2").shape == [1, 36])
    }

    @Test func pinnedNameMustExist() throws {
        #expect(throws: RuntimeError(.value, "nope", "cannot be pinned: no such value in graph 'chain'")) {
            try Program.compile(try Self.chain(), options: CompileOptions(pinned: ["nope"]))
        }
    }

    @Test func fusedAwayValuesNameTheFixAndPinnedOnesSurviveFusion() throws {
        let graph = try Zoo.entry(named: "tiny-resnet").graph(inputSize: 16, weights: .seeded(2))
        let shapes = ["input_1": [1, 3, 16, 16]]
        let fused = try Program.compile(graph, inputShapes: shapes)
        let error = #expect(throws: RuntimeError.self) { try fused.values(named: "conv1_bn") }
        #expect(error?.message.contains("removed by optimization") == true)
        let pinned = try Program.compile(graph, inputShapes: shapes, options: CompileOptions(pinned: ["conv1_bn"]))
        #expect(pinned.graph.value(named: "conv1_bn") != nil)
        #expect(pinned.stepCount > fused.stepCount)
    }

    @Test func customPipelineRunsInsteadOfTheStandardOne() throws {
        let graph = try Zoo.entry(named: "tiny-resnet").graph(inputSize: 16, weights: .seeded(2))
        let shapes = ["input_1": [1, 3, 16, 16]]
        let foldOnly = try Program.compile(graph, inputShapes: shapes, options: CompileOptions(
            pipeline: try Pipeline(names: ["fold-batchnorm"])))
        #expect(foldOnly.graph.nodes.contains { $0.op == .conv })
        #expect(!foldOnly.graph.nodes.contains { $0.op == .batchNormalization || $0.op == .fusedConv })
        let standard = try Program.compile(graph, inputShapes: shapes)
        #expect(standard.graph.nodes.contains { $0.op == .fusedConv })
        #expect(standard.stepCount < foldOnly.stepCount)
    }

    @Test func weightsLiveOnlyInTheArenaAndStayReadable() throws {
        let graph = try Zoo.entry(named: "tiny-cnn").graph(inputSize: 16, weights: .seeded(3))
        let program = try Program.compile(graph, inputShapes: ["input_1": [1, 3, 16, 16]], options: .unoptimized)
        let parameters = graph.parameters
        #expect(!parameters.isEmpty)
        for id in parameters {
            #expect(try program.values(named: graph[id].name) == graph[id].data)
        }
        #expect(program.graph.values.allSatisfy { $0.role != .parameter || $0.data == nil })
        let bytes = parameters.reduce(0) { $0 + aligned64((graph[$1].data?.elementCount ?? 0) * 4) }
        #expect(program.memoryStats.weightsBytes == bytes)
    }
}

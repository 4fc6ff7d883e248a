import GraphIR
import Testing
@testable import GraphOpt

@Suite("Pipeline: names, hooks, statistics")
struct PipelineTests {
    @Test func pipelinesAreBuiltFromPassNames() throws {
        let p = try Pipeline(names: ["fold-constants", "eliminate-dead-code"])
        #expect(p.names == ["fold-constants", "eliminate-dead-code"])
        #expect(Pipeline.standardInference.names.first == "fold-constants")
        #expect(Pipeline.standardInference.names.last == "eliminate-dead-code")
    }

    @Test func unknownPassNameListsTheKnownOnes() {
        #expect {
            _ = try Pipeline(names: ["fold-constants", "fuse-everything"])
        } throws: { error in
            let text = "\(error)"
            return text.contains("fuse-everything") && text.contains("fold-batchnorm") && text.contains("fuse-conv-add")
        }
    }

    @Test func printAfterEmitsTheIRBetweenPasses() throws {
        var p = Pipeline.standardInference
        nonisolated(unsafe) var printed: [(String, String)] = []
        p.printer = { printed.append(($0, $1)) }
        p.printAfter = ["fold-batchnorm"]
        _ = try p.run(try OptTestGraphs.convBatchNormRelu())
        #expect(printed.map(\.0) == ["fold-batchnorm"])
        #expect(printed.first?.1.contains("%conv1_bn = Conv(") == true)

        printed = []
        p.printAfter = []
        p.printAfterAll = true
        _ = try p.run(try OptTestGraphs.convBatchNormRelu())
        #expect(printed.map(\.0) == Pipeline.standardInference.names)
    }

    @Test func statisticsCountRuleApplicationsAndPrint() throws {
        let (_, stats) = try optimize(try OptTestGraphs.residualBlock())
        #expect(stats["fold-batchnorm"] == 1)
        #expect(stats.formatted().contains("fuse-conv-add:"))
        #expect(stats.formatted().split(separator: "\n").count == stats.ruleNames.count)
    }

    @Test func verifyEachNamesThePassThatBrokeTheGraph() {
        let breaking = Pass(name: "break-things") { graph, _ in
            var g = graph
            g.nodes[0].inputs[0] = ValueID(999)
            return g
        }
        var p = Pipeline([.eliminateDeadCode, breaking])
        p.verifyEach = true
        #expect {
            _ = try p.run(try OptTestGraphs.convBatchNormRelu())
        } throws: { error in
            (error as? PassError)?.pass == "break-things"
        }
    }

    @Test func rulesThatUndoEachOtherAreStopped() throws {
        // Two rules flipping Relu <-> Sigmoid never reach a fixed point.
        struct Flip: RewriteRule {
            let from: OpKind, to: OpKind
            var name: String { "flip-\(from.rawValue)" }
            var rootOps: Set<OpKind> { [from] }
            func match(_ n: NodeID, in graph: GraphEditor) -> NodeID? { n }
            func apply(_ n: NodeID, to graph: inout GraphEditor) throws -> RewriteChange {
                var node = graph[n]
                node.op = to
                graph.replaceNode(n, with: node)
                return RewriteChange(nodes: [n])
            }
        }
        var editor = GraphEditor(try OptTestGraphs.convBatchNormRelu())
        let driver = RewriteDriver(rules: [Flip(from: .relu, to: .sigmoid), Flip(from: .sigmoid, to: .relu)])
        #expect(throws: PassError.self) { _ = try driver.run(&editor) }
    }
}

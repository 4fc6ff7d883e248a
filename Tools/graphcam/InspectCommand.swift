import ArgumentParser
import Foundation
import GraphIO
import GraphIR
import GraphOpt
import GradCAM
import Models

struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Print a model (.onnx, .xml, .gir) as text IR, DOT, XML or a summary.")

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, dot, xml, summary
    }

    @Argument(help: "Model file (.onnx, .xml, .gir) or zoo name.")
    var model: String

    @Option(help: "Output format: text, dot, xml or summary.")
    var format: Format = .summary

    @Option(help: "Bind the symbolic batch dimension (default 1 for the summary's MAC counts).")
    var batch: Int?

    @OptionGroup var pipelineOptions: PipelineOptions

    @Option(parsing: .upToNextOption, help: "Values no pass may fuse away (with --passes).")
    var pin: [String] = []

    @Flag(help: "List Grad-CAM target layers with shapes: where blocks and stages end (* marks the usual one).")
    var targets = false

    @Flag(help: "With --targets: list every 4-D activation, not only block and stage outputs.")
    var allTargets = false

    func run() throws {
        var graph = Zoo.names.contains(model) ? try Zoo.build(model) : try ModelFile.load(model)
        if targets {
            let usual = TargetResolver.usualTarget(in: graph)
            let listed = allTargets ? TargetResolver.candidates(in: graph) : TargetResolver.blockOutputs(in: graph)
            for v in listed {
                print("\(v == usual ? "*" : " ") \(graph[v].name)  \(graph[v].type)")
            }
            if !allTargets {
                print("(\(listed.count) of \(TargetResolver.candidates(in: graph).count) 4-D activations; "
                      + "--all-targets lists every one; any value name works as --layer)")
            }
            return
        }
        let bindBatch = batch ?? (format == .summary ? 1 : nil)
        if let n = bindBatch, !graph.symbols.isEmpty {
            graph = try graph.specialized(Dictionary(uniqueKeysWithValues: graph.symbols.map { ($0, n) }))
        }
        // With --print-after(-all) the IR goes to stdout between passes; the final form follows.
        if let pipeline = try pipelineOptions.pipeline() {
            graph = try pipeline.run(graph, pinned: Set(pin)).graph
        }
        let out: String
        switch format {
        case .text: out = graph.textDescription
        case .dot: out = graph.dot()
        case .xml: out = try GraphStore.xmlString(graph)
        case .summary: out = graph.summary.formatted()
        }
        print(out, terminator: out.hasSuffix("\n") ? "" : "\n")
    }
}

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import an ONNX model into the XML store (.xml + .weights) or text IR (.gir).")

    @Argument(help: "The .onnx model.")
    var model: String

    @Option(name: .shortAndLong, help: "Output: .xml (with a .weights sidecar) or .gir.")
    var output: String

    func run() throws {
        let graph = try ONNXImporter.load(url: URL(fileURLWithPath: model))
        try writeGraph(graph, to: output, weights: true)
        let (t, f) = graph.parameterCounts
        printErr("imported \(model): \(graph.nodes.count) nodes, \(grouped(t + f)) parameters -> \(output)")
    }
}

import ArgumentParser
import Evaluation
import Foundation
import GraphIO
import GraphIR
import Models

struct ZooCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "zoo",
        abstract: "List and export the networks of the model zoo.",
        subcommands: [List.self, Export.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the zoo's networks with their parameter counts.")

        func run() throws {
            print(pad("name", 19) + pad("input", 7) + lpad("params", 12) + lpad("frozen", 10) + "  description")
            for entry in Zoo.entries {
                let g = try entry.graph()
                let (t, f) = g.parameterCounts
                print(pad(entry.name, 19) + pad("\(entry.defaultInputSize)", 7) + lpad(grouped(t + f), 12)
                      + lpad(grouped(f), 10) + "  " + entry.description)
            }
        }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a zoo network to the XML store (.xml + .weights) or as text IR (.gir).")

        @Argument(help: "Zoo name (see `graphcam zoo list`).")
        var name: String

        @Option(help: "Input side in pixels (default: the entry's, 112 for the study's networks).")
        var inputSize: Int?

        @Option(help: "Seed for the deterministic weight initialization.")
        var seed: UInt64 = 0

        @Option(help: "Which parameters are trainable: none (all trainable), head, lastN, lastN+bn (the study's: last10+bn).")
        var freeze: String?

        @Flag(help: "Write the structure only, without generating weights.")
        var structureOnly = false

        @Option(help: "Pretrained weights (.onnx, .xml, .gir) copied onto the zoo graph: by name, by Keras layer and role (tf2onnx names), folded BatchNorms undone, else by shape in graph order; what matched is printed.")
        var weights: String?

        @Option(help: "Put a GAP + Dense(N, softmax) head on a bare backbone (the head's weights can come with --weights).")
        var classes: Int?

        @Option(name: .shortAndLong, help: "Output file: .xml (with a .weights sidecar) or .gir (text IR).")
        var output: String

        func run() throws {
            let entry = try Zoo.entry(named: name)
            let weights: WeightMode = structureOnly ? .none : .seeded(seed)
            var graph = try entry.graph(inputSize: inputSize, weights: weights)
            if let classes {
                guard classes >= 2 else { throw ValidationError("--classes must be at least 2, got \(classes)") }
                graph = try graph.withClassifierHead(classes: classes, weights: weights)
            }
            var transferNote = ""
            if let file = self.weights {
                guard !structureOnly else { throw ValidationError("--weights needs weights: drop --structure-only") }
                let (filled, report) = WeightTransfer.transfer(from: try ModelFile.load(file), onto: graph)
                guard report.byName + report.byStructure > 0 else {
                    throw ValidationError("--weights \(file): no tensor matched the \(name) graph by name or shape")
                }
                graph = filled
                transferNote = "; weights from \(file): \(report.summary)"
            }
            if let freeze {
                guard let recipe = TrainableRecipe(parsing: freeze) else {
                    throw ValidationError("--freeze '\(freeze)': expected none, head, lastN or lastN+bn")
                }
                graph = try graph.settingTrainable(recipe, backboneOutput: entry.featureLayer)
            }
            try graph.verify()
            try writeGraph(graph, to: output, weights: !structureOnly)
            let (t, f) = graph.parameterCounts
            printErr("wrote \(output): \(graph.nodes.count) nodes, \(grouped(t + f)) parameters"
                     + (structureOnly ? " (structure only)" : " (seeded weights, seed \(seed))") + transferNote)
        }
    }
}

/// Writes a graph in the format its path names.
func writeGraph(_ graph: Graph, to path: String, weights: Bool) throws {
    switch ModelFormat(path: path) {
    case .xml?:
        try GraphStore.write(graph, to: URL(fileURLWithPath: path), weights: weights)
    case .text?:
        try graph.textDescription.write(toFile: path, atomically: true, encoding: .utf8)
    default:
        throw ValidationError("\(path): output must end in .xml or .gir")
    }
}

import ArgumentParser
import Foundation
import GraphIO
import GraphIR
import Runtime

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a model on TensorProto inputs and write TensorProto outputs.",
        discussion: """
            Inputs map to the model's graph inputs by position. Inputs that a node reads as \
            a shape-like operand (Reshape's shape, Pad's pads, Clip's bounds, axes) are \
            bound as constants at compile time. Writes OUTDIR/output_K.pb for each graph \
            output K, in order.
            """)

    @Option(help: "Model file: .onnx, .xml or .gir.")
    var model: String

    @Option(parsing: .upToNextOption, help: "Input TensorProto files (.pb), one per graph input, in order.")
    var inputs: [String] = []

    @Option(help: "Folder for output_K.pb files (created if missing).")
    var outputsTo: String

    @OptionGroup var compile: CompileFlags

    func run() throws {
        let graph = try ModelFile.load(model)
        guard inputs.count == graph.inputs.count else {
            throw ValidationError("\(model) has \(graph.inputs.count) inputs "
                + "(\(graph.inputs.map { graph[$0].name }.joined(separator: ", "))) but \(inputs.count) files were given")
        }
        var feeds: [String: Tensor] = [:]
        for (k, path) in inputs.enumerated() {
            feeds[graph[graph.inputs[k]].name] = try TensorProtoCodec.read(URL(fileURLWithPath: path))
        }
        let operandNames = Set(graph.operandInputs.map { graph[$0].name })
        let constants = feeds.filter { operandNames.contains($0.key) }
        let outputNames = graph.outputs.map { graph[$0].name }
        // Handed over, so the weights are not held twice while the program runs.
        let program = try Program.compile(consume graph, inputShapes: feeds.mapValues(\.shape),
                                          constantInputs: constants, options: compile.compileOptions)
        let outputs = try program.run(feeds.filter { !operandNames.contains($0.key) })

        let dir = URL(fileURLWithPath: outputsTo)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for (k, tensor) in outputs.enumerated() {
            let bytes = TensorProtoCodec.encode(tensor, name: outputNames[k])
            try Data(bytes).write(to: dir.appendingPathComponent("output_\(k).pb"), options: .atomic)
        }
    }
}

import ArgumentParser
import Foundation
import GraphIO
import GraphIR
import GraphOpt
import Models
import Runtime

/// `--passes`, `--print-after-all`, `--print-after`: run a pass pipeline on a graph and
/// print the IR between passes to stdout.
struct PipelineOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Comma-separated passes to run in order, or 'standard' for the standard inference pipeline.",
        discussion: "Known passes: " + Pipeline.knownPasses.map(\.name).joined(separator: ", ") + "."))
    var passes: String?

    @Flag(help: "Print the IR after every pass (needs --passes).")
    var printAfterAll = false

    @Option(help: "Print the IR after this pass (repeatable; needs --passes).")
    var printAfter: [String] = []

    /// The pipeline asked for, printing to stdout; nil without `--passes`.
    func pipeline() throws -> Pipeline? {
        guard let passes else {
            if printAfterAll || !printAfter.isEmpty {
                throw ValidationError("--print-after-all and --print-after need --passes")
            }
            return nil
        }
        var pipeline = passes == "standard"
            ? Pipeline.standardInference
            : try Pipeline(names: passes.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        for name in printAfter where !pipeline.names.contains(name) {
            throw ValidationError("--print-after \(name): not in the pipeline (\(pipeline.names.joined(separator: ",")))")
        }
        pipeline.printAfterAll = printAfterAll
        pipeline.printAfter = Set(printAfter)
        pipeline.printer = { pass, text in
            print("// after \(pass)")
            print(text, terminator: text.hasSuffix("\n") ? "" : "\n")
        }
        return pipeline
    }
}

/// How commands that compile a program optimize it: `--no-optimize`, `--no-plan`, `--pin`.
struct CompileFlags: ParsableArguments {
    @Flag(help: "Run the graph as written: no optimization passes.")
    var noOptimize = false

    @Flag(help: "Give every value a buffer of its own instead of one planned arena.")
    var noPlan = false

    @Option(parsing: .upToNextOption, help: "Values to keep readable after a run (never fused away, bytes never reused).")
    var pin: [String] = []

    var compileOptions: CompileOptions {
        CompileOptions(optimize: !noOptimize, pinned: Set(pin), planMemory: !noPlan)
    }
}

/// A model named on the command line: a zoo name (built with seeded weights) or a model
/// file (.onnx, .xml, .gir).
struct ModelSource {
    var graph: Graph
    /// How the model was found, for reports: `resnet50 (zoo, seeded weights)` or the path.
    var description: String

    init(_ model: String, size: Int?, seed: UInt64 = 0) throws {
        if Zoo.names.contains(model) {
            graph = try Zoo.entry(named: model).graph(inputSize: size, weights: .seeded(seed))
            description = "\(model) (zoo, seeded weights)"
        } else {
            guard FileManager.default.fileExists(atPath: model) else {
                throw ValidationError("\(model): neither a zoo name (\(Zoo.names.joined(separator: ", "))) nor a file")
            }
            graph = try ModelFile.load(model)
            description = model
        }
    }

    /// Hands the graph over (leaving an empty one), so that compiling it moves the weights
    /// into the program instead of keeping a second copy here.
    mutating func takeGraph() -> Graph {
        let taken = graph
        graph = Graph(name: taken.name)
        return taken
    }

    /// Concrete input shapes: a symbolic leading dim is the batch, any other symbolic dim
    /// the image side `size`.
    func shapes(batch: Int, size: Int?) throws -> [String: [Int]] {
        var inputs: [String: [Int]] = [:]
        for id in graph.inputs {
            let v = graph[id]
            var dims: [Int] = []
            for (axis, dim) in v.type.shape.dims.enumerated() {
                switch dim {
                case .known(let k): dims.append(k)
                case .symbolic(let s):
                    guard let n = axis == 0 ? batch : size else {
                        throw ValidationError("input \(v.name) has symbolic dim \(s) at axis \(axis); pass --size")
                    }
                    dims.append(n)
                }
            }
            inputs[v.name] = dims
        }
        return inputs
    }

    /// Seeded uniform [-1, 1) floats for every input.
    static func randomInputs(_ shapes: [String: [Int]], graph: Graph) throws -> [String: Tensor] {
        var feeds: [String: Tensor] = [:]
        var rng = SeededRandom(seed: 1)
        for (name, dims) in shapes.sorted(by: { $0.key < $1.key }) {
            guard let id = graph.value(named: name), graph[id].type.dtype == .float32 else {
                throw ValidationError("input \(name) is not f32; only image models can be benchmarked")
            }
            feeds[name] = Tensor(shape: dims, floats: (0..<dims.reduce(1, *)).map { _ in 2 * rng.nextUnitFloat() - 1 })
        }
        return feeds
    }
}

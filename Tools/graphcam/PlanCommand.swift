import ArgumentParser
import Runtime

struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Compile a model and print its memory plan: per buffer offset, bytes, live interval and kind.")

    @Argument(help: "Zoo name (seeded weights) or model file (.onnx, .xml, .gir).")
    var model: String

    @Option(help: "Batch size bound to the symbolic batch dimension.")
    var batch: Int = 1

    @Option(help: "Image side in pixels (zoo: default the entry's; files: for symbolic spatial dims).")
    var size: Int?

    @OptionGroup var compile: CompileFlags

    func run() throws {
        let source = try ModelSource(model, size: size)
        let shapes = try source.shapes(batch: batch, size: size)
        let program = try Program.compile(source.graph, inputShapes: shapes, options: compile.compileOptions)
        if let plan = program.memoryPlan {
            print(plan.formatted(), terminator: "")
        }
        print("steps \(program.stepCount); " + program.memoryStats.formatted())
        print("total \(MemoryStats.megabytes(program.memoryStats.totalBytes)) in one allocation")
    }
}

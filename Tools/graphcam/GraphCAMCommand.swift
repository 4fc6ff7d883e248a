import ArgumentParser

/// `graphcam`: the command-line face of the GraphCAM libraries. Each subcommand parses
/// its arguments, calls a library, and prints; no logic lives here that a library user
/// would need.
@main
struct GraphCAMCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "graphcam",
        abstract: "A dataflow-graph compiler and CPU runtime for mammogram classifiers with Grad-CAM.",
        version: "0.1.0",
        subcommands: [ZooCommand.self, InspectCommand.self, ImportCommand.self, RunCommand.self, PlanCommand.self,
                      BenchCommand.self, DataCommand.self, QueryCommand.self, GradCAMCommand.self,
                      BenchQueryCommand.self, ExperimentCommand.self, ReportCommand.self])

    /// Accepts `--inputs` followed by no files (a model without inputs, as the ONNX
    /// conformance runner contract allows), which the argument parser would reject.
    static func main() {
        var args = Array(CommandLine.arguments.dropFirst())
        if let i = args.firstIndex(of: "--inputs"), i + 1 == args.count || args[i + 1].hasPrefix("--") {
            args.remove(at: i)
        }
        main(args)
    }
}

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
        subcommands: [ZooCommand.self, InspectCommand.self, ImportCommand.self, RunCommand.self])
}

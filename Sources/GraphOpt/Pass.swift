import GraphIR

/// Why a pass or pipeline failed; names the pass (and, through `message`, the node or
/// value at fault).
public struct PassError: Error, Equatable, CustomStringConvertible {
    public var pass: String
    public var message: String

    public init(pass: String, _ message: String) {
        self.pass = pass
        self.message = message
    }

    public var description: String { "pass '\(pass)': \(message)" }
}

/// What every pass may consult or report while it runs.
public struct PassContext {
    /// Names of values that must survive every pass with their name and contents: a
    /// Grad-CAM target such as `conv5_block3_out`. Graph outputs are always treated as
    /// pinned, whether listed here or not. No rewrite fuses across a pinned value.
    public var pinned: Set<String>
    /// Whether `fold-constants` may fold over parameters (with data) as well as constants.
    /// True for inference; a training pipeline sets it to false so weights stay weights.
    public var foldParameters: Bool
    /// How often each rewrite rule fired, accumulated over all passes run with this context.
    public var stats: RewriteStats

    public init(pinned: Set<String> = [], foldParameters: Bool = true) {
        self.pinned = pinned
        self.foldParameters = foldParameters
        self.stats = RewriteStats()
    }

    /// The pinned values of `graph`: the names in `pinned` plus the graph outputs.
    public func observedValues(in graph: Graph) -> Set<ValueID> {
        var observed = Set(graph.outputs)
        for (i, v) in graph.values.enumerated() where pinned.contains(v.name) { observed.insert(ValueID(i)) }
        return observed
    }
}

/// A named graph-to-graph transformation.
///
/// ```swift
/// let dce = Pass(name: "eliminate-dead-code") { graph, context in
///     try DeadCodeElimination.run(graph, pinned: context.pinned)
/// }
/// ```
public struct Pass: Sendable {
    /// The name the CLI and `Pipeline(names:)` use, e.g. `fold-batchnorm`.
    public var name: String
    /// One line for `--help` style listings.
    public var summary: String
    public var run: @Sendable (Graph, inout PassContext) throws -> Graph

    public init(name: String, summary: String = "",
                run: @escaping @Sendable (Graph, inout PassContext) throws -> Graph) {
        self.name = name
        self.summary = summary
        self.run = run
    }

    /// A pass that drives `rules` to a fixed point with one `RewriteDriver`.
    public init(name: String, summary: String = "", rules: @escaping @Sendable (PassContext) -> [any RewriteRule]) {
        self.init(name: name, summary: summary) { graph, context in
            var editor = GraphEditor(graph, pinned: context.pinned)
            let driver = RewriteDriver(rules: rules(context))
            let stats = try driver.run(&editor)
            context.stats.merge(stats)
            return editor.finish()
        }
    }
}

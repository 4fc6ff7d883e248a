import GraphOpt

/// How `Program.compile` turns a graph into a program.
///
/// ```swift
/// // Optimized and planned (the default), keeping the Grad-CAM target readable:
/// let program = try Program.compile(graph, inputShapes: ["input_1": [1, 3, 112, 112]],
///                                   options: CompileOptions(pinned: ["conv5_block3_out"]))
/// // The graph as written, every value in a buffer of its own (for debugging):
/// let plain = try Program.compile(graph, inputShapes: shapes, options: .unoptimized)
/// ```
public struct CompileOptions {
    /// Run the optimizer after specialization: `pipeline`, or `Pipeline.standardInference`
    /// when `pipeline` is nil.
    public var optimize: Bool
    /// A custom pass pipeline to run instead of `Pipeline.standardInference`.
    public var pipeline: Pipeline?
    /// Values that must stay addressable after a run (`Program.values(named:)`): no pass
    /// fuses them away and the memory planner never reuses their bytes. Graph inputs and
    /// outputs are always kept.
    public var pinned: Set<String>
    /// Share one arena between values whose lifetimes do not overlap (`MemoryPlanner`);
    /// when false every value gets a buffer of its own and stays readable after a run.
    public var planMemory: Bool

    public init(optimize: Bool = true, pipeline: Pipeline? = nil, pinned: Set<String> = [], planMemory: Bool = true) {
        self.optimize = optimize
        self.pipeline = pipeline
        self.pinned = pinned
        self.planMemory = planMemory
    }

    /// The graph as written, each value in its own buffer: every intermediate stays
    /// readable, which is what a reference run for comparisons wants.
    public static var unoptimized: CompileOptions { CompileOptions(optimize: false, planMemory: false) }

    /// The pipeline `compile` runs, or nil when it does not optimize.
    var effectivePipeline: Pipeline? {
        guard optimize else { return nil }
        return pipeline ?? .standardInference
    }
}

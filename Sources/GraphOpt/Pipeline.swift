import GraphIR

/// An ordered list of passes, addressable by name, with the hooks a compiler driver
/// needs: print the IR after every pass (or after chosen ones) and verify after each.
///
/// ```swift
/// var pipeline = Pipeline.standardInference
/// pipeline.printAfter = ["fold-batchnorm"]
/// pipeline.printer = { pass, text in print("// after \(pass)\n" + text) }
/// var context = PassContext(pinned: ["conv5_block3_out"])
/// let optimized = try pipeline.run(graph, context: &context)
/// print(context.stats.formatted())
/// ```
public struct Pipeline {
    public var passes: [Pass]
    /// Print the IR after every pass.
    public var printAfterAll = false
    /// Print the IR after the passes with these names.
    public var printAfter: Set<String> = []
    /// Receives `(pass name, IR text)` for each print; nothing is printed without it.
    public var printer: ((String, String) -> Void)?
    /// After every pass, run `graph.verify()` and check that the text form parses back to
    /// the same text. Failures throw a `PassError` naming the pass.
    public var verifyEach = false

    public init(_ passes: [Pass]) { self.passes = passes }

    /// The pipeline of the named passes, in order; the error lists the known names.
    public init(names: [String]) throws {
        let known = Dictionary(Self.knownPasses.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        passes = try names.map { name in
            guard let p = known[name] else {
                throw PassError(pass: name, "unknown pass; known passes: " + Self.knownPasses.map(\.name).joined(separator: ", "))
            }
            return p
        }
    }

    /// The names of the passes, in order.
    public var names: [String] { passes.map(\.name) }

    /// Every pass `Pipeline(names:)` accepts.
    public static var knownPasses: [Pass] {
        [.foldConstants, .eliminateDeadCode, .removeIdentity, .collapseReshapes, .foldBatchNorm,
         .fuseConvAdd, .fuseConvActivation]
    }

    /// Inference clean-up and fusion, in an order where each pass exposes work for the
    /// next: fold shape arithmetic, drop identities and no-op reshapes, fold BN into its
    /// conv, then fuse the residual add (it must see the conv before any activation
    /// does), then the activations, and finally drop what became dead.
    public static var standardInference: Pipeline {
        Pipeline([.foldConstants, .removeIdentity, .collapseReshapes, .eliminateDeadCode, .foldBatchNorm,
                  .fuseConvAdd, .fuseConvActivation, .eliminateDeadCode])
    }

    /// Runs the passes in order. Statistics accumulate in `context.stats`.
    public func run(_ graph: Graph, context: inout PassContext) throws -> Graph {
        var g = graph
        for pass in passes {
            g = try pass.run(g, &context)
            if verifyEach { try Self.check(g, after: pass.name) }
            if let printer, printAfterAll || printAfter.contains(pass.name) {
                printer(pass.name, g.textDescription)
            }
        }
        return g
    }

    /// Runs the passes with a fresh context pinning `pinned`; returns the graph and stats.
    public func run(_ graph: Graph, pinned: Set<String> = []) throws -> (graph: Graph, stats: RewriteStats) {
        var context = PassContext(pinned: pinned)
        let g = try run(graph, context: &context)
        return (g, context.stats)
    }

    /// Verifies `graph` and checks that its text parses back to the same text.
    public static func check(_ graph: Graph, after pass: String) throws {
        do { try graph.verify() } catch {
            throw PassError(pass: pass, "the graph does not verify: \(error)")
        }
        let text = graph.textDescription
        let reparsed: Graph
        do { reparsed = try Graph.parse(text: text) } catch {
            throw PassError(pass: pass, "the printed graph does not parse: \(error)")
        }
        guard reparsed.textDescription == text else {
            throw PassError(pass: pass, "the printed graph does not print back identically")
        }
    }
}

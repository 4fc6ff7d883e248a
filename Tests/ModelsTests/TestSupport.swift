import GraphIR
@testable import Models

/// The shape of the value with this name, or nil when the graph has no such value.
func shape(_ graph: Graph, _ name: String) -> Shape? {
    graph.value(named: name).map { graph[$0].type.shape }
}

/// `[N, c, h, w]` with the symbolic batch the builders use by default.
func nchw(_ c: Int, _ h: Int, _ w: Int) -> Shape { [.symbolic("N"), .known(c), .known(h), .known(w)] }

/// Names that occur more than once among the graph's values or among its nodes.
func duplicateNames(_ graph: Graph) -> [String] {
    func dups(_ names: [String]) -> [String] {
        var seen = Set<String>(), out: [String] = []
        for n in names where !seen.insert(n).inserted { out.append(n) }
        return out
    }
    return dups(graph.values.map(\.name)) + dups(graph.nodes.map(\.name))
}

/// Float contents of a parameter built with seeded weights.
func floats(_ graph: Graph, _ name: String) -> [Float]? {
    graph.value(named: name).flatMap { graph[$0].data?.floatValues }
}

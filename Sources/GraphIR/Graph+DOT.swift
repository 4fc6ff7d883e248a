extension Graph {
    /// The graph in Graphviz DOT syntax (`dot -Tsvg graph.dot -o graph.svg`).
    ///
    /// Each node is a box labelled with its name, op and the type of its first output;
    /// graph inputs are ellipses; graph outputs get a double border. Edges run from the
    /// producer of a value (or from the input's ellipse) to each consumer. Parameters and
    /// constants are hidden unless `showParameters` is true, in which case they are small
    /// grey notes. Ids outside the graph are skipped rather than trapping.
    public func dot(showParameters: Bool = false) -> String {
        var lines = ["digraph \(dotQuoted(name)) {",
                     "  rankdir=TB;",
                     "  node [shape=box, fontname=\"Helvetica\", fontsize=10];",
                     "  edge [fontname=\"Helvetica\", fontsize=8];"]
        let outputSet = Set(outputs.filter(isValidValue).map(\.index))
        for (i, v) in values.enumerated() {
            switch v.role {
            case .input:
                lines.append("  v\(i) [shape=ellipse, label=\(dotQuoted(v.name + "\n" + v.type.description))];")
            case .parameter, .constant:
                guard showParameters else { continue }
                lines.append("  v\(i) [shape=note, style=filled, fillcolor=\"#eeeeee\", label=\(dotQuoted(v.name + "\n" + v.type.description))];")
            case .intermediate:
                continue
            }
        }
        var producerOf: [Int: Int] = [:]
        for (i, n) in nodes.enumerated() {
            for out in n.outputs where isValidValue(out) { producerOf[out.index] = i }
            let outType = n.outputs.first.flatMap { isValidValue($0) ? values[$0.index].type.description : nil } ?? "no output"
            let isOutput = n.outputs.contains { outputSet.contains($0.index) }
            lines.append("  n\(i) [label=\(dotQuoted(n.name + "\n" + n.op.rawValue + "\n" + outType))"
                         + (isOutput ? ", peripheries=2" : "") + "];")
        }
        for (i, n) in nodes.enumerated() {
            for case let v? in n.inputs where isValidValue(v) {
                if let p = producerOf[v.index] {
                    // Label edges from the extra outputs of multi-output nodes.
                    let k = nodes[p].outputs.firstIndex(of: v) ?? 0
                    lines.append("  n\(p) -> n\(i)" + (k > 0 ? " [label=\(dotQuoted(values[v.index].name))]" : "") + ";")
                } else if values[v.index].role == .input || showParameters {
                    lines.append("  v\(v.index) -> n\(i);")
                }
            }
        }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    private func dotQuoted(_ s: String) -> String {
        var out = "\""
        for c in s {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default: out.append(c)
            }
        }
        return out + "\""
    }
}

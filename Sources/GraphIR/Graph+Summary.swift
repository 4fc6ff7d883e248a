/// A Keras-style summary of a graph: op counts, parameter totals and per-node cost.
///
/// Multiply-accumulate counts (MACs) follow the usual convention of counting only the
/// linear layers: Conv = output elements x (Cin / group) x prod(kernel); Gemm = M x N x K;
/// MatMul = output elements x K. Every other op counts 0 (elementwise and pooling work is
/// negligible next to convolutions). A count is nil when the shapes it needs are not
/// static (specialize the graph first to get numbers).
public struct GraphSummary: Sendable, Equatable {
    /// One line of the per-node table.
    public struct Row: Sendable, Equatable {
        public var node: String
        public var op: OpKind
        /// Type of the node's first output (nil when the node has none).
        public var outputType: TensorType?
        /// Elements of the parameters the node reads (shared parameters count for each reader).
        public var parameterElements: Int
        public var macs: Int?
    }

    public var graphName: String
    /// Node count per op, sorted by descending count then op name.
    public var opCounts: [(op: OpKind, count: Int)]
    public var trainableParameters: Int
    public var frozenParameters: Int
    public var trainableBytes: Int
    public var frozenBytes: Int
    public var rows: [Row]
    /// Sum of the known per-node MACs.
    public var totalMACs: Int
    /// Nodes whose MACs could not be computed (symbolic shapes).
    public var nodesWithUnknownMACs: Int

    public init(_ graph: Graph) {
        graphName = graph.name
        var counts: [OpKind: Int] = [:]
        for n in graph.nodes { counts[n.op, default: 0] += 1 }
        opCounts = counts.map { (op: $0.key, count: $0.value) }
            .sorted { $0.count != $1.count ? $0.count > $1.count : $0.op.rawValue < $1.op.rawValue }
        var t = 0, f = 0, tb = 0, fb = 0
        for v in graph.values where v.role == .parameter {
            let n = v.type.shape.elementCount ?? 0
            // Wrapping arithmetic: a malformed, astronomically large type must not trap here.
            if v.trainable { t &+= n; tb &+= n &* v.type.dtype.byteSize } else { f &+= n; fb &+= n &* v.type.dtype.byteSize }
        }
        (trainableParameters, frozenParameters, trainableBytes, frozenBytes) = (t, f, tb, fb)
        rows = graph.nodes.map { n in
            let type: (ValueID?) -> TensorType? = { v in
                guard let v, graph.isValidValue(v) else { return nil }
                return graph.values[v.index].type
            }
            let params = n.inputs.reduce(0) { sum, v in
                guard let v, graph.isValidValue(v), graph.values[v.index].role == .parameter else { return sum }
                return sum &+ (graph.values[v.index].type.shape.elementCount ?? 0)
            }
            let out = type(n.outputs.first)
            return Row(node: n.name, op: n.op, outputType: out, parameterElements: params,
                       macs: GraphSummary.macs(n, output: out, inputs: n.inputs.map { type($0) }))
        }
        totalMACs = rows.reduce(0) { $0 &+ ($1.macs ?? 0) }
        nodesWithUnknownMACs = rows.filter { $0.macs == nil }.count
    }

    static func macs(_ n: Node, output: TensorType?, inputs: [TensorType?]) -> Int? {
        func input(_ i: Int) -> [Int]? { i < inputs.count ? inputs[i]?.shape.staticDims : nil }
        switch n.op {
        case .conv, .fusedConv:
            guard let outCount = output?.shape.elementCount, let w = input(1), w.count >= 2 else { return nil }
            // The weight is [Cout, Cin/group, k...], so its dim 1 already is Cin/group.
            return w.dropFirst().reduce(outCount, &*)
        case .gemm:
            guard let out = output?.shape.staticDims, out.count == 2, let a = input(0), a.count == 2 else { return nil }
            let k = (n.attributes.int("transA") ?? 0) != 0 ? a[0] : a[1]
            return out[0] &* out[1] &* k
        case .matMul:
            guard let outCount = output?.shape.elementCount, let a = input(0), let k = a.last else { return nil }
            return outCount &* k
        default:
            return 0
        }
    }

    /// The summary as an aligned text table followed by totals.
    public func formatted() -> String {
        let header = ["Node", "Op", "Output", "Params", "MACs"]
        let body = rows.map { r in
            [r.node, r.op.rawValue, r.outputType?.description ?? "-",
             Self.grouped(r.parameterElements), r.macs.map(Self.grouped) ?? "?"]
        }
        var widths = header.map(\.count)
        for row in body { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, c in
                // Text columns align left, numbers right.
                let pad = String(repeating: " ", count: widths[i] - c.count)
                return i >= 3 ? pad + c : c + pad
            }.joined(separator: "  ").replacingTrailingSpaces()
        }
        var out = ["Graph \(graphName): \(rows.count) nodes", line(header),
                   widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")]
        out += body.map(line)
        out.append("Parameters: \(Self.grouped(trainableParameters + frozenParameters)) "
                   + "(\(Self.megabytes(trainableBytes + frozenBytes)))")
        out.append("  trainable: \(Self.grouped(trainableParameters)) (\(Self.megabytes(trainableBytes)))")
        out.append("  frozen:    \(Self.grouped(frozenParameters)) (\(Self.megabytes(frozenBytes)))")
        out.append("MACs: \(Self.grouped(totalMACs))"
                   + (nodesWithUnknownMACs > 0 ? " (+ \(nodesWithUnknownMACs) nodes with symbolic shapes)" : ""))
        out.append("Ops: " + opCounts.map { "\($0.op.rawValue) \($0.count)" }.joined(separator: ", "))
        return out.joined(separator: "\n") + "\n"
    }

    public static func == (a: GraphSummary, b: GraphSummary) -> Bool {
        a.graphName == b.graphName && a.opCounts.map(\.op) == b.opCounts.map(\.op)
            && a.opCounts.map(\.count) == b.opCounts.map(\.count) && a.rows == b.rows
            && a.trainableParameters == b.trainableParameters && a.frozenParameters == b.frozenParameters
            && a.trainableBytes == b.trainableBytes && a.frozenBytes == b.frozenBytes
            && a.totalMACs == b.totalMACs && a.nodesWithUnknownMACs == b.nodesWithUnknownMACs
    }

    /// 25557032 -> "25,557,032".
    static func grouped(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return (n < 0 ? "-" : "") + out
    }

    /// Bytes in MiB with two decimals, without Foundation's formatters.
    static func megabytes(_ bytes: Int) -> String {
        let hundredths = (bytes &* 100 &+ (1 << 19)) >> 20
        let frac = hundredths % 100
        return "\(hundredths / 100).\(frac < 10 ? "0" : "")\(frac) MiB"
    }
}

extension Graph {
    /// Op counts, parameter totals and per-node MACs of this graph.
    public var summary: GraphSummary { GraphSummary(self) }
}

private extension String {
    func replacingTrailingSpaces() -> String {
        var s = self
        while s.last == " " { s.removeLast() }
        return s
    }
}

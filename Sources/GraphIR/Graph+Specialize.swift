/// Why a graph could not be specialized; names the symbol or the node at fault.
public struct SpecializeError: Error, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension Graph {
    /// The symbolic dimension names used by any value, in order of first appearance
    /// (graph inputs first, since they come first in value order). The placeholder `?`,
    /// which inference uses for a size it could not derive, is not a symbol.
    public var symbols: [String] {
        var seen: [String] = []
        for v in values {
            for s in v.type.shape.symbols where s != "?" && !seen.contains(s) { seen.append(s) }
        }
        return seen
    }

    /// A copy with the symbols in `bindings` replaced by their sizes on every input,
    /// parameter and constant, and every intermediate type re-inferred in node order.
    ///
    /// Shape nodes whose input becomes static are evaluated on the fly, so that a
    /// `Shape -> Reshape` chain specializes too. Throws when a binding names no symbol of
    /// the graph, a size is not positive, or inference fails (the error names the node).
    public func specialized(_ bindings: [String: Int]) throws -> Graph {
        let known = Set(symbols)
        for (symbol, size) in bindings.sorted(by: { $0.key < $1.key }) {
            guard known.contains(symbol) else {
                throw SpecializeError("binding '\(symbol)' names no symbol of graph \(name) (symbols: \(symbols.joined(separator: ", ")))")
            }
            guard size > 0 else { throw SpecializeError("binding \(symbol)=\(size) must be positive") }
        }
        var g = self
        for i in g.values.indices where g.values[i].role != .intermediate {
            g.values[i].type.shape = g.values[i].type.shape.binding(bindings)
        }
        // Contents known at specialization time, beyond parameter and constant data.
        var computed: [Int: Tensor] = [:]
        for (i, n) in g.nodes.enumerated() {
            let label = n.name.isEmpty ? "node #\(i)" : n.name
            var types: [TensorType?] = []
            var constants: [Tensor?] = []
            for maybe in n.inputs {
                guard let v = maybe else { types.append(nil); constants.append(nil); continue }
                guard g.isValidValue(v) else { throw SpecializeError("\(label): input \(v) is not a value of the graph") }
                types.append(g.values[v.index].type)
                constants.append(g.values[v.index].data ?? computed[v.index])
            }
            let inferred: [TensorType]
            do {
                inferred = try n.op.inferOutputTypes(InferenceContext(inputs: types, constants: constants,
                                                                      attributes: n.attributes))
            } catch let e as ShapeError {
                throw SpecializeError("\(label): \(e.message)")
            }
            guard n.outputs.count <= inferred.count else {
                throw SpecializeError("\(label): \(n.op.rawValue) infers \(inferred.count) outputs but the node has \(n.outputs.count)")
            }
            for (k, out) in n.outputs.enumerated() {
                guard g.isValidValue(out) else { throw SpecializeError("\(label): output \(out) is not a value of the graph") }
                g.values[out.index].type = inferred[k]
            }
            if n.op == .shape, let out = n.outputs.first, let t = types.first ?? nil,
               let dims = t.shape.staticDims {
                let r = dims.count
                func clamp(_ i: Int) -> Int { min(max(i < 0 ? i + r : i, 0), r) }
                let start = clamp(n.attributes.int("start") ?? 0), end = clamp(n.attributes.int("end") ?? r)
                computed[out.index] = .int64Vector(start < end ? Array(dims[start..<end]) : [])
            }
        }
        return g
    }
}

/// The textual form of a graph: one line per declaration or node, parsed back by
/// `Graph.parse(text:)`.
///
/// ```
/// graph tiny {
///   input %x : f32[N,3,8,8]
///   param %conv/kernel : f32[4,3,3,3] trainable
///   param %bn/moving_mean : f32[4] frozen
///   const %shape : i64[2] = [0,-1]
///   %conv = Conv(%x, %conv/kernel, _) {pads=[1,1,1,1], strides=[1,1]} : f32[N,4,8,8]
///   %y, %y:1 = MaxPool(%conv) {kernel_shape=[2,2]} : f32[N,4,4,4], i64[N,4,4,4] @"pool node"
///   output %y
/// }
/// ```
///
/// Rules (see `TextSyntax` for names and numbers):
/// - Lines come in value-id order: a declaration (`input`, `param`, `const`) where its
///   value sits, a node where its first output sits; so a graph whose node outputs are
///   numbered in node order (every graph the builder or `compacted()` makes) parses back
///   equal (`==`), and any parsed graph prints back identically. `output` lines come last,
///   in the order of `graph.outputs`.
/// - Parameters print their structure only (`trainable` or `frozen`), never their data.
///   Constants print their data inline after `=` as a flat list in row-major order; when
///   the data's type differs from the declared type it is written `tensor<T>[...]`.
///   The `trainable` flag is kept only for parameters.
/// - A node line lists its outputs, `=`, the op, its operands in parentheses (an omitted
///   optional operand is `_`), its attributes in braces sorted by key, `:` and one type
///   per output. The node name follows as `@name` only when it differs from the name of
///   the first output (always for a node without outputs, whose line starts at the op).
/// - Attribute values: `3` (int), `0.5` (float), `"SAME_UPPER"` (string), `[1,2]` (ints),
///   `[0.5,1.0]` (floats), `["a","b"]` (strings), `tensor<i64[2]>[0,-1]` (tensor). Empty
///   lists carry their kind: `ints[]`, `floats[]`, `strings[]`.
/// - Tensor elements: integers, floats as above, `true`/`false` for bool.
/// - Whitespace and line breaks are free and `#` starts a comment, but `:` is a name
///   character (`%y:1`), so a type colon needs a space before it: `%x : f32[2]`.
extension Graph {
    /// The graph in the text format (ends with a newline).
    public var textDescription: String {
        var lines = ["graph \(TextSyntax.name(name)) {"]
        var printedNode = Array(repeating: false, count: nodes.count)
        var firstOutputOwner: [Int: Int] = [:]  // value index -> node index
        var produced = Set<Int>()
        for (i, n) in nodes.enumerated() {
            for v in n.outputs { produced.insert(v.index) }
            if let first = n.outputs.first, firstOutputOwner[first.index] == nil { firstOutputOwner[first.index] = i }
        }
        // Nodes stay in node order: reaching a node's first output prints every earlier
        // node not yet printed as well (only relevant for unusually numbered graphs).
        var nextNode = 0
        func printNodes(through last: Int) {
            while nextNode <= last {
                if !printedNode[nextNode] { lines.append("  " + nodeLine(nextNode)); printedNode[nextNode] = true }
                nextNode += 1
            }
        }
        for (i, v) in values.enumerated() {
            if v.role == .intermediate {
                if let owner = firstOutputOwner[i] {
                    printNodes(through: owner)
                } else if !produced.contains(i) {
                    // Invalid, but worth seeing when debugging: a comment the parser skips.
                    lines.append("  # orphan intermediate %\(TextSyntax.name(v.name)) : \(Self.typeText(v.type))")
                }
            } else {
                lines.append("  " + declarationLine(v))
            }
        }
        printNodes(through: nodes.count - 1)
        for v in outputs { lines.append("  output " + reference(v)) }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    /// `%name`, quoted when needed; an id outside the graph prints as `%"<invalid v12>"`
    /// (which the parser then rejects as undefined) instead of crashing.
    func reference(_ v: ValueID) -> String {
        guard isValidValue(v) else { return "%" + TextSyntax.quoted("<invalid \(v)>") }
        return "%" + TextSyntax.name(values[v.index].name)
    }

    static func typeText(_ t: TensorType) -> String {
        t.dtype.rawValue + "[" + t.shape.dims.map { d -> String in
            switch d {
            case .known(let n): return String(n)
            case .symbolic(let s): return s == "?" ? "?" : TextSyntax.name(s)
            }
        }.joined(separator: ",") + "]"
    }

    private func declarationLine(_ v: Value) -> String {
        let head = "%" + TextSyntax.name(v.name) + " : " + Self.typeText(v.type)
        switch v.role {
        case .input: return "input " + head
        case .parameter: return "param " + head + (v.trainable ? " trainable" : " frozen")
        case .constant, .intermediate:
            guard let data = v.data else { return "const " + head }
            let literal = data.type == v.type ? Self.elementsText(data) : Self.tensorText(data)
            return "const " + head + " = " + literal
        }
    }

    private func nodeLine(_ i: Int) -> String {
        let n = nodes[i]
        var line = ""
        if !n.outputs.isEmpty { line += n.outputs.map(reference).joined(separator: ", ") + " = " }
        line += n.op.rawValue + "(" + n.inputs.map { $0.map(reference) ?? "_" }.joined(separator: ", ") + ")"
        if !n.attributes.isEmpty {
            line += " {" + n.attributes.map { TextSyntax.name($0.key) + "=" + Self.attributeText($0.value) }
                .joined(separator: ", ") + "}"
        }
        if !n.outputs.isEmpty {
            line += " : " + n.outputs.map { isValidValue($0) ? Self.typeText(values[$0.index].type) : "?" }
                .joined(separator: ", ")
        }
        let firstName = n.outputs.first.flatMap { isValidValue($0) ? values[$0.index].name : nil }
        if firstName != n.name { line += " @" + TextSyntax.name(n.name) }
        return line
    }

    static func attributeText(_ a: AttributeValue) -> String {
        switch a {
        case .int(let v): return String(v)
        case .float(let v): return TextSyntax.float(v)
        case .string(let s): return TextSyntax.quoted(s)
        case .ints(let v): return (v.isEmpty ? "ints" : "") + "[" + v.map(String.init).joined(separator: ",") + "]"
        case .floats(let v): return (v.isEmpty ? "floats" : "") + "[" + v.map(TextSyntax.float).joined(separator: ",") + "]"
        case .strings(let v): return (v.isEmpty ? "strings" : "") + "[" + v.map(TextSyntax.quoted).joined(separator: ",") + "]"
        case .tensor(let t): return tensorText(t)
        }
    }

    /// `tensor<i64[2]>[0,-1]`.
    static func tensorText(_ t: Tensor) -> String {
        "tensor<" + typeText(t.type) + ">" + elementsText(t)
    }

    /// The elements as a flat bracketed list in row-major order.
    static func elementsText(_ t: Tensor) -> String {
        let items: [String]
        switch t.storage {
        case .float32(let a): items = a.map(TextSyntax.float)
        case .float64(let a): items = a.map(TextSyntax.double)
        case .int64(let a): items = a.map { String($0) }
        case .int32(let a): items = a.map { String($0) }
        case .uint8(let a): items = a.map { String($0) }
        case .bool(let a): items = a.map { $0 ? "true" : "false" }
        }
        return "[" + items.joined(separator: ",") + "]"
    }
}

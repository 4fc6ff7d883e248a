import GraphIR

/// Turns a `Graph` into the XML element tree and, when weights are kept, the bytes of the
/// sidecar weight file. It refuses graphs that the reader would reject (dangling ids,
/// duplicate names, unknown attributes, data that does not match its value) so that
/// whatever is written reads back.
struct XMLGraphEncoder {
    /// Constants with at most this many elements are written inline even when a weight
    /// file is used: shape operands stay readable in the XML.
    static let inlineConstantLimit = 64

    /// The file being written, for messages.
    let file: String
    /// The sidecar's name relative to the XML file, or nil for a structure-only document.
    let weightsFileName: String?

    func fail(_ message: String) -> GraphStoreError {
        GraphStoreError(.unrepresentable, file: file, "cannot store graph: \(message)")
    }

    func encode(_ graph: Graph) throws -> (root: XMLTreeElement, weights: [UInt8]?) {
        try check(graph)
        var root = XMLTreeElement("graph")
        root.set("name", graph.name)
        root.set("format-version", "1")

        var writer = weightsFileName.map { _ in WeightFileWriter() }
        var values = XMLTreeElement("values")
        for v in graph.values { values.children.append(encodeValue(v, writer: &writer)) }
        var nodes = XMLTreeElement("nodes")
        for n in graph.nodes { nodes.children.append(encodeNode(n, in: graph)) }

        let sidecar = writer.flatMap { $0.bytes.count > WeightFile.headerSize ? $0.bytes : nil }
        if sidecar != nil, let weightsFileName { root.set("weights", weightsFileName) }
        root.children = [
            refs("inputs", "input", graph.inputs, in: graph),
            values,
            nodes,
            refs("outputs", "output", graph.outputs, in: graph),
        ]
        return (root, sidecar)
    }

    private func refs(_ section: String, _ element: String, _ ids: [ValueID], in graph: Graph) -> XMLTreeElement {
        XMLTreeElement(section, children: ids.map { XMLTreeElement(element, attributes: [("ref", graph[$0].name)]) })
    }

    private func encodeValue(_ v: Value, writer: inout WeightFileWriter?) -> XMLTreeElement {
        var e = XMLTreeElement("value")
        e.set("name", v.name)
        e.set("dtype", v.type.dtype.rawValue)
        e.set("shape", XMLTextCoding.format(v.type.shape))
        e.set("role", v.role.rawValue)
        if v.role == .parameter || v.trainable { e.set("trainable", v.trainable ? "true" : "false") }
        guard let data = v.data else { return e }
        switch v.role {
        case .parameter where writer == nil:
            break  // structure only: parameters keep their types, not their values
        case .constant where writer == nil || data.elementCount <= Self.inlineConstantLimit:
            e.children.append(Self.inlineTensor(data))
        default:
            guard let entry = writer?.append(data) else { break }
            e.children.append(XMLTreeElement("data", attributes: [
                ("offset", String(entry.offset)), ("length", String(entry.length)),
                ("dtype", data.dtype.rawValue), ("shape", XMLTextCoding.format(Shape(data.shape))),
                ("checksum", entry.checksum),
            ]))
        }
        return e
    }

    static func inlineTensor(_ t: Tensor) -> XMLTreeElement {
        XMLTreeElement("tensor", attributes: [("dtype", t.dtype.rawValue), ("shape", XMLTextCoding.format(Shape(t.shape)))],
                       text: XMLTextCoding.elementText(t))
    }

    private func encodeNode(_ n: Node, in graph: Graph) -> XMLTreeElement {
        var e = XMLTreeElement("node")
        e.set("name", n.name)
        e.set("op", n.op.rawValue)
        for input in n.inputs {
            // An omitted optional operand keeps its position as an empty <input/>.
            e.children.append(XMLTreeElement("input", attributes: input.map { [("ref", graph[$0].name)] } ?? []))
        }
        for output in n.outputs {
            e.children.append(XMLTreeElement("output", attributes: [("ref", graph[output].name)]))
        }
        for (key, value) in n.attributes { e.children.append(Self.encodeAttribute(key, value)) }
        return e
    }

    private static func encodeAttribute(_ key: String, _ value: AttributeValue) -> XMLTreeElement {
        var e = XMLTreeElement("attribute", attributes: [("name", key), ("kind", value.kindName)])
        switch value {
        case .int(let v): e.set("value", String(v))
        case .float(let v): e.set("value", XMLTextCoding.format(v))
        case .string(let v): e.set("value", v)
        case .ints(let v): e.set("value", v.map(String.init).joined(separator: ","))
        case .floats(let v): e.set("value", v.map { XMLTextCoding.format($0) }.joined(separator: ","))
        case .strings(let v): e.children = v.map { XMLTreeElement("item", attributes: [("value", $0)]) }
        case .tensor(let t): e.children = [inlineTensor(t)]
        }
        return e
    }
}

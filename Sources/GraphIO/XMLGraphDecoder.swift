import Foundation
import GraphIR

/// Turns a parsed XML document into a `Graph`, checking everything a reader can check:
/// element and attribute names, references, duplicates, roles, topological order, weight
/// data (bounds, lengths, checksums) and, node by node, the stored types against shape
/// inference. It either returns a complete, consistent graph or throws.
struct XMLGraphDecoder {
    /// The XML file's name, for messages.
    let file: String
    /// Resolves the root's `weights` attribute to a URL; nil when there is no file to read.
    let resolveWeights: (String) -> URL?

    // Decoding state; the `+Nodes` extension reads and extends it.
    var graph = Graph(name: "")
    var valueByName: [String: ValueID] = [:]
    var valueElements: [XMLTreeElement] = []
    var nodeElements: [XMLTreeElement] = []
    var weights: WeightFileReader?

    init(file: String, resolveWeights: @escaping (String) -> URL?) {
        self.file = file
        self.resolveWeights = resolveWeights
    }

    // MARK: Errors

    func fail(_ kind: GraphStoreError.Kind, _ element: XMLTreeElement, _ message: String) -> GraphStoreError {
        GraphStoreError(kind, file: file, line: element.line > 0 ? element.line : nil,
                        element: element.summary, message)
    }

    /// Runs a field parser, attaching the element to its error.
    func field<T>(_ element: XMLTreeElement, _ parse: () throws(XMLFieldError) -> T) throws -> T {
        do { return try parse() } catch { throw fail(error.kind, element, error.message) }
    }

    func checkAttributes(_ element: XMLTreeElement, allowed: Set<String>) throws {
        for (name, _) in element.attributes where !allowed.contains(name) {
            throw fail(.unknownXMLAttribute, element,
                       "unknown XML attribute '\(name)' on <\(element.name)> (allowed: \(allowed.sorted().joined(separator: ", ")))")
        }
    }

    func checkChildren(_ element: XMLTreeElement, allowed: Set<String>) throws {
        for child in element.children where !allowed.contains(child.name) {
            let expected = allowed.isEmpty ? "no child elements" : allowed.sorted().map { "<\($0)>" }.joined(separator: ", ")
            throw fail(.unknownElement, child, "unknown element <\(child.name)> inside <\(element.name)> (expected \(expected))")
        }
    }

    func required(_ element: XMLTreeElement, _ key: String) throws -> String {
        guard let v = element.attribute(key) else {
            throw fail(.missingXMLAttribute, element, "<\(element.name)> needs a '\(key)' attribute")
        }
        return v
    }

    func lookup(_ name: String, in element: XMLTreeElement, what: String) throws -> ValueID {
        guard let id = valueByName[name] else {
            throw fail(.undefinedReference, element, "\(what) refers to undefined value '\(name)'")
        }
        return id
    }

    // MARK: Document

    mutating func decode(_ root: XMLTreeElement) throws -> Graph {
        guard root.name == "graph" else {
            throw fail(.unknownElement, root, "the root element must be <graph>, found <\(root.name)>")
        }
        try checkAttributes(root, allowed: ["name", "format-version", "weights"])
        let version = try required(root, "format-version")
        guard version == "1" else {
            throw fail(.unsupportedVersion, root, "unsupported format-version '\(version)' (this reader knows 1)")
        }
        graph = Graph(name: try required(root, "name"))
        try checkChildren(root, allowed: ["inputs", "values", "nodes", "outputs"])
        var sections: [String: XMLTreeElement] = [:]
        for child in root.children {
            if let first = sections[child.name] {
                throw fail(.duplicateName, child, "second <\(child.name)> section (the first is on line \(first.line))")
            }
            sections[child.name] = child
        }
        if let weightsName = root.attribute("weights") {
            try openWeights(weightsName, root: root)
        }

        try decodeValues(sections["values"])
        try decodeNodes(sections["nodes"])
        try checkProducers()
        graph.inputs = try decodeRefs(sections["inputs"], element: "input", role: .input)
        graph.outputs = try decodeRefs(sections["outputs"], element: "output", role: nil)
        try checkInferredTypes()
        return graph
    }

    private mutating func openWeights(_ name: String, root: XMLTreeElement) throws {
        guard !name.isEmpty, !name.hasPrefix("/") else {
            throw fail(.invalidValue, root, "weights must name a file relative to the XML file, found '\(name)'")
        }
        guard let url = resolveWeights(name) else {
            throw fail(.missingWeightFile, root, "the graph refers to weights file '\(name)' but no weights location was given")
        }
        weights = try WeightFileReader(url: url, referencedFrom: file, line: root.line > 0 ? root.line : nil)
    }

    // MARK: Values

    private mutating func decodeValues(_ section: XMLTreeElement?) throws {
        guard let section else { return }
        try checkAttributes(section, allowed: [])
        try checkChildren(section, allowed: ["value"])
        for element in section.children {
            let value = try decodeValue(element)
            if let previous = valueByName[value.name] {
                throw fail(.duplicateName, element,
                           "duplicate value name '\(value.name)' (first defined on line \(valueElements[previous.index].line))")
            }
            valueByName[value.name] = graph.addValue(value)
            valueElements.append(element)
        }
    }

    private func decodeValue(_ element: XMLTreeElement) throws -> Value {
        try checkAttributes(element, allowed: ["name", "dtype", "shape", "role", "trainable"])
        try checkChildren(element, allowed: ["data", "tensor"])
        let name = try required(element, "name")
        guard !name.isEmpty else { throw fail(.invalidValue, element, "value names must not be empty") }
        let dtypeText = try required(element, "dtype"), shapeText = try required(element, "shape")
        let type = TensorType(try field(element) { () throws(XMLFieldError) in try XMLTextCoding.parseDType(dtypeText) },
                              try field(element) { () throws(XMLFieldError) in try XMLTextCoding.parseShape(shapeText) })
        let roleText = try required(element, "role")
        guard let role = ValueRole(rawValue: roleText) else {
            throw fail(.invalidValue, element, "unknown role '\(roleText)' (expected input, parameter, constant or intermediate)")
        }
        var trainable = false
        switch element.attribute("trainable") {
        case nil, "false"?: trainable = false
        case "true"?: trainable = true
        case let other?: throw fail(.invalidValue, element, "trainable must be true or false, found '\(other)'")
        }
        guard element.children.count <= 1 else {
            throw fail(.unknownElement, element.children[1], "a value holds at most one <data> or <tensor>")
        }
        var data: Tensor? = nil
        if let content = element.children.first {
            guard role == .parameter || role == .constant else {
                throw fail(.inconsistentGraph, element, "\(role.rawValue) value '\(name)' cannot carry data")
            }
            data = content.name == "data" ? try readData(content, valueName: name) : try inlineTensor(content)
            if let data, data.type != type {
                throw fail(.typeMismatch, content, "data of '\(name)' is \(data.type) but the value is declared \(type)")
            }
        }
        return Value(name: name, type: type, role: role, trainable: trainable, data: data)
    }

    /// `<tensor dtype= shape=>1,2,3</tensor>`: small tensors written in the XML itself.
    func inlineTensor(_ element: XMLTreeElement) throws -> Tensor {
        try checkAttributes(element, allowed: ["dtype", "shape"])
        try checkChildren(element, allowed: [])
        let dtypeText = try required(element, "dtype"), shapeText = try required(element, "shape")
        return try field(element) { () throws(XMLFieldError) in
            let dtype = try XMLTextCoding.parseDType(dtypeText)
            let shape = try XMLTextCoding.parseStaticShape(shapeText)
            return try XMLTextCoding.parseTensor(dtype: dtype, shape: shape, text: element.text)
        }
    }

    /// `<data offset= length= dtype= shape= checksum=/>`: a tensor in the weight file.
    private func readData(_ element: XMLTreeElement, valueName: String) throws -> Tensor {
        try checkAttributes(element, allowed: ["offset", "length", "dtype", "shape", "checksum"])
        try checkChildren(element, allowed: [])
        let texts = try ["offset", "length", "dtype", "shape", "checksum"].map { try required(element, $0) }
        let offset = try field(element) { () throws(XMLFieldError) in try XMLTextCoding.parseInt(texts[0]) }
        let length = try field(element) { () throws(XMLFieldError) in try XMLTextCoding.parseInt(texts[1]) }
        let dtype = try field(element) { () throws(XMLFieldError) in try XMLTextCoding.parseDType(texts[2]) }
        let shape = try field(element) { () throws(XMLFieldError) in try XMLTextCoding.parseStaticShape(texts[3]) }
        guard offset >= 0, length >= 0 else {
            throw fail(.invalidValue, element, "offset and length must not be negative")
        }
        guard texts[4].lowercased().hasPrefix("crc32c:") else {
            throw fail(.invalidValue, element, "unsupported checksum '\(texts[4])' (expected crc32c:xxxxxxxx)")
        }
        guard let weights else {
            throw fail(.missingWeightFile, element, "<data> for '\(valueName)' needs a weights file, but <graph> has no weights attribute")
        }
        do {
            return try weights.tensor(for: valueName, at: WeightFileEntry(offset: offset, length: length, checksum: texts[4]),
                                      dtype: dtype, shape: shape)
        } catch var error as GraphStoreError {
            if element.line > 0 { error.message += " (declared at \(file):\(element.line))" }
            throw error
        }
    }

    // MARK: Inputs and outputs

    private func decodeRefs(_ section: XMLTreeElement?, element name: String, role: ValueRole?) throws -> [ValueID] {
        guard let section else { return [] }
        try checkAttributes(section, allowed: [])
        try checkChildren(section, allowed: [name])
        var ids: [ValueID] = []
        for element in section.children {
            try checkAttributes(element, allowed: ["ref"])
            try checkChildren(element, allowed: [])
            let id = try lookup(try required(element, "ref"), in: element, what: "graph \(name)")
            if let role, graph[id].role != role {
                throw fail(.inconsistentGraph, element,
                           "graph \(name) '\(graph[id].name)' has role \(graph[id].role.rawValue), expected \(role.rawValue)")
            }
            if role == .input, ids.contains(id) {
                throw fail(.duplicateName, element, "'\(graph[id].name)' is listed twice as a graph input")
            }
            ids.append(id)
        }
        return ids
    }
}

import CLibXML2

/// Collects libxml2's structured errors instead of letting it print them to stderr.
private final class XMLErrorCollector {
    var first: (message: String, line: Int)?

    func record(message: String, line: Int) {
        if first == nil { first = (message, line) }
    }
}

/// One-time library initialization; libxml2 asks for it before use from several threads.
private let libxmlInitialized: Bool = {
    xmlInitParser()
    return true
}()

extension XMLTreeElement {
    /// Parses an XML document with libxml2 (no network access, no external entities) and
    /// returns its root element. `fileName` names the document in error messages.
    static func parse(_ bytes: UnsafeRawBufferPointer, fileName: String) throws -> XMLTreeElement {
        _ = libxmlInitialized
        guard let base = bytes.baseAddress, bytes.count > 0 else {
            throw GraphStoreError(.malformedXML, file: fileName, "malformed XML: the document is empty")
        }
        guard bytes.count <= Int(Int32.max) else {
            throw GraphStoreError(.malformedXML, file: fileName, "the document is larger than 2 GiB")
        }

        // libxml2 keeps the handler per thread; parsing is synchronous, so installing it
        // for the duration of this call captures exactly this document's errors.
        let collector = XMLErrorCollector()
        xmlSetStructuredErrorFunc(Unmanaged.passUnretained(collector).toOpaque()) { userData, error in
            guard let userData, let error else { return }
            guard error.pointee.level.rawValue >= XML_ERR_ERROR.rawValue else { return }
            let message = error.pointee.message.map { String(cString: $0) } ?? "unknown error"
            Unmanaged<XMLErrorCollector>.fromOpaque(userData).takeUnretainedValue()
                .record(message: message.trimmingWhitespace, line: Int(error.pointee.line))
        }
        defer { xmlSetStructuredErrorFunc(nil, nil) }

        let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_BIG_LINES.rawValue)
        let doc = withExtendedLifetime(collector) {
            xmlReadMemory(base.assumingMemoryBound(to: CChar.self), Int32(bytes.count), fileName, nil, options)
        }
        guard let doc else {
            let fault = collector.first ?? (lastLibXMLErrorMessage() ?? "unknown error", 0)
            throw GraphStoreError(.malformedXML, file: fileName, line: fault.line > 0 ? fault.line : nil,
                                  "malformed XML: \(fault.message)")
        }
        defer { xmlFreeDoc(doc) }
        if let fault = collector.first {
            // A recoverable error still means the file is not well-formed as written.
            throw GraphStoreError(.malformedXML, file: fileName, line: fault.line > 0 ? fault.line : nil,
                                  "malformed XML: \(fault.message)")
        }
        guard let root = xmlDocGetRootElement(doc) else {
            throw GraphStoreError(.malformedXML, file: fileName, "malformed XML: no root element")
        }
        return try convert(root, fileName: fileName)
    }

    private static func lastLibXMLErrorMessage() -> String? {
        guard let e = xmlGetLastError(), let m = e.pointee.message else { return nil }
        return String(cString: m).trimmingWhitespace
    }

    private static func convert(_ node: xmlNodePtr, fileName: String) throws -> XMLTreeElement {
        let line = Int(xmlGetLineNo(node))
        var element = XMLTreeElement(String(cString: node.pointee.name), line: line)
        var attr = node.pointee.properties
        while let a = attr {
            element.attributes.append((String(cString: a.pointee.name),
                                       try textContent(a.pointee.children, of: element, fileName: fileName)))
            attr = a.pointee.next
        }
        var child = node.pointee.children
        while let c = child {
            switch c.pointee.type {
            case XML_ELEMENT_NODE:
                element.children.append(try convert(c, fileName: fileName))
            case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
                if let content = c.pointee.content { element.text += String(cString: content) }
            case XML_ENTITY_REF_NODE:
                throw GraphStoreError(.malformedXML, file: fileName, line: line, element: element.summary,
                                      "entity references are not supported")
            default:
                break  // comments and processing instructions carry no graph content
            }
            child = c.pointee.next
        }
        return element
    }

    /// The text of an attribute's value nodes. libxml2 substitutes character and
    /// predefined entity references itself; user-defined entities are refused.
    private static func textContent(_ first: xmlNodePtr?, of element: XMLTreeElement,
                                    fileName: String) throws -> String {
        var out = ""
        var node = first
        while let n = node {
            guard n.pointee.type == XML_TEXT_NODE else {
                throw GraphStoreError(.malformedXML, file: fileName, line: element.line, element: element.summary,
                                      "entity references are not supported in attribute values")
            }
            if let content = n.pointee.content { out += String(cString: content) }
            node = n.pointee.next
        }
        return out
    }

    /// Serializes this element as an indented UTF-8 document. libxml2 escapes attribute
    /// values and text (including newlines and tabs in attributes), so any string that
    /// `isXMLRepresentable` accepts reads back unchanged.
    func serializedDocument() -> [UInt8] {
        _ = libxmlInitialized
        let doc = xmlNewDoc("1.0")
        defer { xmlFreeDoc(doc) }
        let root = makeNode(in: doc)
        xmlDocSetRootElement(doc, root)
        let buffer = xmlBufferCreate()
        defer { xmlBufferFree(buffer) }
        xmlNodeDump(buffer, doc, root, 0, 1)
        var out = Array("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n".utf8)
        if let content = xmlBufferContent(buffer) {
            out += UnsafeBufferPointer(start: content, count: Int(xmlBufferLength(buffer)))
        }
        out.append(UInt8(ascii: "\n"))
        return out
    }

    private func makeNode(in doc: xmlDocPtr?) -> xmlNodePtr? {
        let node = xmlNewDocNode(doc, nil, name, nil)
        for (key, value) in attributes { xmlNewProp(node, key, value) }
        if !text.isEmpty { xmlNodeAddContent(node, text) }
        for child in children { xmlAddChild(node, child.makeNode(in: doc)) }
        return node
    }
}

extension String {
    var trimmingWhitespace: String {
        var s = Substring(self)
        while let c = s.first, c.isWhitespace { s.removeFirst() }
        while let c = s.last, c.isWhitespace { s.removeLast() }
        return String(s)
    }
}

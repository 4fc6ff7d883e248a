/// An XML element detached from libxml2: the graph decoder and encoder work on these
/// plain values, and only `XMLTree+LibXML.swift` touches the C library.
struct XMLTreeElement: Equatable {
    var name: String
    /// 1-based line in the source document (0 for elements built in memory).
    var line: Int
    /// Attributes in document order.
    var attributes: [(name: String, value: String)]
    var children: [XMLTreeElement]
    /// The element's own text and CDATA content, concatenated (whitespace included).
    var text: String

    init(_ name: String, line: Int = 0, attributes: [(name: String, value: String)] = [],
         children: [XMLTreeElement] = [], text: String = "") {
        self.name = name
        self.line = line
        self.attributes = attributes
        self.children = children
        self.text = text
    }

    /// The value of an attribute, or nil when it is absent.
    func attribute(_ key: String) -> String? {
        attributes.first { $0.name == key }?.value
    }

    /// Adds an attribute (builder style, for the encoder).
    mutating func set(_ key: String, _ value: String) {
        attributes.append((key, value))
    }

    /// A short rendering for error messages: `<value name="conv1/kernel">`.
    var summary: String {
        for key in ["name", "ref"] {
            if let v = attribute(key) { return "<\(name) \(key)=\"\(v)\">" }
        }
        return "<\(name)>"
    }

    static func == (a: XMLTreeElement, b: XMLTreeElement) -> Bool {
        a.name == b.name && a.line == b.line && a.children == b.children && a.text == b.text
            && a.attributes.map(\.name) == b.attributes.map(\.name)
            && a.attributes.map(\.value) == b.attributes.map(\.value)
    }
}

/// True when every character of `s` may appear in an XML 1.0 document (escaped or not).
/// Control characters other than tab, newline and carriage return cannot.
func isXMLRepresentable(_ s: String) -> Bool {
    s.unicodeScalars.allSatisfy { c in
        switch c.value {
        case 0x9, 0xA, 0xD, 0x20...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF: return true
        default: return false
        }
    }
}

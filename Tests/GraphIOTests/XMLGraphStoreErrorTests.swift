import Foundation
import Testing
import GraphIR
@testable import GraphIO

/// The test net written to a temporary folder, with helpers to damage it.
struct StoredXMLNet {
    let folder: XMLTempFolder
    let xmlURL: URL
    let weightsURL: URL

    init() throws {
        folder = try XMLTempFolder()
        xmlURL = folder.file("net.xml")
        weightsURL = folder.file("net.weights")
        try GraphStore.write(try makeXMLTestNet(), to: xmlURL)
    }

    var xml: String { get throws { try String(contentsOf: xmlURL, encoding: .utf8) } }

    /// Replaces the first occurrence of `old` in the XML and returns the 1-based line
    /// of the replacement.
    @discardableResult
    func editXML(_ old: String, _ new: String) throws -> Int {
        let text = try xml
        let range = try #require(text.range(of: old), "'\(old)' not in the XML")
        try text.replacingCharacters(in: range, with: new).write(to: xmlURL, atomically: true, encoding: .utf8)
        return text[..<range.lowerBound].filter { $0 == "\n" }.count + 1
    }

    func editWeights(_ change: (inout [UInt8]) -> Void) throws {
        var bytes = [UInt8](try Data(contentsOf: weightsURL))
        change(&bytes)
        try Data(bytes).write(to: weightsURL)
    }

    /// Reading must fail with a `GraphStoreError`; returns it.
    func readError() throws -> GraphStoreError {
        try #require(throws: GraphStoreError.self) { try GraphStore.read(from: xmlURL) }
    }
}

@Suite("XML graph store: damaged files are reported, never half-read")
struct XMLGraphStoreErrorTests {
    @Test("A truncated weights file names the file, the offset, the parameter and the size")
    func truncatedWeights() throws {
        let net = try StoredXMLNet()
        defer { net.folder.remove() }
        var size = 0
        try net.editWeights { bytes in
            bytes.removeLast(10)
            size = bytes.count
        }
        let error = try net.readError()
        #expect(error.kind == .truncatedWeightFile)
        #expect(error.file == "net.weights")
        #expect(error.byteOffset == 1664)
        #expect(error.description.hasPrefix(
            "net.weights: expected 16 bytes at offset 1664 for predictions/bias, file has \(size) bytes"))
    }

    @Test("A flipped byte is a checksum mismatch naming the parameter")
    func flippedByte() throws {
        let net = try StoredXMLNet()
        defer { net.folder.remove() }
        try net.editWeights { $0[64 + 100] ^= 0x01 }  // inside conv1_conv/kernel
        let error = try net.readError()
        #expect(error.kind == .checksumMismatch)
        #expect(error.file == "net.weights")
        #expect(error.description.contains("checksum mismatch for conv1_conv/kernel at offset 64"))
    }

    @Test("A weights file with the wrong magic is refused")
    func wrongMagic() throws {
        let net = try StoredXMLNet()
        defer { net.folder.remove() }
        try net.editWeights { $0.replaceSubrange(0..<8, with: Array("PK\u{3}\u{4}ZIPS".utf8)) }
        let error = try net.readError()
        #expect(error.kind == .badWeightHeader)
        #expect(error.description.hasPrefix("net.weights: bad magic 'PK..ZIPS' at offset 0"))
    }

    @Test("A missing weights file is named, with the XML line that refers to it")
    func missingWeights() throws {
        let net = try StoredXMLNet()
        defer { net.folder.remove() }
        try FileManager.default.removeItem(at: net.weightsURL)
        let error = try net.readError()
        #expect(error.kind == .missingWeightFile)
        #expect(error.description.hasPrefix("net.xml:2: <graph>: weights file 'net.weights' does not exist"))
    }

    @Test("Malformed XML reports libxml2's message and the line")
    func malformedXML() throws {
        let net = try StoredXMLNet()
        defer { net.folder.remove() }
        let line = try net.editXML("</nodes>", "</nodez>")
        let error = try net.readError()
        #expect(error.kind == .malformedXML)
        #expect(error.line == line)
        #expect(error.description.hasPrefix("net.xml:\(line): malformed XML: "))
        #expect(error.description.contains("nodez"))
    }

    @Test("An unknown op is named with a suggestion and some valid ops")
    func unknownOp() throws {
        let net = try StoredXMLNet()
        defer { net.folder.remove() }
        let line = try net.editXML(#"op="Gemm""#, #"op="Gemmm""#)
        let error = try net.readError()
        #expect(error.kind == .unknownOp)
        #expect(error.description.hasPrefix(
            "net.xml:\(line): <node name=\"predictions\">: unknown op 'Gemmm' (did you mean 'Gemm'?); valid ops include Conv,"))
    }

    @Test("An attribute the op does not have lists the valid ones")
    func unknownAttribute() throws {
        let net = try StoredXMLNet()
        defer { net.folder.remove() }
        let line = try net.editXML(#"name="epsilon""#, #"name="epsilonn""#)
        let error = try net.readError()
        #expect(error.kind == .unknownAttribute)
        #expect(error.description == "net.xml:\(line): <attribute name=\"epsilonn\">: unknown attribute 'epsilonn' "
                + "for BatchNormalization (valid: epsilon, momentum, training_mode)")
    }

    @Test("An unknown attribute kind is refused")
    func unknownAttributeKind() throws {
        let net = try StoredXMLNet()
        defer { net.folder.remove() }
        let line = try net.editXML(#"kind="float" value="0.1""#, #"kind="double" value="0.1""#)
        let error = try net.readError()
        #expect(error.kind == .unknownAttributeKind)
        #expect(error.line == line)
        #expect(error.description.contains("unknown attribute kind 'double'"))
    }

    @Test("A reference to an undefined value names it")
    func danglingReference() throws {
        let net = try StoredXMLNet()
        defer { net.folder.remove() }
        let line = try net.editXML(#"<input ref="conv2_conv"/>"#, #"<input ref="conv3_conv"/>"#)
        let error = try net.readError()
        #expect(error.kind == .undefinedReference)
        #expect(error.description == "net.xml:\(line): <input ref=\"conv3_conv\">: input of node 'add' refers to undefined value 'conv3_conv'")
    }

    @Test("A duplicate value name points at the first definition")
    func duplicateValue() throws {
        let net = try StoredXMLNet()
        defer { net.folder.remove() }
        let first = try net.editXML(#"<value name="conv1_conv/kernel""#, #"<value name="conv1_conv/kernel""#)
        let line = try net.editXML(#"<value name="conv2_conv/kernel""#, #"<value name="conv1_conv/kernel""#)
        let error = try net.readError()
        #expect(error.kind == .duplicateName)
        #expect(error.description == "net.xml:\(line): <value name=\"conv1_conv/kernel\">: "
                + "duplicate value name 'conv1_conv/kernel' (first defined on line \(first))")
    }

    @Test("A wrong dtype string lists the valid ones")
    func wrongDType() throws {
        let net = try StoredXMLNet()
        defer { net.folder.remove() }
        let line = try net.editXML(#"dtype="f32" shape="N,3,8,8""#, #"dtype="float32" shape="N,3,8,8""#)
        let error = try net.readError()
        #expect(error.kind == .invalidValue)
        #expect(error.description.hasPrefix("net.xml:\(line): <value name=\"image\">: unknown dtype 'float32' (expected one of f32,"))
    }

    @Test("A stored shape that shape inference contradicts names the node")
    func inferredShapeMismatch() throws {
        let net = try StoredXMLNet()
        defer { net.folder.remove() }
        try net.editXML(#"<value name="add" dtype="f32" shape="N,8,8,8""#, #"<value name="add" dtype="f32" shape="N,8,8,9""#)
        let line = try net.xml.components(separatedBy: "\n").firstIndex { $0.contains(#"<node name="add""#) }! + 1
        let error = try net.readError()
        #expect(error.kind == .typeMismatch)
        #expect(error.description == "net.xml:\(line): <node name=\"add\">: node 'add' (Add): output 'add' is stored as "
                + "f32[N,8,8,9] but shape inference gives f32[N,8,8,8]")
    }

    @Test("A parameter whose declared shape disagrees with its data is refused")
    func parameterShapeMismatch() throws {
        let net = try StoredXMLNet()
        defer { net.folder.remove() }
        let line = try net.editXML(#"shape="8,4" role="parameter""#, #"shape="4,8" role="parameter""#)
        let error = try net.readError()
        #expect(error.kind == .typeMismatch)
        #expect(error.description == "net.xml:\(line + 1): <data>: data of 'predictions/kernel' is f32[8,4] "
                + "but the value is declared f32[4,8]")
    }

    @Test("A data length that does not fit dtype and shape is refused with its offset")
    func dataLengthMismatch() throws {
        let net = try StoredXMLNet()
        defer { net.folder.remove() }
        try net.editXML(#"offset="1536" length="128""#, #"offset="1536" length="120""#)
        let error = try net.readError()
        #expect(error.kind == .typeMismatch)
        #expect(error.byteOffset == 1536)
        #expect(error.description.hasPrefix("net.weights: predictions/kernel: data length 120 at offset 1536 does not match f32[8,4] (128 bytes)"))
    }

    @Test("A node that reads a value before it is computed is out of order")
    func outOfOrder() throws {
        let net = try StoredXMLNet()
        defer { net.folder.remove() }
        // Six spaces: the node's input, not the graph input list above it.
        let line = try net.editXML(#"      <input ref="image"/>"#, #"      <input ref="conv1_relu"/>"#)
        let error = try net.readError()
        #expect(error.kind == .inconsistentGraph)
        #expect(error.description == "net.xml:\(line): <input ref=\"conv1_relu\">: node 'pad' reads 'conv1_relu' "
                + "before any node computes it (nodes must be in topological order)")
    }

    @Test("Unknown elements and XML attributes are refused, not ignored")
    func unknownElementAndAttribute() throws {
        let net = try StoredXMLNet()
        defer { net.folder.remove() }
        let line = try net.editXML("<nodes>", "<nodes>\n<bogus/>")
        let error = try net.readError()
        #expect(error.kind == .unknownElement)
        #expect(error.description == "net.xml:\(line + 1): <bogus>: unknown element <bogus> inside <nodes> (expected <node>)")

        let other = try StoredXMLNet()

        defer { other.folder.remove() }
        try other.editXML(#"role="input""#, #"role="input" shpae="1""#)
        #expect(try other.readError().kind == .unknownXMLAttribute)
    }

    @Test("Truncated documents fail cleanly, with a line number", arguments: [0.1, 0.3, 0.5, 0.7, 0.9, 0.99])
    func truncatedXML(fraction: Double) throws {
        let xml = try GraphStore.xmlString(try makeXMLTestNet(weights: .none))
        let cut = String(xml.prefix(Int(Double(xml.count) * fraction)))
        let error = try #require(throws: GraphStoreError.self) { try GraphStore.parse(xml: cut, sourceName: "cut.xml") }
        #expect(error.kind == .malformedXML)
        #expect(error.file == "cut.xml")
        #expect(error.line != nil)
    }

    @Test("A missing graph file is an I/O error naming it")
    func missingXML() throws {
        let folder = try XMLTempFolder()
        defer { folder.remove() }
        let error = try #require(throws: GraphStoreError.self) { try GraphStore.read(from: folder.file("nothing.xml")) }
        #expect(error.kind == .io)
        #expect(error.description.hasPrefix("nothing.xml: cannot read graph file"))
    }

    @Test("External entities are not fetched and entity references are refused")
    func noEntities() throws {
        let xml = """
            <?xml version="1.0"?>
            <!DOCTYPE graph [<!ENTITY e SYSTEM "http://example.invalid/x">]>
            <graph name="&e;" format-version="1"/>
            """
        let error = try #require(throws: GraphStoreError.self) { try GraphStore.parse(xml: xml, sourceName: "ent.xml") }
        #expect(error.file == "ent.xml")
        #expect(error.kind == .malformedXML)
    }
}

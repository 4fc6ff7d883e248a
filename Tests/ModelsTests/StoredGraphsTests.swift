import Foundation
import GraphIO
import GraphIR
import Models
import Testing

/// `Graphs/` holds the zoo's architectures as XML (structure only). These tests fail
/// when a stored file drifts from what the DSL declares; `Tools/update-graphs`
/// regenerates them.
@Suite("Stored zoo graphs")
struct StoredGraphsTests {
    static let stored = ["resnet50", "resnet50-modified", "vgg16", "vgg19", "mobilenetv2", "efficientnetb7"]

    static var graphsFolder: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent()  // ModelsTests
            .deletingLastPathComponent().deletingLastPathComponent()  // package root
            .appendingPathComponent("Graphs")
    }

    @Test("Graphs/<name>.xml is exactly what the DSL produces", arguments: stored)
    func storedFileMatchesDSL(name: String) throws {
        let url = Self.graphsFolder.appendingPathComponent("\(name).xml")
        let onDisk = try String(contentsOf: url, encoding: .utf8)
        let declared = try Zoo.entry(named: name).graph()
        #expect(onDisk == (try GraphStore.xmlString(declared)),
                "Graphs/\(name).xml drifted from the DSL; run Tools/update-graphs")
    }

    @Test("Loading a stored graph gives the declared graph, verified", arguments: stored)
    func storedFileLoadsEqual(name: String) throws {
        let url = Self.graphsFolder.appendingPathComponent("\(name).xml")
        let loaded = try GraphStore.read(from: url)
        try loaded.verify()
        #expect(loaded == (try Zoo.entry(named: name).graph()))
    }

    @Test("Every stored graph round-trips through the text format", arguments: stored)
    func textRoundTrip(name: String) throws {
        let graph = try Zoo.entry(named: name).graph()
        let text = graph.textDescription
        let parsed = try Graph.parse(text: text)
        #expect(parsed == graph)
        #expect(parsed.textDescription == text)
    }
}

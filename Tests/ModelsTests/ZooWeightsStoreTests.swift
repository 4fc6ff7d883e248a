import Foundation
import GraphIO
import GraphIR
import Models
import Testing

/// DSL -> XML store -> load gives the same graph with bit-identical weights, for zoo
/// networks with seeded weights (small input sizes keep the debug build fast; the
/// weights do not depend on the input size).
@Suite("Zoo graphs through the XML store with weights")
struct ZooWeightsStoreTests {
    @Test("Seeded weights survive the store bit for bit",
          arguments: ["tiny-resnet", "mobilenetv2", "resnet50-modified"])
    func roundTrip(name: String) throws {
        let graph = try Zoo.entry(named: name).graph(inputSize: 32, weights: .seeded(11))
        try graph.verify(requireWeights: true)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gc-zoo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("\(name).xml")
        try GraphStore.write(graph, to: url)
        let loaded = try GraphStore.read(from: url)
        #expect(loaded == graph)  // Tensor equality is bitwise on the element bytes
        let params = graph.parameters
        #expect(!params.isEmpty)
        for p in params {
            #expect(loaded[p].data?.rawBytes == graph[p].data?.rawBytes, "\(graph[p].name)")
        }
    }

    @Test("The same seed gives the same weights; another seed different ones")
    func seedsAreDeterministic() throws {
        let a = try Zoo.entry(named: "mobilenetv2").graph(inputSize: 32, weights: .seeded(3))
        let b = try Zoo.entry(named: "mobilenetv2").graph(inputSize: 32, weights: .seeded(3))
        let c = try Zoo.entry(named: "mobilenetv2").graph(inputSize: 32, weights: .seeded(4))
        #expect(a == b)
        let kernel = try #require(a.value(named: "Conv1/kernel"))
        #expect(a[kernel].data != c[kernel].data)
    }
}

import Foundation
import Testing
import GraphIR
@testable import GraphIO

/// A temporary folder for one test; `defer { folder.remove() }` keeps it alive until the
/// test ends and then deletes it.
struct XMLTempFolder {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("xmlstore-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func remove() { try? FileManager.default.removeItem(at: url) }

    func file(_ name: String) -> URL { url.appendingPathComponent(name) }
}

/// A small net touching what the store must carry: a padded conv with bias, a BN with
/// three outputs and frozen statistics, relu, a residual add, pooling, a Gemm head, a
/// Clip with its lower bound omitted, and a Constant node whose tensor holds -0, inf
/// and a NaN with a payload.
func makeXMLTestNet(weights: WeightMode = .seeded(7)) throws -> Graph {
    var b = GraphBuilder(name: "xml_test_net", weights: weights)
    let x = b.input("image", TensorType(.float32, [.symbolic("N"), 3, 8, 8]))
    let pads = b.constant("pad/pads", .int64Vector([0, 0, 1, 1, 0, 0, 1, 1]))
    let fill = b.constant("pad/value", .scalar(0.25))
    let padded = try b.add(.pad, "pad", [x, pads, fill], ["mode": .string("constant")])
    let k1 = b.parameter("conv1_conv/kernel", shape: [8, 3, 3, 3], initializer: .glorotUniform)
    let b1 = b.parameter("conv1_conv/bias", shape: [8], initializer: .uniform(low: -0.1, high: 0.1))
    let conv = try b.add(.conv, "conv1_conv", [padded, k1, b1], ["kernel_shape": .ints([3, 3]), "strides": .ints([1, 1])])
    let bnInputs = [conv,
                    b.parameter("conv1_bn/gamma", shape: [8], initializer: .ones),
                    b.parameter("conv1_bn/beta", shape: [8], initializer: .zeros),
                    b.parameter("conv1_bn/moving_mean", shape: [8], initializer: .normal(mean: 0, stddev: 0.1), trainable: false),
                    b.parameter("conv1_bn/moving_variance", shape: [8], initializer: .uniform(low: 0.5, high: 1.5), trainable: false)]
    let bn = try b.node(.batchNormalization, "conv1_bn", bnInputs,
                        ["epsilon": .float(1.001e-5), "momentum": .float(0.99), "training_mode": .int(1)],
                        outputNames: ["conv1_bn", "conv1_bn/running_mean", "conv1_bn/running_var"])
    let relu = try b.add(.leakyRelu, "conv1_relu", [bn[0]], ["alpha": .float(0.1)])
    let k2 = b.parameter("conv2_conv/kernel", shape: [8, 8, 1, 1], initializer: .heNormal)
    let conv2 = try b.add(.conv, "conv2_conv", [relu, k2], ["kernel_shape": .ints([1, 1])])
    let sum = try b.add(.add, "add", [relu, conv2])
    let pooled = try b.add(.globalAveragePool, "avg_pool", [sum])
    let flat = try b.add(.flatten, "flatten", [pooled], ["axis": .int(1)])
    let w = b.parameter("predictions/kernel", shape: [8, 4], initializer: .glorotUniform)
    let bias = b.parameter("predictions/bias", shape: [4], initializer: .zeros)
    let logits = try b.add(.gemm, "predictions", [flat, w, bias], ["alpha": .float(1), "transB": .int(0)])
    let upper = b.constant("clip/max", .scalar(6))
    let clipped = try b.add(.clip, "clip", [logits, nil, upper])
    let special = Tensor(shape: [4], floats: [1.5, -0.0, .infinity, Float(bitPattern: 0x7fc0_0123)])
    let scale = try b.add(.constant, "scale", [], ["value": .tensor(special)])
    b.output(try b.add(.mul, "scaled", [clipped, scale]))
    b.output(bn[1])
    return b.graph
}

@Suite("XML graph store: round trips")
struct XMLGraphStoreTests {
    @Test("A seeded net round-trips to an equal graph with bit-identical weights")
    func roundTripWithWeights() throws {
        let folder = try XMLTempFolder()
        defer { folder.remove() }
        let graph = try makeXMLTestNet()
        let url = folder.file("net.xml")
        try GraphStore.write(graph, to: url)

        #expect(FileManager.default.fileExists(atPath: folder.file("net.weights").path))
        let back = try GraphStore.read(from: url)
        #expect(back == graph)
        for id in graph.parameters {
            let original = try #require(graph[id].data)
            #expect(back[id].data?.rawBytes == original.rawBytes, "\(graph[id].name)")
        }
        // No temporary files are left behind.
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.url.path).sorted()
        #expect(names == ["net.weights", "net.xml"])
    }

    @Test("Producers, node ids, omitted inputs and graph outputs are rebuilt")
    func rebuiltStructure() throws {
        let folder = try XMLTempFolder()
        defer { folder.remove() }
        let url = folder.file("net.xml")
        try GraphStore.write(try makeXMLTestNet(), to: url)
        let back = try GraphStore.read(from: url)

        let clip = try #require(back.node(named: "clip"))
        #expect(back[clip].inputs.count == 3)
        #expect(back[clip].inputs[1] == nil)
        let bn = try #require(back.node(named: "conv1_bn"))
        #expect(back[bn].outputs.map { back[$0].name } == ["conv1_bn", "conv1_bn/running_mean", "conv1_bn/running_var"])
        #expect(back[bn].outputs.allSatisfy { back[$0].producer == bn })
        #expect(back.outputs.map { back[$0].name } == ["scaled", "conv1_bn/running_mean"])
        let mean = try #require(back.value(named: "conv1_bn/moving_mean"))
        #expect(back[mean].trainable == false)
        #expect(back[mean].role == .parameter)
    }

    @Test("Structure-only graphs round-trip without a weights file")
    func structureOnly() throws {
        let folder = try XMLTempFolder()
        defer { folder.remove() }
        let graph = try makeXMLTestNet(weights: .none)
        let url = folder.file("arch.xml")
        try GraphStore.write(graph, to: url)

        #expect(!FileManager.default.fileExists(atPath: folder.file("arch.weights").path))
        let xml = try String(contentsOf: url, encoding: .utf8)
        #expect(!xml.contains("weights="))
        #expect(try GraphStore.read(from: url) == graph)
    }

    @Test("weights: false drops parameter data but keeps constants")
    func writeWithoutWeights() throws {
        let folder = try XMLTempFolder()
        defer { folder.remove() }
        let url = folder.file("arch.xml")
        try GraphStore.write(try makeXMLTestNet(), to: url, weights: false)

        let back = try GraphStore.read(from: url)
        #expect(back == (try makeXMLTestNet(weights: .none)))
        #expect(back.parameters.allSatisfy { back[$0].data == nil })
        #expect(!FileManager.default.fileExists(atPath: folder.file("arch.weights").path))
    }

    @Test("The in-memory XML reads back, and small constants are written inline")
    func xmlStringRoundTrip() throws {
        let graph = try makeXMLTestNet(weights: .none)
        let xml = try GraphStore.xmlString(graph)
        #expect(xml.contains(#"<value name="pad/pads" dtype="i64" shape="8" role="constant">"#))
        #expect(xml.contains(#"<tensor dtype="i64" shape="8">0,0,1,1,0,0,1,1</tensor>"#))
        #expect(xml.contains(#"<value name="image" dtype="f32" shape="N,3,8,8" role="input"/>"#))
        #expect(xml.contains(#"<input/>"#))
        #expect(try GraphStore.parse(xml: xml) == graph)
    }

    @Test("Large constants go to the weights file, small ones stay inline")
    func largeConstantInWeightFile() throws {
        var b = GraphBuilder(name: "big_const")
        let x = b.input("x", TensorType(.float32, [2, 100]))
        let c = b.constant("offsets", Tensor(shape: [2, 100], floats: (0..<200).map { Float($0) / 7 }))
        b.output(try b.add(.add, "sum", [x, c]))
        let folder = try XMLTempFolder()
        defer { folder.remove() }
        let url = folder.file("big.xml")
        try GraphStore.write(b.graph, to: url)

        let xml = try String(contentsOf: url, encoding: .utf8)
        #expect(xml.contains("<data offset=\"64\" length=\"800\" dtype=\"f32\" shape=\"2,100\""))
        #expect(try GraphStore.read(from: url) == b.graph)
    }

    @Test("Names and strings with XML special characters survive escaping")
    func escaping() throws {
        var b = GraphBuilder(name: "a<b> & \"c\"\n\ttab")
        let x = b.input("in&<put>\"'", TensorType(.float32, [1, 4]))
        b.output(try b.add(.cast, "cast \"x\" <y>", [x], ["to": .string("f32")]))
        let xml = try GraphStore.xmlString(b.graph)
        #expect(try GraphStore.parse(xml: xml) == b.graph)
    }

    @Test("Graph names with control characters are refused when writing")
    func unrepresentableName() throws {
        let graph = Graph(name: "bell\u{7}")
        let error = try #require(throws: GraphStoreError.self) { try GraphStore.xmlString(graph) }
        #expect(error.kind == .unrepresentable)
        #expect(error.description.contains("graph name"))
    }

    @Test("A graph the reader would refuse is not written at all")
    func refusedWriteLeavesNothing() throws {
        let folder = try XMLTempFolder()
        defer { folder.remove() }
        var graph = try makeXMLTestNet()
        let kernel = try #require(graph.value(named: "conv2_conv/kernel"))
        graph[kernel].name = "conv1_conv/kernel"
        let error = try #require(throws: GraphStoreError.self) { try GraphStore.write(graph, to: folder.file("dup.xml")) }
        #expect(error.description == "dup.xml: cannot store graph: duplicate value name 'conv1_conv/kernel'")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.path).isEmpty)
    }

    @Test("Rewriting replaces both files")
    func overwrite() throws {
        let folder = try XMLTempFolder()
        defer { folder.remove() }
        let url = folder.file("net.xml")
        try GraphStore.write(try makeXMLTestNet(weights: .seeded(1)), to: url)
        let second = try makeXMLTestNet(weights: .seeded(2))
        try GraphStore.write(second, to: url)
        #expect(try GraphStore.read(from: url) == second)
    }
}

@Suite("XML graph store: documentation")
struct XMLGraphStoreReadmeTests {
    @Test("The example in Graphs/README.md reads, with a weights file that matches its checksums")
    func readmeExample() throws {
        let readmeURL = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Graphs/README.md")
        let readme = try String(contentsOf: readmeURL, encoding: .utf8)
        let start = try #require(readme.range(of: "```xml\n")).upperBound
        let end = try #require(readme.range(of: "```", range: start..<readme.endIndex)).lowerBound

        // The example's weights are those the builder draws with seed 7.
        var b = GraphBuilder(name: "tiny", weights: .seeded(7))
        let kernel = b.parameter("conv1_conv/kernel", shape: [8, 3, 3, 3], initializer: .glorotUniform)
        _ = b.parameter("conv1_conv/bias", shape: [8], initializer: .uniform(low: -0.1, high: 0.1))
        var writer = WeightFileWriter()
        for v in b.graph.values { _ = writer.append(try #require(v.data)) }
        let folder = try XMLTempFolder()
        defer { folder.remove() }
        try Data(writer.bytes).write(to: folder.file("tiny.weights"))
        try String(readme[start..<end]).write(to: folder.file("tiny.xml"), atomically: true, encoding: .utf8)

        let graph = try GraphStore.read(from: folder.file("tiny.xml"))
        #expect(graph.nodes.map(\.op) == [.pad, .conv, .relu, .clip])
        #expect(graph[try #require(graph.value(named: "conv1_conv/kernel"))].data == b.graph[kernel].data)
        #expect(graph.outputs.map { graph[$0].name } == ["clip"])
    }
}

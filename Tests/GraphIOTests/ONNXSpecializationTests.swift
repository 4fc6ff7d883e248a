import Testing
import GraphIR
@testable import GraphIO

@Suite("ONNX import: symbolic dims, shape subgraphs and specialization")
struct ONNXSpecializationTests {
    @Test("without shapes, dim_param becomes a symbolic dim and the output keeps the declared N")
    func symbolicBatch() throws {
        let g = try ONNXImporter.importModel(bytes: ONNXFixtures.dynamicBatchCNN().bytes()).graph
        #expect(g[g.inputs[0]].type == TensorType(.float32, [.symbolic("N"), 3, 8, 8]))
        #expect(g.type(of: "pool1_out") == TensorType(.float32, [.symbolic("N"), 16, 4, 4]))
        // The Reshape target depends on N, so only its rank is known...
        #expect(g.type(of: "flat")?.shape.rank == 2)
        // ...but the graph output keeps the model's declared [N, 10].
        #expect(g.type(of: "logits") == TensorType(.float32, [.symbolic("N"), 10]))
        #expect(g.parameters.count == 4)
    }

    @Test("with input shapes the shape subgraph is evaluated and every value is static")
    func specialized() throws {
        let g = try ONNXImporter.importModel(bytes: ONNXFixtures.dynamicBatchCNN().bytes(),
                                             inputShapes: ["image": [2, 3, 8, 8]]).graph
        for v in g.values { #expect(v.type.shape.isStatic, "\(v.name): \(v.type)") }
        #expect(g.type(of: "target") == TensorType(.int64, [2]))
        #expect(g.type(of: "flat") == TensorType(.float32, [2, 256]))
        #expect(g.type(of: "logits") == TensorType(.float32, [2, 10]))
        // opset-11 Unsqueeze axes attribute became a constant operand
        let unsq = try #require(g.producer(of: "batch1"))
        #expect(unsq.op == .unsqueeze && unsq.attributes.isEmpty)
        #expect(g[try #require(unsq.inputs[1])].data == .int64Vector([0]))
    }

    @Test("ONNX names are kept; unnamed nodes get unique generated names")
    func names() throws {
        let g = try ONNXImporter.importModel(bytes: ONNXFixtures.dynamicBatchCNN().bytes()).graph
        #expect(g.nodes.map(\.name) == ["conv1", "relu1", "pool1", "Shape_3", "Constant_4", "Gather_5",
                                        "Unsqueeze_6", "Constant_7", "Concat_8", "flatten", "fc"])
        #expect(g.producer(of: "logits")?.name == "fc")
    }

    @Test("a given shape that contradicts the declared one is an error naming the input")
    func contradictingShape() throws {
        let e = try #require(throws: ONNXImportError.self) {
            try ONNXImporter.importModel(bytes: ONNXFixtures.dynamicBatchCNN().bytes(), inputShapes: ["image": [2, 1, 8, 8]])
        }
        #expect(e.location == "ModelProto.graph.input[0](image)")
    }

    @Test("legacy Softmax on a middle axis becomes Flatten -> Softmax(-1) -> Reshape, keeping the name")
    func legacySoftmaxExpansion() throws {
        let g = try ONNXImporter.importModel(bytes: ONNXFixtures.legacySoftmax(dims: [2, 3, 4]).bytes()).graph
        #expect(g.nodes.map(\.op) == [.flatten, .softmax, .reshape])
        #expect(g.nodes[0].attributes.int("axis") == 1)
        #expect(g.nodes[1].attributes.int("axis") == -1)
        #expect(g.nodes[2].name == "sm")
        #expect(g.type(of: "sm/flatten") == TensorType(.float32, [2, 12]))
        #expect(g.type(of: "y") == TensorType(.float32, [2, 3, 4]))
        // the Reshape target is a constant when the input is static
        #expect(g[try #require(g.nodes[2].inputs[1])].data == .int64Vector([2, 3, 4]))
    }

    @Test("legacy Softmax with a symbolic batch reshapes back through Shape(x)")
    func legacySoftmaxDynamic() throws {
        let g = try ONNXImporter.importModel(bytes: ONNXFixtures.legacySoftmax(dims: ["N", 3, 4]).bytes()).graph
        #expect(g.nodes.map(\.op) == [.flatten, .softmax, .shape, .reshape])
        #expect(g.type(of: "y") == TensorType(.float32, [.symbolic("N"), 3, 4]))
    }
}

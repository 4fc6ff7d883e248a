import Testing
import GraphIR
import ProtobufWire
@testable import GraphIO

@Suite("ONNX import errors name what is at fault")
struct ONNXImportErrorTests {
    func single(_ op: String, opset: Int = 13, inputs: [String] = ["x"],
                attributes: [(String, AttributeValue)] = []) -> ONNXModelWriter {
        var m = ONNXModelWriter()
        m.opset = opset
        m.inputs = [.init(name: "x", dims: [1, 4])]
        m.outputs = [.init(name: "y", dims: [1, 4])]
        m.nodes = [.init(op: op, name: "my node", inputs: inputs, outputs: ["y"], attributes: attributes)]
        return m
    }

    @Test("an unsupported op names the op, the node, the opset and the supported ops")
    func unsupportedOp() throws {
        let e = try #require(throws: ONNXImportError.self) {
            try ONNXImporter.importModel(bytes: single("Upsample", opset: 9).bytes(), fileName: "m.onnx")
        }
        #expect(e.description.hasPrefix("m.onnx: node[0](my node) (Upsample, opset 9): unsupported operator 'Upsample'; supported operators: Add, AveragePool, BatchNormalization,"))
    }

    @Test("a GRAPH attribute is a clear error")
    func graphAttribute() throws {
        // Hand-build a node whose attribute holds a subgraph (field g = 6).
        var w = ProtoWriter()
        w.writeInt(ONNXField.Model.irVersion, 7)
        w.writeMessage(ONNXField.Model.graph) { g in
            g.writeMessage(ONNXField.Graph.node) { n in
                n.writeString(ONNXField.Node.input, "x")
                n.writeString(ONNXField.Node.output, "y")
                n.writeString(ONNXField.Node.name, "loop")
                n.writeString(ONNXField.Node.opType, "Relu")
                n.writeMessage(ONNXField.Node.attribute) { a in
                    a.writeString(ONNXField.Attribute.name, "body")
                    a.writeInt(ONNXField.Attribute.type, 5)
                    a.writeMessage(ONNXField.Attribute.g) { $0.writeString(ONNXField.Graph.name, "sub") }
                }
            }
            g.writeMessage(ONNXField.Graph.input) { ONNXModelWriter.writeValueInfo(&$0, .init(name: "x", dims: [1])) }
            g.writeMessage(ONNXField.Graph.output) { ONNXModelWriter.writeValueInfo(&$0, .init(name: "y", dims: [1])) }
        }
        w.writeMessage(ONNXField.Model.opsetImport) { $0.writeInt(ONNXField.OperatorSetId.version, 13) }
        let e = try #require(throws: ONNXImportError.self) { try ONNXImporter.importModel(bytes: w.bytes) }
        #expect(e.location == "node[0](loop) (Relu, opset 13)")
        #expect(e.message.contains("GRAPH"))
    }

    @Test("an input that no earlier node defines is named")
    func undefinedInput() throws {
        let e = try #require(throws: ONNXImportError.self) {
            try ONNXImporter.importModel(bytes: single("Add", inputs: ["x", "ghost"]).bytes())
        }
        #expect(e.message == "input 'ghost' is not defined by an earlier node, input or initializer")
    }

    @Test("an attribute the op does not have is rejected; obsolete ones are dropped")
    func attributes() throws {
        let e = try #require(throws: ONNXImportError.self) {
            try ONNXImporter.importModel(bytes: single("Relu", attributes: [("alpha", .float(1))]).bytes())
        }
        #expect(e.message.hasPrefix("attribute 'alpha' is not supported for Relu"))
        let g = try ONNXImporter.importModel(bytes: single("Relu", opset: 6, attributes: [("consumed_inputs", .ints([0]))]).bytes()).graph
        #expect(g.nodes[0].attributes.isEmpty)
    }

    @Test("Cast's integer `to` becomes the IR dtype name")
    func castTo() throws {
        var m = single("Cast", attributes: [("to", .int(7))])
        m.outputs = [.init(name: "y", elemType: 7, dims: [1, 4])]
        let g = try ONNXImporter.importModel(bytes: m.bytes()).graph
        #expect(g.nodes[0].attributes.string("to") == "i64")
        #expect(g.type(of: "y") == TensorType(.int64, [1, 4]))
    }
}

import Foundation
import GraphIR
import ProtobufWire
@testable import GraphIO

/// Locates the ONNX conformance data (`../shared/onnx-conformance` beside the package
/// root) by walking up from this file; `GRAPHCAM_ONNX_CONFORMANCE` overrides it.
enum Conformance {
    static let root: URL? = {
        let fm = FileManager.default
        if let env = ProcessInfo.processInfo.environment["GRAPHCAM_ONNX_CONFORMANCE"], fm.fileExists(atPath: env) {
            return URL(fileURLWithPath: env)
        }
        // The package root's ../shared, or the nearest ancestor's shared/ (a git worktree
        // may sit one level deeper than the main checkout).
        var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        for _ in 0..<10 {
            let candidate = dir.appendingPathComponent("shared/onnx-conformance")
            if fm.fileExists(atPath: candidate.appendingPathComponent("node").path) { return candidate }
            if dir.path == "/" { break }
            dir = dir.deletingLastPathComponent()
        }
        return nil
    }()

    static var isAvailable: Bool { root != nil }

    /// `folder/test_name`, e.g. `node/test_conv_with_strides_padding`.
    static func model(_ test: String) throws -> URL {
        guard let root else { throw ONNXImportError(location: "", message: "conformance data not found") }
        return root.appendingPathComponent(test).appendingPathComponent("model.onnx")
    }

    static func input(_ test: String, _ k: Int) throws -> Tensor {
        guard let root else { throw ONNXImportError(location: "", message: "conformance data not found") }
        return try TensorProtoCodec.read(root.appendingPathComponent(test)
            .appendingPathComponent("test_data_set_0/input_\(k).pb"))
    }

    /// Every test directory (`folder/name`) holding a model.onnx.
    static var allTests: [String] {
        guard let root else { return [] }
        var out: [String] = []
        for folder in ["node", "pytorch-converted", "pytorch-operator", "simple"] {
            let dir = root.appendingPathComponent(folder)
            let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
            for name in names.sorted()
            where FileManager.default.fileExists(atPath: dir.appendingPathComponent("\(name)/model.onnx").path) {
                out.append("\(folder)/\(name)")
            }
        }
        return out
    }
}

/// Writes small ModelProtos with `ProtoWriter`, for fixtures the conformance data lacks
/// (dim_param inputs, shape subgraphs, legacy opset forms).
struct ONNXModelWriter {
    typealias F = ONNXField

    struct NodeSpec {
        var op: String
        var name: String
        var inputs: [String]
        var outputs: [String]
        var attributes: [(String, AttributeValue)] = []
    }

    /// (name, elem_type code, dims: Int for dim_value, String for dim_param)
    struct ValueSpec {
        var name: String
        var elemType: Int = 1
        var dims: [Any]
    }

    var graphName = "fixture"
    var opset = 13
    var irVersion = 7
    var inputs: [ValueSpec] = []
    var outputs: [ValueSpec] = []
    var initializers: [(String, Tensor)] = []
    var nodes: [NodeSpec] = []

    func bytes() -> [UInt8] {
        var w = ProtoWriter()
        w.writeInt(F.Model.irVersion, Int64(irVersion))
        w.writeString(F.Model.producerName, "GraphIOTests")
        w.writeMessage(F.Model.graph) { g in
            for n in nodes {
                g.writeMessage(F.Graph.node) { nw in
                    for i in n.inputs { nw.writeString(F.Node.input, i) }
                    for o in n.outputs { nw.writeString(F.Node.output, o) }
                    nw.writeString(F.Node.name, n.name)
                    nw.writeString(F.Node.opType, n.op)
                    for (name, value) in n.attributes {
                        nw.writeMessage(F.Node.attribute) { Self.writeAttribute(&$0, name, value) }
                    }
                }
            }
            g.writeString(F.Graph.name, graphName)
            for (name, t) in initializers { g.writeRaw(Self.tensorField(F.Graph.initializer, t, name: name)) }
            for v in inputs { g.writeMessage(F.Graph.input) { Self.writeValueInfo(&$0, v) } }
            for v in outputs { g.writeMessage(F.Graph.output) { Self.writeValueInfo(&$0, v) } }
        }
        w.writeMessage(F.Model.opsetImport) { o in
            o.writeString(F.OperatorSetId.domain, "")
            o.writeInt(F.OperatorSetId.version, Int64(opset))
        }
        return w.bytes
    }

    static func tensorField(_ field: Int, _ t: Tensor, name: String) -> [UInt8] {
        var w = ProtoWriter()
        w.writeBytes(field, TensorProtoCodec.encode(t, name: name))
        return w.bytes
    }

    static func writeAttribute(_ w: inout ProtoWriter, _ name: String, _ value: AttributeValue) {
        typealias T = F.AttributeType
        w.writeString(F.Attribute.name, name)
        switch value {
        case .int(let i): w.writeInt(F.Attribute.type, Int64(T.int)); w.writeInt(F.Attribute.i, Int64(i))
        case .float(let f): w.writeInt(F.Attribute.type, Int64(T.float)); w.writeFloat(F.Attribute.f, f)
        case .string(let s): w.writeInt(F.Attribute.type, Int64(T.string)); w.writeString(F.Attribute.s, s)
        case .ints(let v): w.writeInt(F.Attribute.type, Int64(T.ints)); w.writePackedInts(F.Attribute.ints, v.map(Int64.init))
        case .floats(let v): w.writeInt(F.Attribute.type, Int64(T.floats)); w.writePackedFloats(F.Attribute.floats, v)
        case .strings(let v): w.writeInt(F.Attribute.type, Int64(T.strings)); for s in v { w.writeString(F.Attribute.strings, s) }
        case .tensor(let t): w.writeInt(F.Attribute.type, Int64(T.tensor)); w.writeRaw(tensorField(F.Attribute.t, t, name: ""))
        }
    }

    static func writeValueInfo(_ w: inout ProtoWriter, _ v: ValueSpec) {
        w.writeString(F.ValueInfo.name, v.name)
        w.writeMessage(F.ValueInfo.type) { t in
            t.writeMessage(F.TypeProto.tensorType) { tt in
                tt.writeInt(F.TypeProtoTensor.elemType, Int64(v.elemType))
                tt.writeMessage(F.TypeProtoTensor.shape) { s in
                    for d in v.dims {
                        s.writeMessage(F.TensorShape.dim) { dw in
                            if let i = d as? Int { dw.writeInt(F.Dimension.dimValue, Int64(i)) }
                            if let p = d as? String { dw.writeString(F.Dimension.dimParam, p) }
                        }
                    }
                }
            }
        }
    }
}

extension Graph {
    /// The node that produces the value with this name.
    func producer(of valueName: String) -> Node? {
        guard let v = value(named: valueName), let n = self[v].producer else { return nil }
        return self[n]
    }

    func type(of valueName: String) -> TensorType? { value(named: valueName).map { self[$0].type } }
}

import Foundation
import GraphIR

/// Turns a decoded ModelProto into a `Graph`: values first (initializers, inputs), then
/// nodes in file order, each normalized and typed as it is added.
struct ONNXGraphConverter {
    let model: ONNXModelProto
    let baseDirectory: URL?
    let inputShapes: [String: [Int]]?
    let inputValues: [String: Tensor]
    /// Version of the default operator set.
    let opset: Int

    var graph: Graph
    var ids: [String: ValueID] = [:]
    /// Types declared by value_info and graph outputs, the fallback where inference fails.
    var declaredTypes: [String: TensorType] = [:]
    /// Contents known at import time: parameter/constant data and evaluated shape subgraphs.
    var known: [ValueID: Tensor] = [:]
    var usedNodeNames: Set<String> = []

    var specializing: Bool { inputShapes != nil }

    init(model: ONNXModelProto, baseDirectory: URL?, inputShapes: [String: [Int]]?,
         inputValues: [String: Tensor]) throws {
        self.model = model
        self.baseDirectory = baseDirectory
        self.inputShapes = inputShapes
        self.inputValues = inputValues
        let defaults = model.opsetImports.filter { $0.domain.isEmpty || $0.domain == "ai.onnx" }
        guard let version = defaults.map(\.version).max() else {
            throw ONNXImportError(location: "ModelProto.opset_import", message: "no opset for the default domain")
        }
        guard version >= 1, version < 1000 else {
            throw ONNXImportError(location: "ModelProto.opset_import", message: "invalid opset version \(version)")
        }
        opset = Int(version)
        graph = Graph(name: model.graph.name.isEmpty ? "onnx_graph" : model.graph.name)
    }

    mutating func convert() throws -> Graph {
        let g = model.graph
        for vi in g.valueInfo + g.outputs {
            if let t = try? type(of: vi, at: "value_info"), declaredTypes[vi.name] == nil { declaredTypes[vi.name] = t }
        }
        var initializers: [String: Tensor] = [:]
        var initializerOrder: [String] = []
        for p in g.initializers {
            guard initializers[p.name] == nil else {
                throw ONNXImportError(location: p.path, message: "duplicate initializer '\(p.name)'")
            }
            initializers[p.name] = try TensorProtoCodec.tensor(from: p, baseDirectory: baseDirectory)
            initializerOrder.append(p.name)
        }
        if let shapes = inputShapes {
            let declared = Set(g.inputs.map(\.name))
            for name in shapes.keys.sorted() where !declared.contains(name) {
                throw ONNXImportError(location: "inputShapes", message: "'\(name)' is not a graph input; inputs are \(g.inputs.map(\.name))")
            }
        }
        for (i, vi) in g.inputs.enumerated() {
            if let data = initializers.removeValue(forKey: vi.name) {
                try addWeight(vi.name, data)
            } else {
                try addInput(vi, index: i)
            }
        }
        for name in initializerOrder {
            if let data = initializers[name] { try addWeight(name, data) }
        }
        for node in g.nodes { try addNode(node) }
        for (i, vi) in g.outputs.enumerated() {
            guard let id = ids[vi.name] else {
                throw ONNXImportError(location: "ModelProto.graph.output[\(i)]", message: "graph output '\(vi.name)' is not produced by any node")
            }
            graph.outputs.append(id)
        }
        return graph
    }

    // MARK: Values

    /// A parameter (float) or constant (integer) with data.
    mutating func addWeight(_ name: String, _ data: Tensor) throws {
        guard ids[name] == nil else { throw ONNXImportError(location: "initializer(\(name))", message: "name '\(name)' is defined twice") }
        let isFloat = data.dtype.isFloatingPoint
        let id = graph.addValue(Value(name: name, type: data.type, role: isFloat ? .parameter : .constant,
                                      trainable: isFloat, data: data))
        ids[name] = id
        known[id] = data
    }

    mutating func addInput(_ vi: ONNXValueInfoProto, index: Int) throws {
        let location = "ModelProto.graph.input[\(index)](\(vi.name))"
        guard ids[vi.name] == nil else { throw ONNXImportError(location: location, message: "name '\(vi.name)' is defined twice") }
        var t = try type(of: vi, at: location)
        if let concrete = inputShapes?[vi.name] {
            guard concrete.count == t.shape.rank, concrete.allSatisfy({ $0 >= 0 }) else {
                throw ONNXImportError(location: location, message: "given shape \(concrete) does not fit declared shape \(t.shape)")
            }
            for (d, c) in zip(t.shape.dims, concrete) where d.value != nil && d.value != c {
                throw ONNXImportError(location: location, message: "given shape \(concrete) contradicts declared shape \(t.shape)")
            }
            t.shape = Shape(concrete)
        }
        var value = Value(name: vi.name, type: t, role: .input)
        if let data = inputValues[vi.name] {
            guard data.dtype == t.dtype, data.shape.count == t.shape.rank,
                  zip(data.shape, t.shape.dims).allSatisfy({ $1.value == nil || $1.value == $0 }) else {
                throw ONNXImportError(location: location, message: "given value \(data.type) does not fit declared type \(t)")
            }
            t.shape = Shape(data.shape)
            value.type = t
            value.data = data
        }
        let id = graph.addValue(value)
        if let data = value.data { known[id] = data }
        graph.inputs.append(id)
        ids[vi.name] = id
    }

    /// The IR type of a ValueInfoProto; float16 maps to float32, as its data is widened.
    func type(of vi: ONNXValueInfoProto, at location: String) throws -> TensorType {
        guard let code = vi.elemType else {
            throw ONNXImportError(location: location, message: "'\(vi.name)' has no tensor type")
        }
        guard var dtype = TensorProtoCodec.dtype(onnx: code) else {
            throw ONNXImportError(location: location, message: "'\(vi.name)' has unsupported element type \(TensorProtoCodec.dataTypeName(code))")
        }
        if dtype == .float16 { dtype = .float32 }
        guard let dims = vi.dims else {
            throw ONNXImportError(location: location, message: "'\(vi.name)' has no shape (unknown rank)")
        }
        return TensorType(dtype, Shape(try dims.map { d -> Dim in
            switch d {
            case .value(let v):
                guard v >= 0, v <= Int64(TensorProtoCodec.maxElementCount) else {
                    throw ONNXImportError(location: location, message: "'\(vi.name)' has invalid dim \(v)")
                }
                return .known(Int(v))
            case .param(let p): return .symbolic(p)
            case .unknown: return .symbolic("?")
            }
        }))
    }

    /// A node name not used yet: the ONNX name when it has one, else `<op>_<index>`.
    mutating func uniqueNodeName(_ preferred: String) -> String {
        usedNodeNames.claimUnique(preferred)
    }

    /// A value name not used yet, for values the importer introduces.
    func uniqueValueName(_ preferred: String) -> String {
        var name = preferred
        var k = 1
        while ids[name] != nil {
            name = "\(preferred)_\(k)"
            k += 1
        }
        return name
    }

    /// Adds a constant operand the importer introduces (axes, pads, bounds).
    mutating func addConstant(_ preferred: String, _ data: Tensor) -> ValueID {
        let name = uniqueValueName(preferred)
        let id = graph.addValue(Value(name: name, type: data.type, role: .constant, data: data))
        ids[name] = id
        known[id] = data
        return id
    }
}

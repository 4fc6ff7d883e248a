import GraphIR

extension ONNXGraphConverter {
    /// Converts an AttributeProto; the kind comes from `type`, or for files written before
    /// IR v3 (no `type`) from whichever value field is set.
    func attributeValue(_ a: ONNXAttributeProto, _ fail: (String) -> ONNXImportError) throws -> AttributeValue {
        typealias T = ONNXField.AttributeType
        var kind = Int(a.type)
        if kind == T.undefined {
            if a.f != nil { kind = T.float }
            else if a.i != nil { kind = T.int }
            else if a.s != nil { kind = T.string }
            else if a.t != nil { kind = T.tensor }
            else if !a.floats.isEmpty { kind = T.floats }
            else if !a.ints.isEmpty { kind = T.ints }
            else if !a.strings.isEmpty { kind = T.strings }
            else if a.hasGraph { kind = T.graph }
            else { throw fail("attribute '\(a.name)' has no type and no value") }
        }
        switch kind {
        case T.float: return .float(a.f ?? 0)
        case T.int: return .int(Int(a.i ?? 0))
        case T.string: return .string(String(decoding: a.s ?? [], as: UTF8.self))
        case T.tensor:
            guard let t = a.t else { throw fail("attribute '\(a.name)' is a TENSOR without a tensor") }
            do { return .tensor(try TensorProtoCodec.tensor(from: t, baseDirectory: baseDirectory)) } catch var e as ONNXImportError {
                e.message = "attribute '\(a.name)': " + e.message
                throw e
            }
        case T.floats: return .floats(a.floats)
        case T.ints: return .ints(a.ints.map { Int($0) })
        case T.strings: return .strings(a.strings)
        case T.graph, T.graphs:
            throw fail("attribute '\(a.name)' holds a subgraph (GRAPH/GRAPHS); control flow and subgraphs are not supported")
        default:
            throw fail("attribute '\(a.name)' has unsupported kind \(kind) (tensors lists, sparse tensors and type protos are not supported)")
        }
    }
}

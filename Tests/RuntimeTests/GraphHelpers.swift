import GraphIR
@testable import Runtime

/// Appends a node with explicitly given output types, for graphs the builder cannot
/// type yet (a Reshape whose shape is computed, or fed as an input).
@discardableResult
func appendNode(_ g: inout Graph, _ op: OpKind, _ name: String, _ inputs: [ValueID?],
                _ outputTypes: [TensorType], _ attributes: Attributes = [:]) -> [ValueID] {
    let outs = outputTypes.enumerated().map { k, t in
        g.addValue(Value(name: k == 0 ? name : "\(name):\(k)", type: t, role: .intermediate))
    }
    g.addNode(Node(name: name, op: op, inputs: inputs, outputs: outs, attributes: attributes))
    return outs
}

func floats(_ t: Tensor) -> [Float] { t.floatValues }

func isClose(_ a: [Float], _ b: [Float], tolerance: Float = 1e-5) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= tolerance * max(1, abs($1)) }
}

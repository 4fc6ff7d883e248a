import GraphIR
import Kernels

/// A graph whose types are all static, with what is known at compile time.
struct SpecializedGraph {
    var graph: Graph
    /// Contents of every value known at compile time: constants, parameters with data,
    /// constant inputs and the outputs of folded nodes.
    var known: [Tensor?]
    /// Per node: evaluated at compile time, so no step is emitted.
    var folded: [Bool]
}

/// Binds symbolic dims from the given input shapes, folds every node whose operands are
/// all known at compile time, and re-infers every type, which must then be static.
///
/// Float parameters are never folded through: a Program keeps them in buffers so that a
/// later weight update or reload sees them. Integer parameters (shape operands stored as
/// initializers by importers) fold like constants.
func specialize(_ input: Graph, inputShapes: [String: [Int]], constantInputs: [String: Tensor]) throws -> SpecializedGraph {
    var graph = withLossScratchOutputs(input)
    let inputByName = Dictionary(graph.inputs.map { (graph[$0].name, $0) }, uniquingKeysWith: { a, _ in a })
    for name in Set(inputShapes.keys).union(constantInputs.keys) where inputByName[name] == nil {
        throw RuntimeError(.input, name, "is not an input of graph '\(graph.name)'")
    }

    // Bind symbols from the concrete shapes of the inputs.
    var bindings: [String: Int] = [:]
    for id in graph.inputs {
        let value = graph[id]
        if let t = constantInputs[value.name], t.dtype != value.type.dtype {
            throw RuntimeError(.input, value.name, "constant is \(t.dtype.rawValue) but the input is declared \(value.type.dtype.rawValue)")
        }
        guard let concrete = constantInputs[value.name]?.shape ?? inputShapes[value.name] else { continue }
        let declared = value.type.shape
        guard concrete.count == declared.rank else {
            throw RuntimeError(.input, value.name, "shape \(concrete) has rank \(concrete.count), declared \(declared)")
        }
        for (dim, size) in zip(declared.dims, concrete) {
            switch dim {
            case .known(let k) where k != size:
                throw RuntimeError(.input, value.name, "shape \(concrete) does not match declared \(declared)")
            case .symbolic(let s):
                if let bound = bindings[s], bound != size {
                    throw RuntimeError(.input, value.name, "binds \(s) = \(size), but another input bound it to \(bound)")
                }
                bindings[s] = size
            default: break
            }
        }
        graph[id].type.shape = Shape(concrete)
    }
    for i in graph.values.indices { graph.values[i].type.shape = graph.values[i].type.shape.binding(bindings) }
    for id in graph.inputs where !graph[id].type.shape.isStatic {
        throw RuntimeError(.input, graph[id].name,
                           "shape \(graph[id].type.shape) is not static; pass its shape in inputShapes")
    }

    // What is known before any folding.
    var known = [Tensor?](repeating: nil, count: graph.values.count)
    var foldable = [Bool](repeating: false, count: graph.values.count)
    for (i, v) in graph.values.enumerated() {
        if v.role == .input, let t = constantInputs[v.name] {
            known[i] = t
            foldable[i] = true
        } else if v.role == .constant || v.role == .parameter, let t = v.data {
            known[i] = t
            foldable[i] = v.role == .constant || !t.dtype.isFloatingPoint
        }
    }

    var folded = [Bool](repeating: false, count: graph.nodes.count)
    for (n, node) in graph.nodes.enumerated() {
        let inputTypes = node.inputs.map { $0.map { graph[$0].type } }
        let constants = node.inputs.map { $0.flatMap { known[$0.index] } }
        let types: [TensorType]
        do {
            types = try node.op.inferOutputTypes(InferenceContext(inputs: inputTypes, constants: constants,
                                                                  attributes: node.attributes))
        } catch let e as ShapeError {
            throw RuntimeError(.node, node.name, e.message)
        }
        guard types.count >= node.outputs.count else {
            throw RuntimeError(.node, node.name, "has \(node.outputs.count) outputs, \(node.op.rawValue) produces \(types.count)")
        }
        for (k, out) in node.outputs.enumerated() {
            guard types[k].shape.isStatic else {
                throw RuntimeError(.node, node.name, "output \(graph[out].name) has non-static type \(types[k]) after specialization")
            }
            graph[out].type = types[k]
        }
        let operandsKnown = node.inputs.allSatisfy { $0.map { foldable[$0.index] } ?? true }
        guard node.op == .constant || node.op == .shape || operandsKnown else { continue }
        let signature = NodeSignature(node: node, inputs: inputTypes, outputs: Array(types.prefix(node.outputs.count)),
                                      constants: constants)
        let results = try evaluateAtCompileTime(signature)
        for (k, out) in node.outputs.enumerated() {
            known[out.index] = results[k]
            foldable[out.index] = true
        }
        folded[n] = true
    }
    return SpecializedGraph(graph: graph, known: known, folded: folded)
}

/// SoftmaxCrossEntropyLoss always computes log-probabilities; when the node does not
/// expose them, give it a second output so the kernel has a buffer to write them to.
func withLossScratchOutputs(_ input: Graph) -> Graph {
    var graph = input
    for n in graph.nodes.indices where graph.nodes[n].op == .softmaxCrossEntropyLoss && graph.nodes[n].outputs.count == 1 {
        let node = graph.nodes[n]
        let scores = node.inputs.first.flatMap { $0 }.map { graph[$0].type } ?? TensorType(.float32, Shape([Dim]()))
        let id = graph.addValue(Value(name: node.name + ":log_prob", type: scores, role: .intermediate,
                                      producer: NodeID(n)))
        graph.nodes[n].outputs.append(id)
    }
    return graph
}

/// Evaluates one node on known operands with the same kernels the program runs.
func evaluateAtCompileTime(_ s: NodeSignature) throws -> [Tensor] {
    switch s.node.op {
    case .constant:
        guard let t = s.attributes.tensor("value") else { throw s.fail("missing attribute 'value'") }
        return [t]
    case .shape:
        let d = try s.inputDims(0)
        let r = d.count
        func clamp(_ i: Int) -> Int { min(max(i < 0 ? i + r : i, 0), r) }
        let start = clamp(s.attributes.int("start") ?? 0), end = clamp(s.attributes.int("end") ?? r)
        return [Tensor.int64Vector(start < end ? Array(d[start..<end]) : [])]
    default:
        break
    }
    let kernel = try makeKernel(s)
    var types: [TensorType] = [], needed: [Bool] = []
    for (i, t) in s.inputs.enumerated() {
        types.append(t ?? TensorType(.float32, Shape([Dim]())))
        needed.append(t != nil && i < s.constants.count && s.constants[i] != nil)
    }
    types += s.outputs
    needed += s.outputs.map { _ in true }
    let plan = try assignBuffers(types: types, needed: needed)
    let scratchBytes = kernel.scratchCount * MemoryLayout<Float>.stride
    let arena = Arena(byteCount: plan.totalBytes + scratchBytes)
    for (i, t) in s.constants.enumerated() {
        if let t, let ref = plan.buffers[i] { arena.write(t, to: ref) }
    }
    let step = Step(node: s.node.name, op: s.node.op, kernel: kernel,
                    inputs: Array(plan.buffers[..<s.inputs.count]), outputs: Array(plan.buffers[s.inputs.count...]),
                    scratch: scratchBytes > 0 ? plan.totalBytes : nil)
    try step.execute(in: arena)
    return try s.outputs.indices.map { k in
        let ref = plan.buffers[s.inputs.count + k]!
        return arena.read(ref, shape: try s.outputDims(k))
    }
}

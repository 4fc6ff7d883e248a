import GraphIR
import Kernels

/// A graph compiled for execution: static shapes, constant subgraphs folded, one step
/// per remaining node with its kernel parameters resolved, and one arena of buffers that
/// every run reuses.
///
/// ```swift
/// let program = try Program.compile(graph, inputShapes: ["image": [1, 3, 224, 224]])
/// let outputs = try program.run(["image": image])
/// let features = try program.values(named: "conv5_block3_out")
/// ```
public final class Program {
    /// The specialized graph: every type static, folded values carry their data.
    public let graph: Graph
    let steps: [Step]
    let arena: Arena
    /// Per value: its buffer, or nil when it is known at compile time (or unused).
    let buffers: [BufferRef?]
    /// Per value: its contents when known at compile time.
    let known: [Tensor?]
    /// Graph inputs fed at run time (those not given as constants).
    let runtimeInputs: [ValueID]
    let constantInputNames: Set<String>
    let valueByName: [String: ValueID]
    private(set) var runCount = 0

    init(graph: Graph, steps: [Step], arena: Arena, buffers: [BufferRef?], known: [Tensor?],
         runtimeInputs: [ValueID], constantInputNames: Set<String>) {
        self.graph = graph
        self.steps = steps
        self.arena = arena
        self.buffers = buffers
        self.known = known
        self.runtimeInputs = runtimeInputs
        self.constantInputNames = constantInputNames
        self.valueByName = graph.valueIndexByName
    }

    /// Compiles `graph` for the given input shapes.
    ///
    /// - Parameters:
    ///   - inputShapes: concrete shapes of graph inputs; they bind the symbolic dims
    ///     (such as the batch `N`) everywhere in the graph.
    ///   - constantInputs: graph inputs whose contents are fixed for this program (a
    ///     Reshape's shape, Pad's pads, Clip's bounds fed as inputs); they are folded
    ///     like constants and not passed to `run`.
    /// - Throws: `RuntimeError` naming the input or node at fault, e.g. a node whose
    ///   type stays symbolic or an op the runtime cannot execute.
    public static func compile(_ graph: Graph, inputShapes: [String: [Int]] = [:],
                               constantInputs: [String: Tensor] = [:]) throws -> Program {
        let spec = try specialize(graph, inputShapes: inputShapes, constantInputs: constantInputs)
        let g = spec.graph
        let runtimeInputs = g.inputs.filter { constantInputs[g[$0].name] == nil }

        // Values that need a buffer: run-time inputs, operands and results of steps,
        // and graph outputs not known at compile time.
        var needed = [Bool](repeating: false, count: g.values.count)
        for id in runtimeInputs { needed[id.index] = true }
        for (n, node) in g.nodes.enumerated() where !spec.folded[n] {
            for case let v? in node.inputs { needed[v.index] = true }
            for v in node.outputs { needed[v.index] = true }
        }
        for id in g.outputs where spec.known[id.index] == nil { needed[id.index] = true }

        let plan = try assignBuffers(types: g.values.map(\.type), needed: needed)
        var steps: [Step] = []
        for (n, node) in g.nodes.enumerated() where !spec.folded[n] {
            let signature = NodeSignature(node: node, inputs: node.inputs.map { $0.map { g[$0].type } },
                                          outputs: node.outputs.map { g[$0].type },
                                          constants: node.inputs.map { $0.flatMap { spec.known[$0.index] } })
            steps.append(Step(node: node.name, op: node.op, kernel: try makeKernel(signature),
                              inputs: node.inputs.map { $0.flatMap { plan.buffers[$0.index] } },
                              outputs: node.outputs.map { plan.buffers[$0.index] }))
        }
        // One scratch region for the whole program, sized for its hungriest step.
        let arena = Arena(byteCount: plan.totalBytes, scratchCount: steps.map(\.kernel.scratchCount).max() ?? 0)
        for (i, v) in g.values.enumerated() {
            guard let ref = plan.buffers[i], v.role != .intermediate || spec.known[i] != nil else { continue }
            if let t = spec.known[i] {
                guard t.dtype == ref.dtype, t.elementCount == ref.count else {
                    throw RuntimeError(.value, v.name, "data \(t.type) does not match its type \(v.type)")
                }
                arena.write(t, to: ref)
            } else if v.role == .parameter || v.role == .constant {
                throw RuntimeError(.value, v.name, "\(v.role.rawValue) has no data; build the graph with weights")
            }
        }

        var folded = g
        for (i, t) in spec.known.enumerated() where folded.values[i].data == nil { folded.values[i].data = t }
        return Program(graph: folded, steps: steps, arena: arena, buffers: plan.buffers, known: spec.known,
                       runtimeInputs: runtimeInputs, constantInputNames: Set(constantInputs.keys))
    }

    /// Number of kernel calls per run.
    public var stepCount: Int { steps.count }

    /// The shapes and dtypes `run` expects, by input name.
    public var inputTypes: [String: TensorType] {
        Dictionary(runtimeInputs.map { (graph[$0].name, graph[$0].type) }, uniquingKeysWith: { a, _ in a })
    }

    /// Runs the program and returns the graph outputs in order. Buffers are reused across
    /// runs; only the returned tensors are allocated.
    ///
    /// - Throws: `RuntimeError` naming an input that is missing, unknown, or of the wrong
    ///   shape or dtype, or a node that failed on its data (e.g. an out-of-range index).
    public func run(_ inputs: [String: Tensor]) throws -> [Tensor] {
        for name in inputs.keys where !constantInputNames.contains(name) && !runtimeInputs.contains(where: { graph[$0].name == name }) {
            throw RuntimeError(.input, name, "is not a run-time input of graph '\(graph.name)'")
        }
        for id in runtimeInputs {
            let v = graph[id]
            guard let t = inputs[v.name] else { throw RuntimeError(.input, v.name, "is missing") }
            guard t.dtype == v.type.dtype, Shape(t.shape) == v.type.shape else {
                throw RuntimeError(.input, v.name, "expected \(v.type), got \(t.type)")
            }
            if let ref = buffers[id.index] { arena.write(t, to: ref) }
        }
        for step in steps { try step.execute(in: arena) }
        runCount += 1
        return try graph.outputs.map { try tensor(of: $0) }
    }

    /// The contents of any value after the last run (inputs, intermediates, outputs,
    /// parameters, folded constants), by name.
    public func values(named name: String) throws -> Tensor {
        guard let id = valueByName[name] else { throw RuntimeError(.value, name, "no such value in graph '\(graph.name)'") }
        return try tensor(of: id)
    }

    private func tensor(of id: ValueID) throws -> Tensor {
        if let t = known[id.index] { return t }
        let v = graph[id]
        guard let ref = buffers[id.index], let dims = v.type.shape.staticDims else {
            throw RuntimeError(.value, v.name, "is not computed by this program")
        }
        guard runCount > 0 || v.role != .intermediate else {
            throw RuntimeError(.value, v.name, "has no contents before the first run")
        }
        return arena.read(ref, shape: dims)
    }
}

import GraphIR

/// Reverse-mode differentiation as a graph-to-graph transform.
///
/// `build` appends backward nodes to a canonical (unfused) graph so that running the
/// result computes the gradient of one scalar with respect to any values of the graph:
/// parameters, inputs, or intermediates such as `conv5_block3_out` (a Grad-CAM query).
///
/// - The seed dScalar = 1 is a constant named `grad/<scalar>`.
/// - Only nodes on a path from a `wrt` value to the scalar get backward nodes, and a rule
///   computes an input's gradient only when that input depends on a `wrt` value, so no
///   backward work happens upstream of the earliest value asked for (no input-image
///   gradient for the first convolution when only weights are asked for).
/// - Gradient contributions from several consumers are summed with Add; the total
///   gradient of value `v` is named `grad/<v>` (values made inside a rule are named
///   `grad/<node>/<suffix>`).
/// - Shape-like operands, integer values and the other slots listed by `VJPRegistry`
///   never receive gradients.
public enum Gradient {
    /// Appends the backward pass for d`scalar`/d`wrt` and returns the extended graph and
    /// one gradient per `wrt` value, each with its value's type. A `wrt` value the scalar
    /// does not depend on gets a zero constant. With `addingOutputs` the gradients are
    /// appended to the graph outputs (so a runtime keeps them).
    public static func build(graph: Graph, of scalar: ValueID, withRespectTo wrt: [ValueID],
                             addingOutputs: Bool = true) throws -> (graph: Graph, gradients: [ValueID]) {
        var driver = try GradientDriver(graph: graph, scalar: scalar, wrt: wrt)
        let gradients = try driver.run()
        var g = driver.graph
        if addingOutputs { g.outputs += gradients }
        return (g, gradients)
    }
}

/// The state of one `Gradient.build` call.
struct GradientDriver {
    var graph: Graph
    let scalar: ValueID
    let wrt: [ValueID]
    /// Per value: does it depend (differentiably) on a wrt value?
    var dependsOnWrt: [Bool]
    /// Per value: is the scalar reachable from it?
    var reachesScalar: [Bool]
    var contributions: [Int: [ValueID]] = [:]
    var finalGradient: [Int: ValueID] = [:]
    var renamable: Set<ValueID> = []
    var usedNames: Set<String>
    let forwardNodeCount: Int

    init(graph: Graph, scalar: ValueID, wrt: [ValueID]) throws {
        self.graph = graph
        self.scalar = scalar
        self.wrt = wrt
        forwardNodeCount = graph.nodes.count
        let count = graph.values.count
        guard scalar.index >= 0, scalar.index < count else {
            throw AutodiffError(node: "\(scalar)", message: "the scalar is not a value of graph \(graph.name)")
        }
        let st = graph[scalar].type
        guard st.dtype.isFloatingPoint, st.shape.elementCount == 1 else {
            throw AutodiffError(node: graph[scalar].name, message: "can only differentiate a one-element float value, found \(st)")
        }
        for v in wrt {
            guard v.index >= 0, v.index < count else {
                throw AutodiffError(node: "\(v)", message: "gradient requested for a value not in graph \(graph.name)")
            }
            guard graph[v].type.dtype.isFloatingPoint else {
                throw AutodiffError(node: graph[v].name, message: "gradient requested for a non-float value (\(graph[v].type))")
            }
        }
        usedNames = Set(graph.values.map(\.name)).union(graph.nodes.map(\.name))
        dependsOnWrt = Array(repeating: false, count: count)
        reachesScalar = Array(repeating: false, count: count)
        for v in wrt { dependsOnWrt[v.index] = true }
        for n in graph.nodes {
            let blocked = VJPRegistry.nonDifferentiableInputs(of: n)
            let active = n.inputs.enumerated().contains { slot, v in
                guard let v, !blocked.contains(slot) else { return false }
                return dependsOnWrt[v.index]
            }
            guard active else { continue }
            let blockedOut = VJPRegistry.nonDifferentiableOutputs(of: n)
            for (k, out) in n.outputs.enumerated() where !blockedOut.contains(k) && graph[out].type.dtype.isFloatingPoint {
                dependsOnWrt[out.index] = true
            }
        }
        reachesScalar[scalar.index] = true
        for n in graph.nodes.reversed() where n.outputs.contains(where: { reachesScalar[$0.index] }) {
            for case let v? in n.inputs { reachesScalar[v.index] = true }
        }
    }

    mutating func run() throws -> [ValueID] {
        let seedType = graph[scalar].type
        let seedData = seedType.dtype == .float64
            ? Tensor(shape: seedType.shape.staticDims ?? [], storage: .float64([1]))
            : Tensor(shape: seedType.shape.staticDims ?? [], floats: [1])
        let seedName = uniqueName("grad/\(graph[scalar].name)")
        let seed = graph.addValue(Value(name: seedName, type: seedType, role: .constant, data: seedData))
        finalGradient[scalar.index] = seed
        for i in stride(from: forwardNodeCount - 1, through: 0, by: -1) {
            try differentiate(NodeID(i))
        }
        var result: [ValueID] = []
        for v in wrt {
            if let g = try total(of: v) {
                result.append(try namedForCaller(g, of: v))
            } else {
                result.append(try zeros(like: v))
            }
        }
        return result
    }

    private mutating func differentiate(_ id: NodeID) throws {
        let node = graph[id]
        guard node.outputs.contains(where: { dependsOnWrt[$0.index] && reachesScalar[$0.index] }) else { return }
        var outputGradients: [ValueID?] = []
        for out in node.outputs {
            outputGradients.append(dependsOnWrt[out.index] ? try total(of: out) : nil)
        }
        guard outputGradients.contains(where: { $0 != nil }) else { return }
        let blocked = VJPRegistry.nonDifferentiableInputs(of: node)
        let needs = node.inputs.enumerated().map { slot, v in
            v.map { dependsOnWrt[$0.index] && !blocked.contains(slot) } ?? false
        }
        guard needs.contains(true) else { return }
        guard let rule = VJPRegistry.rule(for: node.op) else {
            let why = VJPRegistry.unsupported[node.op] ?? "the op is not differentiable"
            throw AutodiffError(node: node.name, message: "cannot differentiate \(node.op.rawValue): \(why)")
        }
        var context = VJPContext(graph: graph, nodeID: id, outputGradients: outputGradients,
                                 needsGradient: needs, usedNames: usedNames)
        let grads = try rule(&context)
        graph = context.graph
        usedNames = context.usedNames
        renamable.formUnion(context.created)
        for (slot, v) in node.inputs.enumerated() where needs[slot] {
            guard let v else { continue }
            guard slot < grads.count, let g = grads[slot] else {
                throw AutodiffError(node: node.name, message: "\(node.op.rawValue) rule gave no gradient for input \(slot)")
            }
            guard graph[g].type == graph[v].type else {
                throw AutodiffError(node: node.name, message: "\(node.op.rawValue) rule gave a \(graph[g].type) gradient "
                                    + "for input \(slot) (\(graph[v].name) is \(graph[v].type))")
            }
            contributions[v.index, default: []].append(g)
        }
    }

    /// The summed gradient of a value, named `grad/<value>`, once all its consumers
    /// (which come later in node order) have contributed.
    private mutating func total(of v: ValueID) throws -> ValueID? {
        if let g = finalGradient[v.index] { return g }
        guard let parts = contributions[v.index], !parts.isEmpty else { return nil }
        let name = uniqueName("grad/\(graph[v].name)")
        let g: ValueID
        if parts.count == 1 {
            g = parts[0]
            if renamable.remove(g) != nil { graph[g].name = name } else { usedNames.remove(name) }
        } else {
            var acc = parts[0]
            for (k, p) in parts.dropFirst().enumerated() {
                let last = k == parts.count - 2
                let outName = last ? name : uniqueName("\(name)/sum\(k + 1)")
                let out = graph.addValue(Value(name: outName, type: graph[v].type, role: .intermediate))
                graph.addNode(Node(name: outName, op: .add, inputs: [acc, p], outputs: [out]))
                acc = out
            }
            g = acc
        }
        finalGradient[v.index] = g
        return g
    }

    /// Makes sure the gradient of a requested value is addressable as `grad/<value>`
    /// (an Identity when the gradient is shared with another value or is the seed).
    private mutating func namedForCaller(_ g: ValueID, of v: ValueID) throws -> ValueID {
        let wanted = "grad/\(graph[v].name)"
        if graph[g].name == wanted || usedNames.contains(wanted) { return g }
        usedNames.insert(wanted)
        let out = graph.addValue(Value(name: wanted, type: graph[v].type, role: .intermediate))
        graph.addNode(Node(name: wanted, op: .identity, inputs: [g], outputs: [out]))
        return out
    }

    private mutating func zeros(like v: ValueID) throws -> ValueID {
        let t = graph[v].type
        guard let dims = t.shape.staticDims else {
            throw AutodiffError(node: graph[v].name, message: "the scalar does not depend on it and its shape \(t.shape) is not static")
        }
        let n = dims.reduce(1, *)
        let data = t.dtype == .float64 ? Tensor(shape: dims, storage: .float64(Array(repeating: 0, count: n)))
                                       : Tensor(shape: dims, floats: Array(repeating: 0, count: n))
        return graph.addValue(Value(name: uniqueName("grad/\(graph[v].name)"), type: t, role: .constant, data: data))
    }

    private mutating func uniqueName(_ base: String) -> String {
        usedNames.claimUnique(base, separator: "_dup", firstSuffix: 2)
    }
}

import GraphIR
import GraphOpt
import Kernels

/// A graph compiled for execution: static shapes, constant subgraphs folded, optimized
/// (BN folded, conv + add + activation fused), one step per remaining node with its
/// kernel parameters resolved, and one allocation whose activation part is shared by
/// values that are never live together.
///
/// ```swift
/// let program = try Program.compile(graph, inputShapes: ["image": [1, 3, 224, 224]],
///                                   options: CompileOptions(pinned: ["conv5_block3_out"]))
/// let outputs = try program.run(["image": image])
/// let features = try program.values(named: "conv5_block3_out")
/// print(program.memoryStats.formatted())
/// ```
public final class Program {
    /// The graph the program runs: specialized, lowered (compile-time work removed) and,
    /// with `CompileOptions.optimize`, optimized. Weights and constants that steps read live
    /// in the arena only, so their values here carry no data: read them with `values(named:)`.
    public let graph: Graph
    /// The options the program was compiled with.
    public let options: CompileOptions
    /// The memory planner's report (offsets, live intervals, sharing); nil when compiled
    /// with `planMemory: false`.
    public let memoryPlan: MemoryPlan?
    /// Arena, naive and weights bytes.
    public let memoryStats: MemoryStats
    let steps: [Step]
    let arena: Arena
    /// Per value of `graph`: its buffer, or nil when it needs none.
    let buffers: [BufferRef?]
    /// Per value of `graph`: whether its buffer still holds its contents after a run.
    let readable: [Bool]
    /// Per value of `graph`: a weight or constant whose only copy is its arena buffer.
    let weightsInArena: [Bool]
    /// Graph inputs fed at run time (those not given as constants).
    let runtimeInputs: [ValueID]
    let runtimeInputNames: Set<String>
    let constantInputNames: Set<String>
    let valueByName: [String: ValueID]
    /// Values computed at compile time (folded nodes, constant inputs), by name, for those
    /// that lowering or optimization removed from `graph`.
    let foldedByName: [String: Tensor]
    /// Names of every value of the specialized graph before optimization.
    let sourceNames: Set<String>
    private(set) var runCount = 0

    init(graph: Graph, options: CompileOptions, layout: ProgramLayout, steps: [Step], arena: Arena,
         weightsInArena: [Bool], constantInputNames: Set<String>, foldedByName: [String: Tensor], sourceNames: Set<String>) {
        self.graph = graph
        self.options = options
        self.memoryPlan = layout.plan
        self.memoryStats = layout.stats
        self.steps = steps
        self.arena = arena
        self.buffers = layout.buffers
        var readable = layout.buffers.map { $0 != nil && !options.planMemory }
        for id in graph.inputs + graph.outputs { readable[id.index] = true }
        for (i, v) in graph.values.enumerated() where options.pinned.contains(v.name) { readable[i] = true }
        self.readable = readable
        self.weightsInArena = weightsInArena
        self.runtimeInputs = graph.inputs
        self.runtimeInputNames = Set(graph.inputs.map { graph[$0].name })
        self.constantInputNames = constantInputNames
        self.valueByName = graph.valueIndexByName
        self.foldedByName = foldedByName
        self.sourceNames = sourceNames
    }

    /// `kernel`, marked prepacked when it is a conv whose plan packs its weights
    /// (`Conv.Plan.packsWeights`) and whose weights are compile-time values.
    private static func prepackingWeights(_ kernel: StepKernel, weightIsConstant: Bool) -> StepKernel {
        guard weightIsConstant else { return kernel }
        switch kernel {
        case .conv(let plan, let activation, _) where plan.packsWeights:
            return .conv(plan, activation: activation, prepacked: true)
        case .gradient(.convGradInputWinograd(let plan, _)):
            return .gradient(.convGradInputWinograd(plan, prepacked: true))
        default:
            return kernel
        }
    }

    /// Packs again the weights of every step that reads bytes in `refs`: after this program
    /// overwrote weights (`setParameters`, `copyParameters`, training state copies).
    func repackWeights(touching refs: [BufferRef]) {
        for step in steps {
            guard let box = step.packedWeights, refs.contains(where: box.reads) else { continue }
            box.repack(from: arena)
        }
    }

    /// The steps whose packed weights read bytes in `refs`.
    func packedWeightBoxes(touching refs: [BufferRef]) -> [PackedWeightsBox] {
        steps.compactMap { step in step.packedWeights.flatMap { box in refs.contains(where: box.reads) ? box : nil } }
    }

    /// Compiles `graph` for the given input shapes.
    ///
    /// - Parameters:
    ///   - inputShapes: concrete shapes of graph inputs; they bind the symbolic dims
    ///     (such as the batch `N`) everywhere in the graph.
    ///   - constantInputs: graph inputs whose contents are fixed for this program (a
    ///     Reshape's shape, Pad's pads, Clip's bounds fed as inputs); they are folded
    ///     like constants and not passed to `run`.
    ///   - options: optimization, memory planning and the values to keep readable.
    /// - Throws: `RuntimeError` naming the input, node or value at fault, e.g. a node whose
    ///   type stays symbolic, an op the runtime cannot execute, or a pinned name that is not
    ///   in the graph; `PassError` when an optimization pass fails.
    ///
    /// Memory: weights move into the program's arena one at a time and leave the compiled
    /// graph as they go. A caller that hands over its only copy (`compile(consume graph)`)
    /// therefore never holds the weights twice; one that keeps its graph keeps its copy.
    public static func compile(_ graph: consuming Graph, inputShapes: [String: [Int]] = [:],
                               constantInputs: [String: Tensor] = [:],
                               options: CompileOptions = CompileOptions()) throws -> Program {
        var g: Graph
        let sourceNames: Set<String>, foldedByName: [String: Tensor]
        do {
            // Scoped so that the lowered graph ends up the only owner of the weights.
            let spec = try specialize(consume graph, inputShapes: inputShapes, constantInputs: constantInputs)
            g = spec.lowered(constantInputs: Set(constantInputs.keys))
            sourceNames = Set(spec.graph.values.map(\.name))
            foldedByName = spec.computedByName
        }
        try g.checkWeightsPresent()
        for name in options.pinned.sorted() where !sourceNames.contains(name) {
            throw RuntimeError(.value, name, "cannot be pinned: no such value in graph '\(g.name)'")
        }
        if let pipeline = options.effectivePipeline {
            g = try pipeline.run(g, pinned: options.pinned).graph
        }

        var kernels: [StepKernel] = []
        for node in g.nodes {
            let signature = NodeSignature(node: node, inputs: node.inputs.map { $0.map { g[$0].type } },
                                          outputs: node.outputs.map { g[$0].type },
                                          constants: node.inputs.map { $0.flatMap { g[$0].data } })
            kernels.append(prepackingWeights(try makeKernel(signature), weightIsConstant: signature.constants.count > 1
                                                 && signature.constants[1] != nil))
        }
        let layout = try ProgramLayout.make(graph: g, kernels: kernels, pinned: options.pinned,
                                            planMemory: options.planMemory)
        var steps: [Step] = []
        for (n, node) in g.nodes.enumerated() {
            let step = Step(node: node.name, op: node.op, kernel: kernels[n],
                            inputs: node.inputs.map { $0.flatMap { layout.buffers[$0.index] } },
                            outputs: node.outputs.map { layout.buffers[$0.index] }, scratch: layout.scratch[n])
            if !step.isAliasedCopy { steps.append(step) }
        }

        // Weights move into the arena one at a time and leave the graph as they go, so the
        // optimized weights are never held twice (`values(named:)` reads them back).
        let arena = Arena(byteCount: layout.totalBytes, zeroedBytes: layout.weightsOffset)
        var inArena = Array(repeating: false, count: g.values.count)
        for i in g.values.indices {
            guard let t = g.values[i].data, let ref = layout.buffers[i] else { continue }
            guard t.dtype == ref.dtype, t.elementCount == ref.count else {
                throw RuntimeError(.value, g.values[i].name, "data \(t.type) does not match its type \(g.values[i].type)")
            }
            arena.write(t, to: ref)
            g.values[i].data = nil
            inArena[i] = true
        }
        for s in steps.indices {
            guard steps[s].inputs.count > 1, let weight = steps[s].inputs[1] else { continue }
            switch steps[s].kernel {
            case .conv(let plan, _, true):
                steps[s].packedWeights = PackedWeightsBox(plan: plan, source: weight, arena: arena)
            case .gradient(.convGradInputWinograd(let plan, true)):
                steps[s].packedWeights = PackedWeightsBox(plan: plan, source: weight, transposed: true, arena: arena)
            default:
                break
            }
        }
        return Program(graph: g, options: options, layout: layout, steps: steps, arena: arena, weightsInArena: inArena,
                       constantInputNames: Set(constantInputs.keys), foldedByName: foldedByName,
                       sourceNames: sourceNames)
    }

    /// `graph` with every type static for these input shapes and compile-time work folded
    /// away, before any optimization: what a summary of the work per run (MACs) should
    /// count. Weights share storage with `graph`.
    public static func specialized(_ graph: Graph, inputShapes: [String: [Int]] = [:],
                                   constantInputs: [String: Tensor] = [:]) throws -> Graph {
        try specialize(graph, inputShapes: inputShapes, constantInputs: constantInputs)
            .lowered(constantInputs: Set(constantInputs.keys))
    }

    /// Number of kernel calls per run (reshapes that alias their input make none).
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
        try execute(inputs)
        return try graph.outputs.map { try tensor(of: $0) }
    }

    /// Checks and writes the run-time inputs, then runs every step: the part of a run that
    /// `run` and `runStep` share.
    func execute(_ inputs: [String: Tensor]) throws {
        try execute(inputs, steps: steps)
    }

    /// `execute` over `schedule` (the profiler passes none and runs the steps itself).
    func execute(_ inputs: [String: Tensor], steps schedule: [Step]) throws {
        for name in inputs.keys where !constantInputNames.contains(name) && !runtimeInputNames.contains(name) {
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
        for step in schedule { try step.execute(in: arena) }
        runCount += 1
    }

    /// The contents of a value after the last run, by name: graph inputs and outputs,
    /// pinned values, parameters and values known at compile time always; other
    /// intermediates only in a program compiled with `planMemory: false` (a planned
    /// program reuses their bytes, and optimization may fuse them away: pin them).
    public func values(named name: String) throws -> Tensor {
        guard let id = valueByName[name] else {
            if let t = foldedByName[name] { return t }
            if sourceNames.contains(name) {
                throw RuntimeError(.value, name, "was removed by optimization (fused or folded); "
                                   + "pin it with CompileOptions(pinned: [\"\(name)\"]) to keep it")
            }
            throw RuntimeError(.value, name, "no such value in graph '\(graph.name)'")
        }
        return try tensor(of: id)
    }

    private func tensor(of id: ValueID) throws -> Tensor {
        let v = graph[id]
        if let t = v.data { return t }
        guard let ref = buffers[id.index], let dims = v.type.shape.staticDims else {
            throw RuntimeError(.value, v.name, "is not computed by this program")
        }
        if weightsInArena[id.index] { return arena.read(ref, shape: dims) }
        guard readable[id.index] else {
            throw RuntimeError(.value, v.name, "is an intermediate whose memory the plan reuses; "
                               + "pin it with CompileOptions(pinned: [\"\(v.name)\"]) to read it after a run")
        }
        guard runCount > 0 || v.role != .intermediate else {
            throw RuntimeError(.value, v.name, "has no contents before the first run")
        }
        return arena.read(ref, shape: dims)
    }
}

extension Step {
    /// A reshape-like copy whose output shares its input's bytes: nothing to do.
    var isAliasedCopy: Bool {
        switch kernel {
        case .copy, .dropout:
            guard let x = inputs.first ?? nil, let y = outputs.first ?? nil else { return false }
            let maskWanted = outputs.count > 1 && outputs[1] != nil
            return x.offset == y.offset && !maskWanted
        default:
            return false
        }
    }
}

import GraphIR
import GraphOpt

/// Where every buffer of a program lives in its one allocation: activations and scratch
/// from offset 0 (planned or one slot per value), then the weights.
struct ProgramLayout {
    /// Per value of the graph: its buffer, nil when no step or output needs one.
    var buffers: [BufferRef?]
    /// Per node: byte offset of its scratch region, nil when its kernel needs none.
    var scratch: [Int?]
    /// Bytes of the whole allocation (activation arena, then weights).
    var totalBytes: Int
    /// Where the weights region starts (the end of the activation arena, aligned).
    var weightsOffset: Int
    var stats: MemoryStats
    /// The planner's report, nil for an unplanned program.
    var plan: MemoryPlan?
}

extension ProgramLayout {
    /// Lays out `graph`, whose node `n` runs `kernels[n]`.
    ///
    /// Scratch: with planning, two layouts are computed and the smaller arena wins:
    /// (a) each step's scratch is a buffer of its own, live only during that step, which
    /// the planner fits into space that dead activations left (usually best: a big im2col
    /// matrix early in a network fits where later, smaller layers never reach), and
    /// (b) one region sized for the hungriest step after all planned buffers.
    static func make(graph: Graph, kernels: [StepKernel], pinned: Set<String>, planMemory: Bool) throws -> ProgramLayout {
        var readOrWritten = Array(repeating: false, count: graph.values.count)
        for id in graph.inputs { readOrWritten[id.index] = true }
        for id in graph.outputs { readOrWritten[id.index] = true }
        for node in graph.nodes {
            for case let v? in node.inputs { readOrWritten[v.index] = true }
            for v in node.outputs { readOrWritten[v.index] = true }
        }
        let isWeight = graph.values.map { $0.data != nil }
        let activation = graph.values.indices.map { readOrWritten[$0] && !isWeight[$0] }
        let scratchBytes = kernels.map { $0.scratchCount * MemoryLayout<Float>.stride }
        let largestScratch = scratchBytes.max() ?? 0
        let types = graph.values.map(\.type)

        var buffers = [BufferRef?](repeating: nil, count: graph.values.count)
        var scratch = [Int?](repeating: nil, count: graph.nodes.count)
        var arenaBytes: Int, plan: MemoryPlan?, shared: Bool
        var naive = scratchBytes.reduce(0, +)
        if planMemory {
            var perNode: [NodeID: Int] = [:]
            for (n, bytes) in scratchBytes.enumerated() where bytes > 0 { perNode[NodeID(n)] = bytes }
            let inPlace = residualsWrittenOver(graph, kernels)
            let withScratch = try planned(graph, pinned: pinned, scratch: perNode, inPlace: inPlace)
            let withoutScratch = try planned(graph, pinned: pinned, scratch: [:], inPlace: inPlace)
            let sharedTotal = aligned64(withoutScratch.arenaBytes) + aligned64(largestScratch)
            shared = sharedTotal < withScratch.arenaBytes
            let chosen = shared ? withoutScratch : withScratch
            var offsetOfValue: [ValueID: Int] = [:]
            for e in chosen.entries {
                if let v = e.value { offsetOfValue[v] = e.offset }
                if let n = e.scratchOf { scratch[n.index] = e.offset }
            }
            for (i, v) in graph.values.enumerated() where activation[i] {
                guard let offset = offsetOfValue[ValueID(i)], let count = v.type.shape.elementCount else {
                    throw RuntimeError(.value, v.name, "has no place in the memory plan")
                }
                buffers[i] = BufferRef(offset: offset, dtype: v.type.dtype, count: count)
                naive += aligned64(count * v.type.dtype.byteSize)
            }
            if shared {
                for n in scratchBytes.indices where scratchBytes[n] > 0 { scratch[n] = aligned64(withoutScratch.arenaBytes) }
            }
            arenaBytes = shared ? sharedTotal : withScratch.arenaBytes
            plan = chosen
        } else {
            let values = try assignBuffers(types: types, needed: activation)
            buffers = values.buffers
            naive += values.totalBytes
            for n in scratchBytes.indices where scratchBytes[n] > 0 { scratch[n] = values.totalBytes }
            arenaBytes = values.totalBytes + aligned64(largestScratch)
            shared = true
            plan = nil
        }

        let weightsBase = aligned64(arenaBytes)
        let weights = try assignBuffers(types: types, needed: graph.values.indices.map { readOrWritten[$0] && isWeight[$0] },
                                        base: weightsBase)
        for (i, ref) in weights.buffers.enumerated() where ref != nil { buffers[i] = ref }
        let stats = MemoryStats(arenaBytes: arenaBytes, naiveBytes: naive, weightsBytes: weights.totalBytes,
                                largestScratchBytes: largestScratch, sharedScratch: shared)
        return ProgramLayout(buffers: buffers, scratch: scratch, totalBytes: weightsBase + weights.totalBytes,
                             weightsOffset: weightsBase, stats: stats, plan: plan)
    }

    /// Fused convolutions whose kernel may write the output over the residual `Z` (input 3,
    /// `Conv.Plan.writesOverResidual`), when `Z` is not also the convolution's input: the
    /// output then takes over `Z`'s bytes where `Z` dies, which saves the memory traffic of a
    /// fresh output buffer (ResNet's block tails).
    private static func residualsWrittenOver(_ graph: Graph, _ kernels: [StepKernel]) -> [NodeID: Int] {
        var result: [NodeID: Int] = [:]
        for (n, node) in graph.nodes.enumerated() where node.op == .fusedConv && node.inputs.count > 3 {
            guard case .conv(let plan, _, _) = kernels[n], plan.writesOverResidual,
                  let z = node.inputs[3], !node.inputs.prefix(3).contains(z) else { continue }
            result[NodeID(n)] = 3
        }
        return result
    }

    private static func planned(
        _ graph: Graph, pinned: Set<String>, scratch: [NodeID: Int], inPlace: [NodeID: Int]
    ) throws -> MemoryPlan {
        do {
            return try MemoryPlanner.plan(graph: graph, pinned: pinned, scratch: scratch, inPlaceInputs: inPlace)
        } catch let e as MemoryPlanError {
            throw RuntimeError(.value, graph.name, "memory planning failed: \(e.message)")
        }
    }
}

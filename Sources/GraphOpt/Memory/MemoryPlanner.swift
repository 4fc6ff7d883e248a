import GraphIR

/// Plans one arena for a graph's run-time buffers (see `MemoryPlan`).
///
/// Steps, in priority order:
/// 1. live intervals: a value lives from its defining node to its last reader;
/// 2. graph inputs, graph outputs and pinned values get regions of their own;
/// 3. the output of a reshape-like op (Reshape, Flatten, Squeeze, Unsqueeze, Identity,
///    Dropout) shares its input's bytes: they form one buffer whose interval is the
///    union, so nothing may overwrite the input while the alias is read;
/// 4. the output of an elementwise op takes over an input's buffer of the same size when
///    that whole buffer dies at this node (in place); so does the output of a node the caller
///    names in `inPlaceInputs` (a kernel that reads each element of that input before it
///    writes the same element of its output, such as a convolution's fused residual);
/// 5. remaining buffers (and per-node scratch) are placed in schedule order: best fit in
///    the space freed by buffers that died before, coalesced, else fresh at the end.
/// Sizes are rounded up to `MemoryPlan.alignment`.
public enum MemoryPlanner {
    static let aliasOps: Set<OpKind> = [.reshape, .flatten, .squeeze, .unsqueeze, .identity, .dropout]
    static let elementwiseOps: Set<OpKind> = [
        .relu, .leakyRelu, .clip, .sigmoid, .hardSigmoid, .hardSwish, .swish, .tanh, .exp, .log, .neg, .sqrt,
        .reciprocal, .add, .sub, .mul, .div,
    ]

    /// A group of values sharing bytes (one value, or a value and its aliases and
    /// in-place successors), or one scratch request.
    struct Buffer {
        var size: Int
        var start: Int
        var end: Int
        var pinned: Bool
        var offset = 0
        var kind: MemoryPlan.Kind = .fresh
    }

    /// Plans `graph` (static shapes: specialize first) with `pinned` values kept intact
    /// and `scratch` bytes needed by nodes only while they run. `inPlaceInputs[n] = i`: node
    /// `n`'s first output may be written over its input `i` when that buffer dies at `n`.
    public static func plan(
        graph: Graph, pinned: Set<String> = [], scratch: [NodeID: Int] = [:], inPlaceInputs: [NodeID: Int] = [:]
    ) throws -> MemoryPlan {
        let last = max(graph.nodes.count - 1, 0)
        var planned = Array(repeating: false, count: graph.values.count)
        var observed = Array(repeating: false, count: graph.values.count)
        var bytes = Array(repeating: 0, count: graph.values.count)
        var first = Array(repeating: 0, count: graph.values.count)
        var lastUse = Array(repeating: 0, count: graph.values.count)
        for v in graph.inputs { planned[v.index] = true; observed[v.index] = true }
        for v in graph.outputs { observed[v.index] = true }
        for (i, v) in graph.values.enumerated() where pinned.contains(v.name) { observed[i] = true }
        for (n, node) in graph.nodes.enumerated() {
            for v in node.outputs where v.index < graph.values.count {
                planned[v.index] = true
                first[v.index] = n
                lastUse[v.index] = n
            }
            for case let v? in node.inputs where v.index < graph.values.count {
                lastUse[v.index] = max(lastUse[v.index], n)
            }
        }
        for (i, v) in graph.values.enumerated() where planned[i] {
            guard v.role == .input || v.role == .intermediate else { planned[i] = false; continue }
            guard let count = v.type.shape.elementCount else {
                throw MemoryPlanError("%\(v.name): type \(v.type) is not static; specialize the graph before planning")
            }
            bytes[i] = count * v.type.dtype.byteSize
            if observed[i] { lastUse[i] = last }
        }

        var buffers: [Buffer] = []
        var bufferOf = Array(repeating: -1, count: graph.values.count)
        var kindOf = Array(repeating: MemoryPlan.Kind.fresh, count: graph.values.count)
        var sharesWith = [String?](repeating: nil, count: graph.values.count)
        func join(_ v: Int, _ b: Int, _ kind: MemoryPlan.Kind, _ source: Int) {
            bufferOf[v] = b
            buffers[b].end = max(buffers[b].end, lastUse[v])
            kindOf[v] = kind
            sharesWith[v] = graph.values[source].name
        }
        func own(_ v: Int) {
            bufferOf[v] = buffers.count
            buffers.append(Buffer(size: aligned(bytes[v]), start: first[v], end: lastUse[v], pinned: observed[v]))
        }
        for v in graph.inputs where bufferOf[v.index] < 0 { own(v.index) }
        var scratchBuffer: [(NodeID, Int)] = []
        for (n, node) in graph.nodes.enumerated() {
            for (k, out) in node.outputs.enumerated() where planned[out.index] {
                let o = out.index
                if !observed[o], k == 0, aliasOps.contains(node.op), let x = node.inputs.first ?? nil,
                   planned[x.index], bufferOf[x.index] >= 0, bytes[x.index] == bytes[o] {
                    join(o, bufferOf[x.index], .alias, x.index)
                    continue
                }
                let candidates: [ValueID]
                if let i = inPlaceInputs[NodeID(n)], k == 0, i < node.inputs.count, let x = node.inputs[i] {
                    candidates = [x]
                } else {
                    candidates = elementwiseOps.contains(node.op) ? node.inputs.compactMap { $0 } : []
                }
                if !observed[o], let x = candidates.first(where: { x in
                       let b = x.index < bufferOf.count ? bufferOf[x.index] : -1
                       return planned[x.index] && b >= 0 && !buffers[b].pinned && buffers[b].end == n
                           && bytes[x.index] == bytes[o]
                   }) {
                    join(o, bufferOf[x.index], .inPlace, x.index)
                    continue
                }
                own(o)
            }
            if let s = scratch[NodeID(n)], s > 0 {
                scratchBuffer.append((NodeID(n), buffers.count))
                buffers.append(Buffer(size: aligned(s), start: n, end: n, pinned: false))
            }
        }
        let pinnedBytes = placePinned(&buffers)
        placeDynamic(&buffers, base: pinnedBytes)

        var entries: [MemoryPlan.Entry] = []
        var naive = 0
        for (i, v) in graph.values.enumerated() where planned[i] && bufferOf[i] >= 0 {
            let b = buffers[bufferOf[i]]
            let kind = sharesWith[i] == nil ? b.kind : kindOf[i]
            entries.append(MemoryPlan.Entry(name: v.name, value: ValueID(i), offset: b.offset, bytes: bytes[i],
                                            firstUse: first[i], lastUse: lastUse[i], kind: kind,
                                            sharesWith: sharesWith[i]))
            naive += bytes[i]
        }
        for (n, b) in scratchBuffer {
            let size = scratch[n] ?? 0
            entries.append(MemoryPlan.Entry(name: graph.nodes[n.index].name + "/scratch", scratchOf: n,
                                            offset: buffers[b].offset, bytes: size, firstUse: n.index,
                                            lastUse: n.index, kind: buffers[b].kind))
            naive += size
        }
        let arena = buffers.map { $0.offset + $0.size }.max() ?? 0
        return MemoryPlan(entries: entries, arenaBytes: arena, naiveBytes: naive, pinnedBytes: pinnedBytes)
    }

    static func aligned(_ n: Int) -> Int {
        let a = MemoryPlan.alignment
        return (n + a - 1) / a * a
    }

    /// Pinned buffers one after another from offset 0; returns the region's size.
    private static func placePinned(_ buffers: inout [Buffer]) -> Int {
        var top = 0
        for i in buffers.indices where buffers[i].pinned {
            buffers[i].offset = top
            buffers[i].kind = .pinned
            top += buffers[i].size
        }
        return top
    }

    /// The other buffers in order of their start, freeing those that ended before.
    private static func placeDynamic(_ buffers: inout [Buffer], base: Int) {
        let order = buffers.indices.filter { !buffers[$0].pinned }.sorted {
            (buffers[$0].start, -buffers[$0].size, $0) < (buffers[$1].start, -buffers[$1].size, $1)
        }
        var byEnd = order.sorted { (buffers[$0].end, $0) < (buffers[$1].end, $1) }[...]
        var live = Set<Int>()
        var free = FreeList()
        for i in order {
            // A buffer ending at t is still read by node t, so only earlier ends are freed.
            while let j = byEnd.first, buffers[j].end < buffers[i].start {
                byEnd.removeFirst()
                if live.remove(j) != nil { free.free(offset: buffers[j].offset - base, size: buffers[j].size) }
            }
            let (offset, reused) = free.allocate(buffers[i].size)
            buffers[i].offset = base + offset
            buffers[i].kind = reused ? .reused : .fresh
            live.insert(i)
        }
    }
}

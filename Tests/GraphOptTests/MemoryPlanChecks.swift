import GraphIR
import Testing
@testable import GraphOpt

/// Independent checks of a memory plan's invariants, used by the planner tests:
/// - offsets are aligned and every buffer fits in the arena;
/// - an `alias` shares the bytes of the input of a reshape-like op, an `inPlace` those of
///   an input of the same size of an elementwise op that dies there (or of a fused conv's
///   residual `Z`, which that kernel reads element by element before writing);
/// - two values live at the same time never overlap in memory, unless they hold the
///   same bytes (aliases of one version), or the later version was written in place at
///   the node where the earlier one was last read;
/// - graph inputs, outputs and pinned values are `pinned` and share memory with nothing
///   else but their own aliases.
enum MemoryPlanChecks {
    static let aliasOps: Set<OpKind> = [.reshape, .flatten, .squeeze, .unsqueeze, .identity, .dropout]
    static let elementwise: Set<OpKind> = [.relu, .leakyRelu, .clip, .sigmoid, .hardSigmoid, .hardSwish, .swish,
                                           .tanh, .exp, .log, .neg, .sqrt, .reciprocal, .add, .sub, .mul, .div]

    static func check(_ plan: MemoryPlan, _ graph: Graph, pinned: Set<String> = []) {
        var byName: [String: MemoryPlan.Entry] = [:]
        for e in plan.entries { byName[e.name] = e }
        // The version (first value written into these bytes) each entry belongs to.
        func head(_ e: MemoryPlan.Entry) -> MemoryPlan.Entry {
            var cur = e
            while cur.kind == .alias, let s = cur.sharesWith, let src = byName[s] { cur = src }
            return cur
        }
        for e in plan.entries {
            #expect(e.offset % MemoryPlan.alignment == 0, "\(e.name): offset \(e.offset) is not aligned")
            #expect(e.offset + e.bytes <= plan.arenaBytes, "\(e.name): ends past the arena")
            guard let v = e.value else { continue }
            let observed = graph.outputs.contains(v) || graph.inputs.contains(v) || pinned.contains(e.name)
            if observed { #expect(e.kind == .pinned, "\(e.name) is observed but \(e.kind)") }
            guard e.kind == .alias || e.kind == .inPlace else { continue }
            let producer = graph[v].producer.map { graph[$0] }
            let source = e.sharesWith.flatMap { byName[$0] }
            #expect(source?.offset == e.offset, "\(e.name): does not sit at the offset of what it shares")
            if e.kind == .alias {
                #expect(producer.map { aliasOps.contains($0.op) } == true, "\(e.name): alias of a non-reshape op")
                #expect(producer?.inputs.first.flatMap { $0.map { graph[$0].name } } == e.sharesWith)
            } else {
                if producer?.op == .fusedConv {
                    #expect(producer.map { $0.inputs.count > 3 && $0.inputs[3].map { graph[$0].name } == e.sharesWith } == true,
                            "\(e.name): a fused conv in place on something other than its residual")
                } else {
                    #expect(producer.map { elementwise.contains($0.op) } == true, "\(e.name): in place on a non-elementwise op")
                    #expect(producer?.inputs.contains { $0.map { graph[$0].name } == e.sharesWith } == true)
                }
                #expect(source?.bytes == e.bytes)
            }
        }
        let entries = plan.entries
        for i in entries.indices {
            for j in (i + 1)..<entries.count {
                let a = entries[i], b = entries[j]
                guard a.isLive(togetherWith: b), a.overlapsInMemory(b) else { continue }
                let ha = head(a), hb = head(b)
                if ha.name == hb.name { continue }
                let (older, newer) = ha.firstUse <= hb.firstUse ? (a, hb) : (b, ha)
                let legal = newer.kind == .inPlace && older.offset == newer.offset && older.lastUse <= newer.firstUse
                #expect(legal, "\(a.name) [\(a.firstUse), \(a.lastUse)] @\(a.offset)+\(a.bytes) overlaps \(b.name) [\(b.firstUse), \(b.lastUse)] @\(b.offset)+\(b.bytes)")
            }
        }
    }
}

/// Seeded random DAGs of elementwise, reshape-like and concatenating nodes on `[1, c]`
/// tensors, with random graph outputs, pinned values and scratch requests.
struct RandomDAG {
    var graph: Graph
    var pinned: Set<String>
    var scratch: [NodeID: Int]

    init(seed: UInt64, nodes: Int = 40) throws {
        var rng = SeededRandom(seed: seed)
        func pick(_ n: Int) -> Int { Int(rng.next() % UInt64(n)) }
        var b = GraphBuilder(name: "random\(seed)")
        var values = [b.input("x", TensorType(.float32, [1, .known([4, 16, 100][pick(3)])]))]
        let flat = b.constant("flat", .int64Vector([1, -1]))
        for k in 0..<nodes {
            // Prefer recent values so that chains (and in-place chances) form.
            let x = values[max(0, values.count - 1 - pick(min(values.count, 6)))]
            let name = "n\(k)"
            switch pick(7) {
            case 0, 1: values.append(try b.add([.relu, .sigmoid, .neg][pick(3)], name, [x]))
            case 2:
                let same = values.filter { b.type(of: $0) == b.type(of: x) }
                values.append(try b.add([.add, .mul][pick(2)], name, [x, same[pick(same.count)]]))
            case 3: values.append(try b.add(.reshape, name, [x, flat]))
            case 4: values.append(try b.add(.identity, name, [x]))
            case 5:
                let y = values[pick(values.count)]
                values.append(try b.add(.concat, name, [x, y], ["axis": .int(1)]))
            default: values.append(try b.add(.flatten, name, [x], ["axis": .int(1)]))
            }
        }
        b.output(values[values.count - 1])
        if pick(2) == 0 { b.output(values[1 + pick(values.count - 1)]) }
        let g = b.graph
        var pins = Set<String>()
        for _ in 0..<pick(3) { pins.insert(g[values[1 + pick(values.count - 1)]].name) }
        var scratch: [NodeID: Int] = [:]
        for _ in 0..<pick(4) { scratch[NodeID(pick(g.nodes.count))] = 64 * (1 + pick(20)) }
        self.graph = g
        self.pinned = pins
        self.scratch = scratch
    }
}

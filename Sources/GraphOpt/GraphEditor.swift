import GraphIR

/// A mutable view of a graph for rewrite rules: nodes can be replaced or removed in
/// place, uses rewired, and values added, while the consumer lists stay current so that
/// `match` stays cheap. `finish()` returns a dense, verified-shape `Graph` again.
///
/// Node positions never move: a rule that fuses several nodes puts the fused node at
/// the position of the *last* node it absorbs, which keeps the order topological (all
/// of the fused node's operands were available there) and keeps that node's output value.
public struct GraphEditor {
    /// The graph being edited. Removed nodes stay in `nodes` (see `isAlive`) until `finish()`.
    public private(set) var graph: Graph
    private var alive: [Bool]
    private var users: [[NodeID]]
    /// Sort key per value, so that values added by a rule print next to the value they
    /// replace (e.g. a folded kernel next to the original kernel).
    private var orderKey: [(anchor: Int, sequence: Int)]
    private var nextSequence = 1
    private var names: Set<String>
    /// Graph outputs and pinned values: never fused away or renamed.
    public private(set) var observed: Set<ValueID>
    /// Names of pinned values (besides the graph outputs).
    public let pinnedNames: Set<String>

    public init(_ graph: Graph, pinned: Set<String> = []) {
        self.graph = graph
        alive = Array(repeating: true, count: graph.nodes.count)
        users = graph.consumers
        orderKey = graph.values.indices.map { ($0, 0) }
        names = Set(graph.values.map(\.name)).union(graph.nodes.map(\.name))
        pinnedNames = pinned
        observed = Set(graph.outputs)
        for (i, v) in graph.values.enumerated() where pinned.contains(v.name) { observed.insert(ValueID(i)) }
    }

    // MARK: Queries (cheap, read-only)

    public var nodeIDs: [NodeID] { graph.nodeIDs.filter { alive[$0.index] } }
    public func isAlive(_ n: NodeID) -> Bool { n.index < alive.count && alive[n.index] }
    public subscript(n: NodeID) -> Node { graph[n] }
    public subscript(v: ValueID) -> Value { graph[v] }

    /// The live nodes that read `v`, in node order.
    public func users(of v: ValueID) -> [NodeID] { users[v.index] }

    /// The only node reading `v`, when exactly one node does (however many times).
    public func singleUser(of v: ValueID) -> NodeID? {
        users[v.index].count == 1 ? users[v.index][0] : nil
    }

    /// True for graph outputs and pinned values.
    public func isObserved(_ v: ValueID) -> Bool { observed.contains(v) }

    /// The live node computing `v`, if any.
    public func producer(of v: ValueID) -> NodeID? {
        guard graph[v].role == .intermediate, let p = graph[v].producer, isAlive(p) else { return nil }
        return p
    }

    /// The contents of `v` when it is a constant, or a parameter with data.
    public func data(of v: ValueID?) -> Tensor? {
        guard let v else { return nil }
        let value = graph[v]
        guard value.role == .constant || value.role == .parameter else { return nil }
        return value.data
    }

    /// `v`'s intermediate value is an internal link of a chain that may be fused:
    /// produced by a live node, read only by `user`, and not observed.
    public func isPrivateLink(_ v: ValueID, to user: NodeID) -> Bool {
        producer(of: v) != nil && singleUser(of: v) == user && !isObserved(v)
    }

    // MARK: Edits

    /// Replaces node `n` by `node`, keeping its position. The new node's outputs get `n`
    /// as producer; outputs the old node had and the new one lacks lose their producer.
    public mutating func replaceNode(_ n: NodeID, with node: Node) {
        detachInputs(of: n)
        for out in graph[n].outputs where graph[out].producer == n { graph[out].producer = nil }
        graph.nodes[n.index] = node
        for out in node.outputs { graph[out].producer = n }
        attachInputs(of: n)
    }

    /// Removes node `n`; its outputs lose their producer (and disappear in `finish()`
    /// unless something still reads them, which the verifier would then report).
    public mutating func removeNode(_ n: NodeID) {
        guard isAlive(n) else { return }
        detachInputs(of: n)
        for out in graph[n].outputs where graph[out].producer == n { graph[out].producer = nil }
        alive[n.index] = false
    }

    /// Makes every reader of `old` (and the graph outputs) read `new` instead.
    public mutating func replaceUses(of old: ValueID, with new: ValueID) {
        guard old != new else { return }
        for n in users[old.index] {
            var node = graph[n]
            node.inputs = node.inputs.map { $0 == old ? new : $0 }
            graph.nodes[n.index] = node
            if !users[new.index].contains(n) { users[new.index].append(n); users[new.index].sort() }
        }
        users[old.index] = []
        graph.outputs = graph.outputs.map { $0 == old ? new : $0 }
        if observed.remove(old) != nil { observed.insert(new) }
    }

    /// Renames a value (the caller makes sure the old holder of `name` is gone).
    public mutating func rename(_ v: ValueID, to name: String) {
        names.insert(name)
        graph[v].name = name
    }

    /// Turns the intermediate `v` into a constant with `data`, removing its producer.
    public mutating func makeConstant(_ v: ValueID, data: Tensor) {
        if let p = producer(of: v) { removeNode(p) }
        graph[v].role = .constant
        graph[v].producer = nil
        graph[v].trainable = false
        graph[v].type = data.type
        graph[v].data = data
    }

    /// Adds a value that will print right after `anchor` and returns its id. The name
    /// is made unique by a numeric suffix if needed.
    public mutating func addValue(_ value: Value, after anchor: ValueID) -> ValueID {
        var v = value
        v.name = uniqueName(value.name)
        names.insert(v.name)
        let id = graph.addValue(v)
        users.append([])
        orderKey.append((orderKey[anchor.index].anchor, nextSequence))
        nextSequence += 1
        return id
    }

    /// `base`, or `base_2`, `base_3`, ... whichever no value or node uses yet.
    public func uniqueName(_ base: String) -> String {
        guard names.contains(base) else { return base }
        var k = 2
        while names.contains("\(base)_\(k)") { k += 1 }
        return "\(base)_\(k)"
    }

    /// The edited graph: live nodes in their order, values that something still refers to
    /// (graph inputs always kept), renumbered densely.
    public func finish() -> Graph {
        var referenced = Array(repeating: false, count: graph.values.count)
        for v in graph.inputs { referenced[v.index] = true }
        for v in graph.outputs { referenced[v.index] = true }
        for (i, n) in graph.nodes.enumerated() where alive[i] {
            for case let v? in n.inputs { referenced[v.index] = true }
            for v in n.outputs { referenced[v.index] = true }
        }
        let order = graph.values.indices.filter { referenced[$0] }.sorted {
            orderKey[$0] == orderKey[$1] ? $0 < $1 : orderKey[$0] < orderKey[$1]
        }
        var map = Array(repeating: -1, count: graph.values.count)
        var out = Graph(name: graph.name)
        for i in order {
            var v = graph.values[i]
            v.producer = nil
            map[i] = out.addValue(v).index
        }
        for (i, n) in graph.nodes.enumerated() where alive[i] {
            var node = n
            node.inputs = n.inputs.map { $0.map { ValueID(map[$0.index]) } }
            node.outputs = n.outputs.map { ValueID(map[$0.index]) }
            out.addNode(node)
        }
        out.inputs = graph.inputs.map { ValueID(map[$0.index]) }
        out.outputs = graph.outputs.map { ValueID(map[$0.index]) }
        return out
    }

    private mutating func detachInputs(of n: NodeID) {
        for case let v? in graph[n].inputs { users[v.index].removeAll { $0 == n } }
    }

    private mutating func attachInputs(of n: NodeID) {
        for case let v? in graph[n].inputs where !users[v.index].contains(n) {
            users[v.index].append(n)
            users[v.index].sort()
        }
    }
}

import GraphIR

/// What an applied rewrite changed, so the driver can revisit exactly the nodes that
/// might match now.
public struct RewriteChange: Sendable {
    /// Nodes created or replaced by the rewrite.
    public var nodes: [NodeID]
    /// Values whose producer or readers changed; their producers and users are revisited.
    public var values: [ValueID]

    public init(nodes: [NodeID] = [], values: [ValueID] = []) {
        self.nodes = nodes
        self.values = values
    }
}

/// One local rewrite: a cheap read-only `match` on a node of one of `rootOps`, and an
/// `apply` that edits the graph and reports what changed.
///
/// `match` must not allocate much or look far: the driver calls it on every node of a
/// root op, again whenever a neighbour changes. `apply` may assume the match is current.
public protocol RewriteRule: Sendable {
    associatedtype Match
    /// The name printed in statistics, e.g. `fold-batchnorm`.
    var name: String { get }
    /// Ops of the nodes this rule starts matching from (the driver's index).
    var rootOps: Set<OpKind> { get }
    func match(_ node: NodeID, in graph: GraphEditor) -> Match?
    func apply(_ match: Match, to graph: inout GraphEditor) throws -> RewriteChange
}

/// How many times each rule fired, in the order rules were first registered.
public struct RewriteStats: Sendable, Equatable {
    public private(set) var ruleNames: [String] = []
    public private(set) var applied: [String: Int] = [:]

    public init() {}

    public subscript(rule: String) -> Int { applied[rule] ?? 0 }

    mutating func register(_ rule: String) {
        if applied[rule] == nil { ruleNames.append(rule); applied[rule] = 0 }
    }

    mutating func record(_ rule: String) {
        register(rule)
        applied[rule, default: 0] += 1
    }

    /// Adds another run's counts to these.
    public mutating func merge(_ other: RewriteStats) {
        for name in other.ruleNames {
            register(name)
            applied[name, default: 0] += other[name]
        }
    }

    /// One line per rule: `fold-batchnorm: 53`.
    public func formatted() -> String {
        let width = ruleNames.map(\.count).max() ?? 0
        return ruleNames.map { $0 + ":" + String(repeating: " ", count: width - $0.count + 1) + String(self[$0]) }
            .joined(separator: "\n")
    }
}

/// Drives a set of rules to a fixed point with one worklist.
///
/// Every live node is visited once in order; a node whose op indexes some rules is
/// offered to each of them, and the first match is applied. The nodes a rewrite reports
/// (and the producers and users of the values it reports) go back on the worklist. The
/// driver stops when the worklist is empty, or throws when the rules keep firing past a
/// generous bound (a rule pair that undoes each other).
public struct RewriteDriver: Sendable {
    private let rules: [AnyRewriteRule]
    private let index: [OpKind: [Int]]

    public init(rules: [any RewriteRule]) {
        self.rules = rules.map { AnyRewriteRule($0) }
        var index: [OpKind: [Int]] = [:]
        for (i, r) in self.rules.enumerated() {
            for op in r.rootOps.sorted(by: { $0.rawValue < $1.rawValue }) { index[op, default: []].append(i) }
        }
        self.index = index
    }

    /// Rewrites `graph` in place and returns how many times each rule fired.
    public func run(_ graph: inout GraphEditor) throws -> RewriteStats {
        var stats = RewriteStats()
        for r in rules { stats.register(r.name) }
        var queue = graph.nodeIDs
        var queued = Set(queue)
        var head = 0
        let limit = 20 * (graph.graph.nodes.count + 10)
        var applications = 0
        func enqueue(_ n: NodeID) {
            if queued.insert(n).inserted { queue.append(n) }
        }
        while head < queue.count {
            let n = queue[head]
            head += 1
            queued.remove(n)
            guard graph.isAlive(n), let candidates = index[graph[n].op] else { continue }
            for i in candidates {
                let rule = rules[i]
                guard let change = try rule.rewrite(n, &graph) else { continue }
                stats.record(rule.name)
                applications += 1
                if applications > limit {
                    throw PassError(pass: rule.name, "rewrites did not reach a fixed point after \(limit) applications (last at node \(graph[n].name))")
                }
                for m in change.nodes where graph.isAlive(m) { enqueue(m) }
                for v in change.values {
                    if let p = graph.producer(of: v) { enqueue(p) }
                    for u in graph.users(of: v) { enqueue(u) }
                }
                break
            }
        }
        return stats
    }
}

/// A rule with its match type erased, so rules of different kinds share one index.
struct AnyRewriteRule: Sendable {
    let name: String
    let rootOps: Set<OpKind>
    let rewrite: @Sendable (NodeID, inout GraphEditor) throws -> RewriteChange?

    init<R: RewriteRule>(_ rule: R) {
        name = rule.name
        rootOps = rule.rootOps
        rewrite = { node, graph in
            guard let m = rule.match(node, in: graph) else { return nil }
            return try rule.apply(m, to: &graph)
        }
    }
}

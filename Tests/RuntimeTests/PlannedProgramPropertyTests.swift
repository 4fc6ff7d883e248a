import GraphIR
import Testing
@testable import Runtime

/// Random DAGs of elementwise ops, broadcasts, reshape round trips and convs (which need
/// scratch): the planned program, where buffers are shared, aliased and overwritten in
/// place, must give bit-identical outputs and pinned values to the unplanned one.
@Suite("Memory planning: planned equals unplanned on random graphs")
struct PlannedProgramPropertyTests {
    static let shape = [2, 4, 5, 5]

    static func randomGraph(seed: UInt64) throws -> (graph: Graph, pinned: String) {
        var rng = SeededRandom(seed: seed)
        var b = GraphBuilder(name: "random-\(seed)", weights: .seeded(seed))
        var pool = [b.input("x", TensorType(.float32, Shape(shape)))]
        let steps = Int.random(in: 6...24, using: &rng)
        for k in 0..<steps {
            let a = pool.randomElement(using: &rng)!, c = pool.randomElement(using: &rng)!
            let name = "v\(k)"
            let v: ValueID
            switch Int.random(in: 0..<8, using: &rng) {
            case 0: v = try b.add(.relu, name, [a])
            case 1: v = try b.add(.sigmoid, name, [a])
            case 2: v = try b.add(.add, name, [a, c])
            case 3: v = try b.add(.mul, name, [a, c])
            case 4:
                let channel = b.parameter(name + "/c", shape: [1, 4, 1, 1], initializer: .uniform(low: -1, high: 1))
                v = try b.add(.sub, name, [a, channel])
            case 5:
                let flat = try b.add(.flatten, name + "/flat", [a])
                let tanh = try b.add(.tanh, name + "/tanh", [flat])
                v = try b.add(.reshape, name, [tanh, b.constant(name + "/shape", .int64Vector(shape))])
            case 6:
                let w = b.parameter(name + "/w", shape: [4, 4, 3, 3], initializer: .glorotUniform)
                v = try b.add(.conv, name, [a, w], ["pads": .ints([1, 1, 1, 1])])
            default:
                let w = b.parameter(name + "/w", shape: [4, 4, 1, 1], initializer: .glorotUniform)
                v = try b.add(.conv, name, [a, w])
            }
            pool.append(v)
        }
        b.output(pool.last!)
        if pool.count > 3 { b.output(pool[pool.count / 2]) }
        let pinned = b.graph[pool[Int.random(in: 1..<pool.count, using: &rng)]].name
        return (b.graph, pinned)
    }

    @Test(arguments: 0..<40)
    func plannedMatchesUnplanned(seed: UInt64) throws {
        let (graph, pinned) = try Self.randomGraph(seed: seed)
        var rng = SeededRandom(seed: 1000 + seed)
        let x = Tensor(shape: Self.shape, floats: (0..<Self.shape.reduce(1, *)).map { _ in 2 * rng.nextUnitFloat() - 1 })
        let unplanned = try Program.compile(graph, options: CompileOptions(optimize: false, planMemory: false))
        let planned = try Program.compile(graph, options: CompileOptions(optimize: false, pinned: [pinned]))
        let expected = try unplanned.run(["x": x])
        #expect(try planned.run(["x": x]) == expected)
        // A second run starts from the arena the first left behind: still identical.
        #expect(try planned.run(["x": x]) == expected)
        #expect(try planned.values(named: pinned) == (try unplanned.values(named: pinned)))
        #expect(planned.memoryStats.arenaBytes <= unplanned.memoryStats.arenaBytes)
    }
}

import Testing
@testable import Kernels

@Suite("BroadcastLike copy")
struct GradientBroadcastTests {
    @Test("[2, 1, 3] broadcast to [2, 2, 2, 3] repeats along the size-1 and leading axes")
    func broadcastsMiddleAndLeading() throws {
        let plan = try #require(BroadcastCopyPlan(input: [2, 1, 3], output: [2, 2, 2, 3]))
        let x: [Float] = [1, 2, 3, 4, 5, 6]
        var y = [Float](repeating: .nan, count: plan.outputCount)
        broadcastCopy(plan, input: x, output: &y)
        let once: [Float] = [1, 2, 3, 1, 2, 3, 4, 5, 6, 4, 5, 6]
        #expect(y == once + once)
    }

    @Test("a per-channel column [3, 1] spreads along the last axis; a scalar fills everything")
    func lastAxisAndScalar() throws {
        let column = try #require(BroadcastCopyPlan(input: [3, 1], output: [3, 2]))
        var y = [Float](repeating: .nan, count: 6)
        broadcastCopy(column, input: [7, 8, 9], output: &y)
        #expect(y == [7, 7, 8, 8, 9, 9])
        let scalar = try #require(BroadcastCopyPlan(input: [], output: [2, 2]))
        var z = [Float](repeating: .nan, count: 4)
        broadcastCopy(scalar, input: [5], output: &z)
        #expect(z == [5, 5, 5, 5])
    }

    @Test("shapes that do not broadcast have no plan")
    func rejects() {
        #expect(BroadcastCopyPlan(input: [2, 3], output: [3, 3]) == nil)
        #expect(BroadcastCopyPlan(input: [1, 2, 3], output: [2, 3]) == nil)
    }
}

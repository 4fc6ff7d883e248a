import Testing
@testable import Kernels

// Above `Elementwise.parallelThreshold` elements the elementwise kernels split their work
// across threads; every split must give exactly what one thread computes.

private func serialBinary(_ op: BinaryOp, _ plan: BroadcastPlan, _ a: [Float], _ b: [Float]) -> [Float] {
    var y = [Float](repeating: .nan, count: plan.count)
    binaryFloatSerial(op, plan, a, b, &y)
    return y
}

private func parallelBinary(_ op: BinaryOp, _ plan: BroadcastPlan, _ a: [Float], _ b: [Float]) -> [Float] {
    var y = [Float](repeating: .nan, count: plan.count)
    binaryFloat(op, plan, a, b, &y)
    return y
}

@Suite("Elementwise parallelism")
struct ElementwiseParallelTests {
    @Test("large broadcast ops give the single-thread result for every plan kind", arguments: [
        ([70_001], [70_001]),              // same shape
        ([70_001], [1]),                   // scalar right
        ([1], [70_001]),                   // scalar left
        ([2, 3, 20_000], [3, 1]),          // per channel, split over the outer axis
        ([1, 7, 10_001], [7, 1]),          // per channel, split over channels
        ([7, 1], [1, 7, 10_001]),          // per channel on the left
        ([3, 1, 30_000], [1, 2, 1]),       // general strided (stays on one thread)
    ])
    func broadcastSplits(aShape: [Int], bShape: [Int]) throws {
        let plan = try #require(BroadcastPlan(left: aShape, right: bShape))
        #expect(plan.count >= Elementwise.parallelThreshold)
        let a = KernelTestData.random(aShape.reduce(1, *), seed: 41)
        let b = KernelTestData.random(bShape.reduce(1, *), seed: 42)
        for op in [BinaryOp.add, .sub, .mul, .div] {
            #expect(parallelBinary(op, plan, a, b) == serialBinary(op, plan, a, b), "\(op) \(plan.kind)")
        }
    }

    @Test("large unary ops give the single-thread result, also in place")
    func unarySplits() {
        let count = 3 * Elementwise.parallelThreshold + 5
        let x = KernelTestData.random(count, seed: 43)
        for op in [UnaryOp.relu, .sigmoid, .clip(min: -0.5, max: 0.25), .swish(alpha: 1.5)] {
            var serial = [Float](repeating: .nan, count: count)
            unaryFloatSerial(op, x, &serial, count: count)
            var parallel = [Float](repeating: .nan, count: count)
            unaryFloat(op, x, &parallel, count: count)
            #expect(parallel == serial, "\(op)")
            var inPlace = x
            inPlace.withUnsafeMutableBufferPointer { unaryFloat(op, $0.baseAddress!, $0.baseAddress!, count: count) }
            #expect(inPlace == serial, "\(op) in place")
        }
    }
}

import Testing
@testable import Kernels

/// Naive numpy-broadcast reference: index each operand through its own strides.
private func referenceBroadcast(_ a: [Float], _ aShape: [Int], _ b: [Float], _ bShape: [Int],
                                _ f: (Float, Float) -> Float) -> [Float] {
    let rank = max(aShape.count, bShape.count)
    let la = Array(repeating: 1, count: rank - aShape.count) + aShape
    let lb = Array(repeating: 1, count: rank - bShape.count) + bShape
    let out = (0..<rank).map { max(la[$0], lb[$0]) }
    let sa = contiguousStrides(la), sb = contiguousStrides(lb), so = contiguousStrides(out)
    return (0..<out.reduce(1, *)).map { flat in
        var ia = 0, ib = 0
        for d in 0..<rank {
            let i = (flat / so[d]) % out[d]
            ia += (la[d] == 1 ? 0 : i) * sa[d]
            ib += (lb[d] == 1 ? 0 : i) * sb[d]
        }
        return f(a[ia], b[ib])
    }
}

private func ramp(_ n: Int, scale: Float = 0.5, offset: Float = 1) -> [Float] {
    (0..<n).map { Float($0) * scale + offset }
}

private func run(_ op: BinaryOp, _ a: [Float], _ aShape: [Int], _ b: [Float], _ bShape: [Int]) throws -> (BroadcastPlan, [Float]) {
    let plan = try #require(BroadcastPlan(left: aShape, right: bShape))
    var y = [Float](repeating: .nan, count: plan.count)
    binaryFloat(op, plan, a, b, &y)
    return (plan, y)
}

@Test("every broadcast pattern matches the naive reference exactly, for all four ops",
      arguments: [
        ([2, 3, 4, 5], [2, 3, 4, 5]),   // same shape
        ([2, 3, 4, 5], []),             // scalar right
        ([1], [2, 3]),                  // scalar left
        ([2, 3, 4, 5], [3, 1, 1]),      // per-channel bias against NCHW
        ([3, 1, 1], [2, 3, 4, 5]),      // per-channel on the left
        ([2, 1, 4], [3, 1]),            // both sides broadcast
        ([4, 1, 3, 1], [2, 1, 5]),      // interleaved
      ])
func broadcastMatchesReference(_ shapes: ([Int], [Int])) throws {
    let (aShape, bShape) = shapes
    let a = ramp(aShape.reduce(1, *)), b = ramp(bShape.reduce(1, *), scale: 0.25, offset: 2)
    let ops: [(BinaryOp, (Float, Float) -> Float)] = [(.add, +), (.sub, -), (.mul, *), (.div, /)]
    for (op, f) in ops {
        let (_, y) = try run(op, a, aShape, b, bShape)
        #expect(y == referenceBroadcast(a, aShape, b, bShape, f), "\(op) \(aShape) \(bShape)")
    }
}

@Test func planPicksTheFastPathForCommonCases() throws {
    #expect(try #require(BroadcastPlan(left: [2, 3], right: [2, 3])).kind == .sameShape)
    #expect(try #require(BroadcastPlan(left: [2, 3], right: [1])).kind == .scalarRight)
    #expect(try #require(BroadcastPlan(left: [2, 3, 4, 5], right: [3, 1, 1])).kind
            == .channelRight(outer: 2, channels: 3, inner: 20))
    #expect(BroadcastPlan(left: [2, 3], right: [4]) == nil)
}

@Test func int64ArithmeticTruncatesAndRefusesZeroDivisors() throws {
    let plan = try #require(BroadcastPlan(left: [4], right: [1]))
    let a: [Int64] = [7, -7, 9, 0]
    var y = [Int64](repeating: 0, count: 4)
    #expect(binaryInt64(.div, plan, rightCount: 1, a, [2], &y))
    #expect(y == [3, -3, 4, 0])
    #expect(binaryInt64(.mul, plan, rightCount: 1, a, [-3], &y))
    #expect(y == [-21, 21, -27, 0])
    #expect(!binaryInt64(.div, plan, rightCount: 1, a, [0], &y))
}

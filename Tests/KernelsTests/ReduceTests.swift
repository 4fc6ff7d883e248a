import Testing
@testable import Kernels

/// Naive reduce: accumulate each input element into its output slot.
private func referenceReduce(_ x: [Float], _ shape: [Int], _ axes: Set<Int>) -> [Float] {
    let keptShape = shape.indices.filter { !axes.contains($0) }.map { shape[$0] }
    var y = [Float](repeating: 0, count: keptShape.reduce(1, *))
    let inS = contiguousStrides(shape), outS = contiguousStrides(keptShape)
    for flat in x.indices {
        var o = 0, k = 0
        for d in shape.indices {
            let i = (flat / inS[d]) % shape[d]
            if !axes.contains(d) { o += i * outS[k]; k += 1 }
        }
        y[o] += x[flat]
    }
    return y
}

@Test("reduce over any axis set matches the naive sum (exact: small integers)",
      arguments: [[0], [1], [3], [1, 2], [0, 2], [1, 3], [0, 1, 2, 3], [2]])
func reduceMatchesReference(_ axes: [Int]) {
    let shape = [2, 3, 1, 4]
    let x = (0..<24).map { Float($0 % 7) }
    let plan = ReducePlan(shape: shape, axes: axes)
    var y = [Float](repeating: .nan, count: plan.outputCount)
    reduceFloat(plan, x, &y, mean: false)
    let expected = referenceReduce(x, shape, Set(axes))
    #expect(y == expected)
    reduceFloat(plan, x, &y, mean: true)
    #expect(zip(y, expected).allSatisfy { abs($0 - $1 / Float(plan.reducedCount)) < 1e-6 })
}

@Test func globalAverageStyleReductionIsABlock() {
    #expect(ReducePlan(shape: [2, 3, 4, 5], axes: [2, 3]).kind == .block(outer: 6, reduced: 20, inner: 1))
    if case .general = ReducePlan(shape: [2, 3, 4], axes: [0, 2]).kind {} else { Issue.record("expected general plan") }
}

import Testing
@testable import Kernels

private func copy<T>(_ v: StridedView, _ x: [T], fill: T) -> [T] {
    var y = [T](repeating: fill, count: v.count)
    x.withUnsafeBytes { src in
        y.withUnsafeMutableBytes { dst in
            stridedCopy(v, src.baseAddress!, dst.baseAddress!, elementSize: MemoryLayout<T>.stride)
        }
    }
    return y
}

@Test func transposeWithGeneralPermutationMatchesIndexArithmetic() {
    let shape = [2, 3, 4]
    let x = (0..<24).map(Float.init)
    let perm = [2, 0, 1]
    let y = copy(StridedView.transpose(shape: shape, perm: perm), x, fill: .nan)
    // y[k][i][j] = x[i][j][k]
    var expected: [Float] = []
    for k in 0..<4 { for i in 0..<2 { for j in 0..<3 { expected.append(x[i * 12 + j * 4 + k]) } } }
    #expect(y == expected)
}

@Test func transposeMovesInt64AndRank0Data() {
    let x: [Int64] = [1, 2, 3, 4, 5, 6]
    #expect(copy(StridedView.transpose(shape: [2, 3], perm: [1, 0]), x, fill: 0) == [1, 4, 2, 5, 3, 6])
    #expect(copy(StridedView.transpose(shape: [], perm: []), [Int64(9)], fill: 0) == [9])
}

@Test func sliceWithNegativeStepWalksBackwards() {
    // x = [[0..4], [5..9]]; take rows 1..0 reversed and columns 4,2,0.
    let x = (0..<10).map(Int64.init)
    let len = [2, 5]
    let rows = (start: 1, step: -1, count: 2), cols = (start: 4, step: -2, count: 3)
    let v = StridedView.slice(shape: len, starts: [rows.start, cols.start], steps: [rows.step, cols.step],
                              counts: [rows.count, cols.count])
    #expect(copy(v, x, fill: -1) == [9, 7, 5, 4, 2, 0])
}

@Test func concatInterleavesBlocksAlongTheAxis() {
    let a: [Float] = [1, 2, 3, 4]            // [2, 2]
    let b: [Float] = [5, 6]                  // [2, 1]
    var y = [Float](repeating: 0, count: 6)
    a.withUnsafeBytes { pa in b.withUnsafeBytes { pb in y.withUnsafeMutableBytes { py in
        concat([(pa.baseAddress!, 2), (pb.baseAddress!, 1)], outer: 2, inner: 1, py.baseAddress!, elementSize: 4)
    } } }
    #expect(y == [1, 2, 5, 3, 4, 6])
}

private func padded(_ x: [Float], _ shape: [Int], _ begin: [Int], _ end: [Int], _ mode: PadMode) throws -> [Float] {
    let plan = try #require(PadPlan(inputShape: shape, padsBegin: begin, padsEnd: end, mode: mode))
    var y = [Float](repeating: .nan, count: plan.outputCount)
    x.withUnsafeBytes { src in y.withUnsafeMutableBytes { dst in
        pad(plan, src.baseAddress!, dst.baseAddress!, elementSize: 4, fillBits: UInt64(Float(-1).bitPattern))
    } }
    return y
}

@Test func padModesOn1DMatchNumpy() throws {
    let x: [Float] = [1, 2, 3]
    // numpy.pad([1,2,3], (2,3), mode) for reflect / edge / wrap; constant -1.
    #expect(try padded(x, [3], [2], [3], .constant) == [-1, -1, 1, 2, 3, -1, -1, -1])
    #expect(try padded(x, [3], [2], [3], .reflect) == [3, 2, 1, 2, 3, 2, 1, 2])
    #expect(try padded(x, [3], [2], [3], .edge) == [1, 1, 1, 2, 3, 3, 3, 3])
    #expect(try padded(x, [3], [2], [3], .wrap) == [2, 3, 1, 2, 3, 1, 2, 3])
}

@Test func padIn2DAndNegativePadsCrop() throws {
    let x: [Float] = [1, 2, 3, 4, 5, 6]  // [2, 3]
    #expect(try padded(x, [2, 3], [1, 0], [0, -1], .constant) == [-1, -1, 1, 2, 4, 5])
    #expect(try padded(x, [2, 3], [0, 1], [1, 0], .edge) == [1, 1, 2, 3, 4, 4, 5, 6, 4, 4, 5, 6])
    #expect(PadPlan(inputShape: [2], padsBegin: [-3], padsEnd: [0], mode: .constant) == nil)
}

@Test func gatherAcceptsNegativeIndicesAndRejectsOutOfRange() {
    let x: [Float] = [1, 2, 3, 4, 5, 6]  // [3, 2], gather along axis 0
    var y = [Float](repeating: 0, count: 4)
    let bad = x.withUnsafeBytes { src in y.withUnsafeMutableBytes { dst in
        gather(src.baseAddress!, outer: 1, axisLength: 3, inner: 2, indices: [-1, 0], indexCount: 2,
               dst.baseAddress!, elementSize: 4)
    } }
    #expect(bad == nil)
    #expect(y == [5, 6, 1, 2])
    let outOfRange = x.withUnsafeBytes { src in y.withUnsafeMutableBytes { dst in
        gather(src.baseAddress!, outer: 1, axisLength: 3, inner: 2, indices: [3], indexCount: 1,
               dst.baseAddress!, elementSize: 4)
    } }
    #expect(outOfRange == 3)
}

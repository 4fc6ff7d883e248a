import Testing
@testable import Kernels

/// Shared helpers for the heavy-kernel tests: deterministic data and tolerant comparison.
enum KernelTestData {
    /// Deterministic pseudo-random floats in [-1, 1) (xorshift; stable across platforms).
    static func random(_ count: Int, seed: UInt64) -> [Float] {
        var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        return (0..<count).map { _ in
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return Float(Double(state >> 40) / Double(1 << 24)) * 2 - 1
        }
    }

    /// Largest `|actual - expected| / max(1, |expected|)`; infinite when counts differ.
    static func worstRelativeError(_ actual: [Float], _ expected: [Float]) -> Double {
        guard actual.count == expected.count else { return .infinity }
        var worst = 0.0
        for (a, e) in zip(actual, expected) {
            let error = abs(Double(a) - Double(e)) / max(1, abs(Double(e)))
            if error.isNaN { return .infinity }
            worst = max(worst, error)
        }
        return worst
    }

    /// The tolerance every kernel is held to against its double-precision reference.
    static let tolerance = 1e-4

    /// Row-major flat index of `coordinates` in `dims`.
    static func rowMajor(_ coordinates: [Int], _ dims: [Int]) -> Int {
        zip(coordinates, dims).reduce(0) { $0 * $1.1 + $1.0 }
    }

    /// Column-major flat index (first coordinate fastest) of `coordinates` in `dims`.
    static func columnMajor(_ coordinates: [Int], _ dims: [Int]) -> Int {
        zip(coordinates, dims).reversed().reduce(0) { $0 * $1.1 + $1.0 }
    }

    /// Coordinates of row-major flat `index` in `dims`.
    static func unravel(_ index: Int, _ dims: [Int]) -> [Int] {
        var rest = index
        var coordinates = Array(repeating: 0, count: dims.count)
        for axis in dims.indices.reversed() {
            coordinates[axis] = rest % dims[axis]
            rest /= dims[axis]
        }
        return coordinates
    }
}

@Suite("Parallel")
struct ParallelTests {
    @Test("chunks cover every index exactly once, whatever the count and chunk size")
    func chunksCoverRange() {
        for count in [0, 1, 2, 7, 1000] {
            for minimumChunk in [1, 3, 5000] {
                var hits = [Int](repeating: 0, count: count)
                hits.withUnsafeMutableBufferPointer { buffer in
                    let base = buffer.baseAddress
                    Parallel.forEachChunk(count: count, minimumChunk: minimumChunk) { range in
                        for index in range { base![index] += 1 }
                    }
                }
                #expect(hits.allSatisfy { $0 == 1 }, "count \(count), minimumChunk \(minimumChunk)")
            }
        }
    }
}

import Foundation
import KernelsAVX512

extension Gemm {
    /// Multiply-adds below which one AVX-512 product runs on one thread (~5 us of work, about
    /// what handing work to a second thread costs).
    static let avx512ThreadingThreshold = 1 << 20

    /// Row-major `C = alpha * op(A) * op(B) + beta * C` with the AVX-512 kernels, split across
    /// `Parallel.threadCount` workers by columns (or by 8-row blocks when `n` is narrow); each
    /// worker runs `AVX512Gemm.multiply` on its own block. Callers guarantee `m, n, k >= 1`
    /// and a CPU with AVX-512 (`CPUFeatures.hasAVX512F`); `threaded: false` keeps it on the
    /// calling thread (for callers that parallelize over several products). `packedA`: `a`
    /// holds `A` as `AVX512Gemm.packA` laid it out (`transA` false).
    static func avx512Sgemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
        alpha: Float, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, threaded: Bool = true, packedA: Bool = false
    ) {
        splitAVX512(m: m, n: n, k: k, threaded: threaded) { rows, columns, workspace in
            AVX512Gemm.multiply(m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, transposedA: transA,
                                aPacked: packedA, b: b, ldb: ldb, transposedB: transB, beta: beta, c: c, ldc: ldc,
                                rows: rows, columns: columns, workspace: workspace)
        }
    }

    /// Splits an `m x n` product of depth `k` across `Parallel.threadCount` workers, by
    /// 16-column units or, when `n` is narrow, by 8-row blocks, and calls
    /// `body(rows, columns, workspace)` once per worker with its block and a packing scratch of
    /// `AVX512Gemm.workspaceCount` floats. Below ~1 M multiply-adds (or `threaded: false`) the
    /// whole product runs on the calling thread: a second thread would cost more than it saves.
    static func splitAVX512(
        m: Int, n: Int, k: Int, threaded: Bool = true,
        _ body: (Range<Int>, Range<Int>, UnsafeMutablePointer<Float>) -> Void
    ) {
        let mr = AVX512Gemm.rowsPerPanel
        let workers = !threaded || m * n * k < avx512ThreadingThreshold ? 1 : Parallel.threadCount
        let columnUnits = (n + 15) / 16
        let rowBlocks = (m + mr - 1) / mr
        let splitColumns = columnUnits >= 4 * workers || columnUnits >= rowBlocks
        let units = splitColumns ? columnUnits : rowBlocks
        let chunks = min(workers, units)
        func run(_ range: Range<Int>) {
            let scratch = GemmScratch.shared.take(AVX512Gemm.workspaceCount)
            defer { GemmScratch.shared.give(scratch) }
            let rows = splitColumns ? 0..<m : range.lowerBound * mr ..< min(m, range.upperBound * mr)
            let columns = splitColumns ? range.lowerBound * 16 ..< min(n, range.upperBound * 16) : 0..<n
            body(rows, columns, scratch.pointer)
        }
        if chunks <= 1 {
            run(0..<units)
            return
        }
        // Whole panels of 48 columns shared out evenly and a last one of 1-16 columns: that
        // one-vector tile runs ~20% slower per column and would all land on one worker (ResNet's
        // 7x7 planes at batch 16: 784 = 16 x 48 + 16). Split it by rows instead.
        let nr = AVX512Gemm.columnsPerPanel
        let fullPanels = n / nr, tail = n - fullPanels * nr
        if splitColumns, tail > 0, tail <= 16, fullPanels > 0, fullPanels % chunks == 0, rowBlocks >= chunks {
            Parallel.forEachChunk(count: chunks, minimumChunk: 1) { range in
                let scratch = GemmScratch.shared.take(AVX512Gemm.workspaceCount)
                defer { GemmScratch.shared.give(scratch) }
                for worker in range {
                    let share = fullPanels / chunks * nr
                    body(0..<m, worker * share ..< (worker + 1) * share, scratch.pointer)
                    let rows = rowBlocks * worker / chunks * mr ..< min(m, rowBlocks * (worker + 1) / chunks * mr)
                    body(rows, fullPanels * nr ..< n, scratch.pointer)
                }
            }
            return
        }
        Parallel.forEachChunk(count: units, minimumChunk: (units + chunks - 1) / chunks, run)
    }
}

/// Reusable float buffers for packing, so that GEMMs in a program's run neither allocate
/// nor fault in fresh pages each call. Thread-safe; buffers are kept for the process.
final class GemmScratch: @unchecked Sendable {
    struct Buffer {
        let pointer: UnsafeMutablePointer<Float>
        let capacity: Int
    }

    static let shared = GemmScratch()
    private let lock = NSLock()
    private var free: [Buffer] = []

    /// A buffer of at least `count` floats (the smallest free one that fits, else a new one).
    func take(_ count: Int) -> Buffer {
        lock.lock()
        defer { lock.unlock() }
        if let index = free.indices.filter({ free[$0].capacity >= count })
            .min(by: { free[$0].capacity < free[$1].capacity }) {
            return free.remove(at: index)
        }
        let capacity = max(count, 1)
        return Buffer(pointer: .allocate(capacity: capacity), capacity: capacity)
    }

    /// Returns a buffer from `take`.
    func give(_ buffer: Buffer) {
        lock.lock()
        free.append(buffer)
        lock.unlock()
    }
}

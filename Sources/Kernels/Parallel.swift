import CBLAS
import Dispatch
import Foundation

/// Splits independent work across the machine's cores.
///
/// Threading policy (one rule, so the two thread pools never fight):
/// - On CPUs with AVX-512 (`CPUFeatures.usesAVX512GEMM`) GEMMs are our own loops and thread
///   with `forEachChunk` like the rest. Otherwise OpenBLAS owns the threading of every GEMM:
///   kernels call `cblas_sgemm` only from the calling thread, never from inside a
///   `Parallel.forEachChunk` body, so BLAS may use all cores for a large product.
/// - Our own loops (im2col, depthwise convolution, pooling, batch norm, and elementwise ops on
///   large tensors, see `Elementwise`) run in parallel with `forEachChunk` and never call BLAS.
/// Kernels therefore never toggle `openblas_set_num_threads` mid-run; a host that runs several
/// programs concurrently can cap BLAS once with `setBLASThreadCount`.
public enum Parallel {
    /// Number of workers our own loops use; defaults to the number of active processors.
    public static var threadCount: Int = max(1, ProcessInfo.processInfo.activeProcessorCount)

    /// Calls `body` with disjoint, contiguous ranges that together cover `0..<count`, in parallel
    /// when there is enough work. `minimumChunk` is the smallest range worth a thread.
    /// The body must not call BLAS (see the threading policy above).
    public static func forEachChunk(
        count: Int, minimumChunk: Int = 1, _ body: (Range<Int>) -> Void
    ) {
        guard count > 0 else { return }
        let chunkFloor = max(1, minimumChunk)
        let chunks = min(threadCount, pool.width, (count + chunkFloor - 1) / chunkFloor)
        if chunks <= 1 {
            body(0..<count)
            return
        }
        func chunk(_ chunk: Int) {
            let lower = count * chunk / chunks
            let upper = count * (chunk + 1) / chunks
            if lower < upper { body(lower..<upper) }
        }
        if !pool.run(chunks: chunks, chunk) {
            for c in 0..<chunks { chunk(c) }
        }
    }

    /// The worker threads behind `forEachChunk`, sized for the cores at first use.
    static let pool = WorkerPool(workers: max(0, ProcessInfo.processInfo.activeProcessorCount - 1))

    /// Sets how many workers our own loops use (at least 1); for hosts and benchmarks.
    public static func setThreadCount(_ count: Int) {
        threadCount = max(1, count)
    }

    /// Sets how many threads OpenBLAS may use for one GEMM (process-wide).
    public static func setBLASThreadCount(_ count: Int) {
        openblas_set_num_threads(Int32(clamping: max(1, count)))
    }

    /// The number of threads OpenBLAS currently uses for one GEMM.
    public static var blasThreadCount: Int { Int(openblas_get_num_threads()) }
}

import Dispatch
import Synchronization

extension Parallel {
    /// Nanoseconds for one cache-line round trip between the calling thread and a worker
    /// (the best of 5 runs of 2,000 bounces of one atomic counter), or nil with one thread.
    /// Which cores two virtual CPUs land on varies: on the 2-core CI VM it read ~95 ns (one die,
    /// a shared L3) or ~380 ns (two dies), and the latter slowed multi-pass kernels whose
    /// passes hand data between threads. Benchmarks print it so runs can be told apart.
    public static func coreRoundTripNanoseconds() -> Double? {
        guard threadCount > 1, pool.width > 1 else { return nil }
        let bounces = 2_000
        var best = Double.infinity
        for _ in 0..<5 {
            let counter = Atomic<Int>(0)
            var elapsed: UInt64 = 0
            let ran = pool.run(chunks: 2) { chunk in
                if chunk == 0 {
                    // Wait until the worker is in, then time the bounces.
                    while counter.load(ordering: .acquiring) == 0 {}
                    let start = DispatchTime.now().uptimeNanoseconds
                    for i in 0..<bounces {
                        counter.store(2 * i + 2, ordering: .releasing)
                        while counter.load(ordering: .acquiring) != 2 * i + 3 {}
                    }
                    elapsed = DispatchTime.now().uptimeNanoseconds - start
                } else {
                    counter.store(1, ordering: .releasing)
                    for i in 0..<bounces {
                        while counter.load(ordering: .acquiring) != 2 * i + 2 {}
                        counter.store(2 * i + 3, ordering: .releasing)
                    }
                }
            }
            guard ran else { return nil }
            best = min(best, Double(elapsed) / Double(bounces))
        }
        return best
    }
}

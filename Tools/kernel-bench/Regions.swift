import Dispatch
import Kernels

/// `kernel-bench --regions`: what a parallel region costs. Each region hands two chunks of
/// 10 us of spinning to `Parallel.forEachChunk` (the persistent worker pool) or to
/// `DispatchQueue.concurrentPerform` (what the pool replaced); the ideal is 10 us. A gap of
/// single-threaded work precedes each region, as between a program's steps.
@inline(never)
private func spin(_ nanoseconds: UInt64) {
    let start = DispatchTime.now().uptimeNanoseconds
    while DispatchTime.now().uptimeNanoseconds - start < nanoseconds {}
}

func benchRegions() {
    func average(_ region: () -> Void) -> Double {
        let count = 2000
        var total: UInt64 = 0
        for _ in 0..<count {
            spin(20_000)
            let start = DispatchTime.now().uptimeNanoseconds
            region()
            total += DispatchTime.now().uptimeNanoseconds - start
        }
        return Double(total) / Double(count) / 1000
    }
    let pool = average { Parallel.forEachChunk(count: 2) { _ in spin(10_000) } }
    let dispatch = average { DispatchQueue.concurrentPerform(iterations: 2) { _ in spin(10_000) } }
    print(String(format: "parallel region of 2 x 10 us after 20 us of serial work: worker pool %.1f us, "
                 + "DispatchQueue.concurrentPerform %.1f us (ideal 10)", pool, dispatch))
}

import Dispatch
import Synchronization
import Testing
@testable import Kernels

/// An atomic counter that can live in an array (`Atomic` itself cannot be copied).
private final class Counter: Sendable {
    let value = Atomic<Int>(0)
    func add(_ n: Int) { value.add(n, ordering: .relaxed) }
    var count: Int { value.load(ordering: .relaxed) }
}

@Suite("Parallel.forEachChunk on the persistent worker pool")
struct WorkerPoolTests {
    @Test("every index is visited exactly once, region after region, whatever the sizes")
    func coversEveryIndexOnce() {
        for count in [1, 2, 3, 7, 64, 1000] {
            for _ in 0..<200 {
                let visits = (0..<count).map { _ in Counter() }
                Parallel.forEachChunk(count: count) { range in
                    for i in range { visits[i].add(1) }
                }
                #expect(visits.allSatisfy { $0.count == 1 }, "count \(count)")
            }
        }
    }

    @Test("a region started inside a region runs serially on its caller and completes")
    func nestedRegions() {
        let total = Counter()
        Parallel.forEachChunk(count: 4) { outer in
            for _ in outer {
                Parallel.forEachChunk(count: 100) { inner in total.add(inner.count) }
            }
        }
        #expect(total.count == 400)
    }

    @Test("regions from several threads at once all complete with the right sums")
    func concurrentCallers() {
        let sums = (0..<8).map { _ in Counter() }
        DispatchQueue.concurrentPerform(iterations: 8) { caller in
            for _ in 0..<100 {
                Parallel.forEachChunk(count: 50) { range in sums[caller].add(range.reduce(0, +)) }
            }
        }
        #expect(sums.allSatisfy { $0.count == 100 * (0..<50).reduce(0, +) })
    }

    @Test("workers that went to sleep wake up for the next region")
    func wakesAfterSleeping() {
        let visits = Counter()
        for _ in 0..<3 {
            // Longer than the spin window, so the workers block on their semaphores.
            let start = DispatchTime.now().uptimeNanoseconds
            while DispatchTime.now().uptimeNanoseconds - start < 2 * WorkerPool.spinNanoseconds {}
            Parallel.forEachChunk(count: 2) { range in visits.add(range.count) }
        }
        #expect(visits.count == 6)
    }

    @Test("the core-to-core probe bounces a counter between the caller and a worker")
    func coreRoundTrip() {
        guard let nanoseconds = Parallel.coreRoundTripNanoseconds() else {
            // One thread (or a pool already busy): nothing to measure.
            return
        }
        // Tens to hundreds of nanoseconds on real cores; a hang would never return.
        #expect(nanoseconds > 0 && nanoseconds < 1_000_000)
    }
}

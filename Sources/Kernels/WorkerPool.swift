import Dispatch
import Foundation
import Synchronization

/// Persistent worker threads for `Parallel.forEachChunk`. A parallel region hands each worker
/// its chunk by bumping a generation counter that the worker is already spinning on, so a
/// region costs well under a microsecond to start; with `DispatchQueue.concurrentPerform` the
/// second thread joined late (`kernel-bench --regions`: 2 x 10 us took ~30 us there, ~14 us
/// here), so short regions (a batch-1 layer, a MobileNet step) ran almost serially. Workers spin for `spinNanoseconds` after their last
/// job, then sleep on a semaphore until the next one. Each worker is pinned to a CPU of its
/// own (`ThreadPlacement`).
///
/// One region at a time: a region started while another runs (nested, or from another
/// thread) runs serially on its caller.
final class WorkerPool: @unchecked Sendable {
    /// How long an idle worker spins before it sleeps (a run's steps follow each other much
    /// faster than this; between runs the workers go to sleep).
    static let spinNanoseconds: UInt64 = 200_000

    private final class Worker: @unchecked Sendable {
        let generation = Atomic<Int>(0)
        let sleeping = Atomic<Bool>(false)
        let wake = DispatchSemaphore(value: 0)
        /// The CPU this worker is pinned to (nil: unpinned); only the worker itself writes it.
        var cpu: Int?
    }

    private let workers: [Worker]
    /// Chunks finished by workers in the current region.
    private let finished = Atomic<Int>(0)
    private let busy = Atomic<Bool>(false)
    /// The CPU the current region's caller ran on when it started the region (-1: unknown).
    private let callerCPU = Atomic<Int>(-1)
    /// CPUs this process may use, for moving a worker off its caller's CPU.
    private let allowedCPUs: [Int]
    /// The current region's body and chunk count; written before a generation bump
    /// (release) and read after it (acquire).
    private var body: ((Int) -> Void)?
    private var chunks = 0

    /// A pool with `count` worker threads (the caller is the extra one).
    init(workers count: Int) {
        workers = (0..<max(0, count)).map { _ in Worker() }
        let allowed = ThreadPlacement.allowedCPUs()
        allowedCPUs = allowed
        for (index, worker) in workers.enumerated() {
            let cpu = ThreadPlacement.cpu(forWorker: index, allowed: allowed)
            let thread = Thread { [unowned self] in
                if let cpu, ThreadPlacement.pinCurrentThread(to: cpu) { worker.cpu = cpu }
                self.serve(worker, chunk: index + 1)
            }
            thread.name = "graphcam-worker-\(index + 1)"
            thread.stackSize = 4 << 20
            thread.start()
        }
    }

    /// Threads that run chunks: the workers and the caller.
    var width: Int { workers.count + 1 }

    /// Runs `body(chunk)` for every chunk in `0..<count` (at most `width`), chunk 0 on the
    /// calling thread, and returns when all are done. Returns false without running anything
    /// when a region is already running (the caller then runs the chunks itself).
    func run(chunks count: Int, _ body: (Int) -> Void) -> Bool {
        guard count <= width, busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
            return false
        }
        defer { busy.store(false, ordering: .releasing) }
        withoutActuallyEscaping(body) { escaping in
            self.body = escaping
            self.chunks = count
            finished.store(0, ordering: .relaxed)
            callerCPU.store(ThreadPlacement.currentCPU, ordering: .relaxed)
            let helpers = count - 1
            for worker in workers.prefix(helpers) {
                worker.generation.add(1, ordering: .sequentiallyConsistent)
                if worker.sleeping.exchange(false, ordering: .sequentiallyConsistent) { worker.wake.signal() }
            }
            escaping(0)
            // Spin briefly, then yield: on a loaded machine a worker may be waiting for this core.
            var polls = 0
            while finished.load(ordering: .acquiring) < helpers {
                polls += 1
                if polls > 256 { sched_yield() }
            }
            self.body = nil
        }
        return true
    }

    /// A pinned worker that finds its caller on its own CPU moves to the next allowed CPU
    /// the caller is not on: sharing a core would run the region at single-thread speed, and
    /// the scheduler was seen to leave a caller there for whole runs.
    private func moveOffCaller(_ worker: Worker) {
        guard let mine = worker.cpu, mine == callerCPU.load(ordering: .relaxed),
              let at = allowedCPUs.firstIndex(of: mine) else { return }
        for step in 1..<allowedCPUs.count {
            let other = allowedCPUs[(at + step) % allowedCPUs.count]
            if other != mine, ThreadPlacement.pinCurrentThread(to: other) {
                worker.cpu = other
                return
            }
        }
    }

    private func serve(_ worker: Worker, chunk: Int) {
        var seen = 0
        while true {
            var spinStart = DispatchTime.now().uptimeNanoseconds
            var polls = 0
            while worker.generation.load(ordering: .acquiring) == seen {
                polls += 1
                guard polls & 255 == 0 else { continue }
                sched_yield()
                if DispatchTime.now().uptimeNanoseconds - spinStart < Self.spinNanoseconds { continue }
                // Sleep, unless a job arrived while deciding to.
                worker.sleeping.store(true, ordering: .sequentiallyConsistent)
                if worker.generation.load(ordering: .sequentiallyConsistent) != seen {
                    if !worker.sleeping.exchange(false, ordering: .sequentiallyConsistent) { worker.wake.wait() }
                    break
                }
                worker.wake.wait()
                spinStart = DispatchTime.now().uptimeNanoseconds
            }
            seen = worker.generation.load(ordering: .acquiring)
            moveOffCaller(worker)
            body?(chunk)
            finished.add(1, ordering: .releasing)
        }
    }
}

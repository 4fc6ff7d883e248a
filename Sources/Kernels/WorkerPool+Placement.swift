import CThreads
import Foundation

/// Where the worker pool's threads run. Each worker is pinned to a CPU of its own (the
/// first allowed CPU is left to the caller), and moves when it finds the caller on its CPU:
/// the scheduler sometimes left a worker and its caller on one core, and every parallel
/// region then ran at single-thread speed, for whole runs (`taskset -c 0 kernel-bench`
/// reproduces it: ResNet50's 64->256 1x1 conv at batch 16 took 1.8 ms instead of 0.9).
/// Set `GRAPHCAM_PIN_THREADS=0` to leave placement to the scheduler.
enum ThreadPlacement {
    /// The CPUs the calling thread may run on, ascending (empty when the system will not say).
    static func allowedCPUs() -> [Int] {
        var mask = [UInt64](repeating: 0, count: 16)
        guard graphcam_allowed_cpus(&mask) == 0 else { return [] }
        var cpus: [Int] = []
        for (word, bits) in mask.enumerated() {
            for bit in 0..<64 where bits & (1 << UInt64(bit)) != 0 { cpus.append(word * 64 + bit) }
        }
        return cpus
    }

    /// The CPU for worker `index` (0-based) of a pool, or nil to leave it unpinned: with at
    /// least two allowed CPUs, the workers take the second, third, ... (wrapping around).
    static func cpu(forWorker index: Int, allowed: [Int]) -> Int? {
        guard allowed.count > 1, ProcessInfo.processInfo.environment["GRAPHCAM_PIN_THREADS"] != "0" else {
            return nil
        }
        return allowed[(index + 1) % allowed.count]
    }

    /// The CPU the calling thread runs on now (-1 when unknown).
    static var currentCPU: Int { Int(graphcam_current_cpu()) }

    /// Restricts the calling thread to `cpu`; false when the system refuses.
    @discardableResult
    static func pinCurrentThread(to cpu: Int) -> Bool {
        guard cpu >= 0, cpu < 1024 else { return false }
        var mask = [UInt64](repeating: 0, count: 16)
        mask[cpu / 64] = 1 << UInt64(cpu % 64)
        return graphcam_restrict_thread(mask) == 0
    }
}

import CBLAS
import Foundation
import GraphIR
import Kernels

/// Timings of repeated runs of one program.
public struct BenchmarkTimings: Sendable, Equatable {
    /// Wall-clock milliseconds of each measured run, in order.
    public var milliseconds: [Double]

    public init(milliseconds: [Double]) { self.milliseconds = milliseconds }

    /// The median run (the mean of the middle two for an even count); 0 without runs.
    public var median: Double {
        let s = milliseconds.sorted()
        guard !s.isEmpty else { return 0 }
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    /// The fastest run; 0 without runs.
    public var min: Double { milliseconds.min() ?? 0 }
}

extension Program {
    /// Runs the program `warmup` times unmeasured, then `iterations` times measured, on the
    /// same inputs. Each measured time covers a whole `run`: copying the inputs in, every
    /// step, and copying the outputs out.
    public func benchmark(_ inputs: [String: Tensor], warmup: Int, iterations: Int) throws -> BenchmarkTimings {
        for _ in 0..<Swift.max(0, warmup) { _ = try run(inputs) }
        var times: [Double] = []
        times.reserveCapacity(iterations)
        for _ in 0..<Swift.max(1, iterations) {
            let start = DispatchTime.now().uptimeNanoseconds
            _ = try run(inputs)
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        return BenchmarkTimings(milliseconds: times)
    }
}

/// Facts about the process and the machine that a benchmark report needs.
public enum MachineInfo {
    /// The CPU model from /proc/cpuinfo ("unknown CPU" elsewhere).
    public static var cpuModel: String {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return "unknown CPU" }
        for line in text.split(separator: "\n") where line.hasPrefix("model name") {
            if let colon = line.firstIndex(of: ":") {
                return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
        }
        return "unknown CPU"
    }

    /// Threads our kernels use (`Parallel.threadCount`).
    public static var workerThreads: Int { Parallel.threadCount }

    /// Threads OpenBLAS uses for one GEMM.
    public static var blasThreads: Int { Parallel.blasThreadCount }

    /// Sets the threads of our kernels and of OpenBLAS (process-wide; call before running).
    public static func setThreadCount(_ count: Int) {
        Parallel.threadCount = Swift.max(1, count)
        Parallel.setBLASThreadCount(count)
    }

    /// Cores the process may use.
    public static var activeCores: Int { ProcessInfo.processInfo.activeProcessorCount }

    /// OpenBLAS's build configuration (`OpenBLAS 0.3.26 DYNAMIC_ARCH ... Haswell
    /// MAX_THREADS=64`) and its current GEMM thread count.
    public static var blas: String {
        let config = openblas_get_config().map { String(cString: $0) } ?? "unknown configuration"
        return "\(config.trimmingCharacters(in: .whitespaces)), \(Parallel.blasThreadCount) BLAS threads"
    }

    /// One line: `CPU: <model>, <n> cores; OpenBLAS (...), <t> BLAS threads; <w> worker threads`
    /// and, with two or more threads, the core-to-core round trip measured now.
    public static var summaryLine: String {
        let trip = coreRoundTripNanoseconds.map { String(format: ", core-to-core round trip %.0f ns", $0) } ?? ""
        return "CPU: \(cpuModel), \(activeCores) cores; \(blas); \(Parallel.threadCount) worker threads\(trip)"
    }

    /// A cache-line round trip between the caller and a worker thread, in nanoseconds (nil
    /// with one thread): ~95 when the two cores share a die, ~380 across dies on the CI VM.
    public static var coreRoundTripNanoseconds: Double? { Parallel.coreRoundTripNanoseconds() }

    /// The most memory the process has held resident so far (getrusage `ru_maxrss`), in bytes.
    public static var peakResidentBytes: Int {
        var usage = rusage()
        guard getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage) == 0 else { return 0 }
        return Int(usage.ru_maxrss) * 1024  // Linux reports kilobytes
    }
}

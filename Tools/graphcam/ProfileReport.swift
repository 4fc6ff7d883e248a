import Foundation
import Runtime

/// What `graphcam bench --profile` prints: time per kernel path, then the slowest steps.
struct ProfileReport {
    var steps: [StepProfile]
    var top = 25
    /// Print every step in schedule order instead of the slowest `top`.
    var everyStep = false

    func text() -> String {
        let total = steps.reduce(0) { $0 + $1.milliseconds }
        func row(_ label: String, _ ms: Double, _ count: Int, macs: Int) -> String {
            let rate = macs > 0 && ms > 0 ? String(format: " %6.1f GFLOPS", 2 * Double(macs) / (ms * 1e6)) : ""
            return String(format: "  %-44@ %8.3f ms %5.1f%%  x%d", label as NSString, ms, total > 0 ? 100 * ms / total : 0, count)
                + rate
        }
        var byKernel: [String: (ms: Double, count: Int, macs: Int)] = [:]
        for s in steps {
            byKernel[s.kernel, default: (0, 0, 0)].ms += s.milliseconds
            byKernel[s.kernel, default: (0, 0, 0)].count += 1
            byKernel[s.kernel, default: (0, 0, 0)].macs += s.macs
        }
        var lines = [String(format: "profile: %d steps, %.3f ms summed (median per step)", steps.count, total),
                     "by kernel path:"]
        for (kernel, v) in byKernel.sorted(by: { $0.value.ms > $1.value.ms }) {
            lines.append(row(kernel, v.ms, v.count, macs: v.macs))
        }
        lines.append(everyStep ? "every step:" : "slowest steps:")
        for s in everyStep ? steps : Array(steps.sorted(by: { $0.milliseconds > $1.milliseconds }).prefix(top)) {
            lines.append(row("\(s.node) [\(s.kernel)]", s.milliseconds, 1, macs: s.macs))
        }
        return lines.joined(separator: "\n")
    }
}

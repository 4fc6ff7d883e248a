import Dispatch
import GraphIR
import Kernels

/// Where a run's time goes, step by step: the tool for "measure before you optimize".
public struct StepProfile: Sendable, Equatable {
    /// The node the step runs (for a fused node, the name of the last op it absorbed).
    public var node: String
    /// The node's op.
    public var op: OpKind
    /// The kernel path, e.g. `Conv winograd4`, `MaxPool`, `Add`.
    public var kernel: String
    /// Median milliseconds over the profiled runs.
    public var milliseconds: Double
    /// Multiply-accumulates of the step as written (convolutions and GEMMs; 0 for others).
    public var macs: Int = 0

    /// Achieved GFLOPS (2 x MACs per second); 0 without MACs.
    public var gflops: Double { milliseconds > 0 ? 2 * Double(macs) / (milliseconds * 1e6) : 0 }
}

extension Program {
    /// Runs the program `warmup` times, then `iterations` times timing each step separately;
    /// returns one entry per step in schedule order with its median time. Timing each step
    /// adds two clock reads per step (well under a microsecond), so the sum is close to a
    /// plain run.
    public func profile(_ inputs: [String: Tensor], warmup: Int = 1, iterations: Int = 5) throws -> [StepProfile] {
        for _ in 0..<Swift.max(0, warmup) { _ = try run(inputs) }
        let runs = Swift.max(1, iterations)
        var samples = [[Double]](repeating: [], count: steps.count)
        for _ in 0..<runs {
            try execute(inputs) { index, nanoseconds in samples[index].append(Double(nanoseconds) / 1e6) }
        }
        return steps.enumerated().map { index, step in
            let sorted = samples[index].sorted()
            return StepProfile(node: step.node, op: step.op, kernel: step.kernelDescription,
                               milliseconds: sorted.isEmpty ? 0 : sorted[sorted.count / 2], macs: step.macs)
        }
    }

    /// `execute` with each step timed; `record(stepIndex, nanoseconds)`.
    private func execute(_ inputs: [String: Tensor], record: (Int, UInt64) -> Void) throws {
        // Write inputs the same way a plain run does, with an empty schedule.
        try execute(inputs, steps: [])
        for (index, step) in steps.enumerated() {
            let start = DispatchTime.now().uptimeNanoseconds
            try step.execute(in: arena)
            record(index, DispatchTime.now().uptimeNanoseconds - start)
        }
    }
}

extension Step {
    /// Multiply-accumulates of a convolution or GEMM step as written (0 for other kernels).
    var macs: Int {
        switch kernel {
        case .conv(let plan, _, _):
            let p = plan.params
            return p.batch * p.outChannels * p.outSpatial.reduce(1, *) * (p.inChannels / max(p.group, 1))
                * p.kernel.reduce(1, *)
        case .gemm(let p): return p.m * p.n * p.k
        default: return 0
        }
    }

    /// A short label of the kernel path, for profiles.
    var kernelDescription: String {
        switch kernel {
        case .conv(let plan, let activation, _):
            let act = activation == .none ? "" : "+\(activation)".prefix(12)
            return "\(op.rawValue) \(plan.algorithm.rawValue)\(act)"
        case .binaryFloat(let op, _): return "\(op)"
        case .unaryFloat(let op): return "\(op)"
        case .gradient(let kernel): return "grad " + String(describing: kernel).prefix { $0 != "(" }
        default: return op.rawValue
        }
    }
}

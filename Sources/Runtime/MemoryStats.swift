/// Memory totals of a compiled program.
public struct MemoryStats: Sendable, Equatable {
    /// Bytes of the activation arena as laid out: graph inputs, intermediates, outputs and
    /// kernel scratch.
    public var arenaBytes: Int
    /// What the same buffers would take with nothing shared: every activation buffer and
    /// every step's scratch added up.
    public var naiveBytes: Int
    /// Bytes of the weights region (parameters and constants the steps read).
    public var weightsBytes: Int
    /// The largest scratch one step needs.
    public var largestScratchBytes: Int
    /// Whether all steps share one scratch region after the planned buffers (chosen when
    /// that gives a smaller arena than planning each step's scratch as a short-lived buffer).
    public var sharedScratch: Bool

    /// Arena plus weights: the program's single allocation.
    public var totalBytes: Int { arenaBytes + weightsBytes }

    /// `arena 12.3 MB (naive 45.6 MB, 27%), weights 98.0 MB, scratch 1.2 MB per-step`.
    public func formatted() -> String {
        let percent = naiveBytes == 0 ? 100 : Int((Double(arenaBytes) * 100 / Double(naiveBytes)).rounded())
        return "arena \(Self.megabytes(arenaBytes)) (naive \(Self.megabytes(naiveBytes)), \(percent)%), "
            + "weights \(Self.megabytes(weightsBytes)), largest scratch \(Self.megabytes(largestScratchBytes)) "
            + (sharedScratch ? "shared" : "per step")
    }

    /// `12.3 MB` (decimal megabytes, one decimal).
    public static func megabytes(_ bytes: Int) -> String {
        let tenths = (bytes * 10 + 500_000) / 1_000_000
        return "\(tenths / 10).\(tenths % 10) MB"
    }
}

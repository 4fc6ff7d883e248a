import Foundation

/// What the CPU running this process can do, read once (Linux: the `flags` line of
/// `/proc/cpuinfo`, which lists AVX-512 only when the kernel also saves its registers).
public enum CPUFeatures {
    /// The instruction-set flags of the first processor (empty where they cannot be read).
    public static let flags: Set<Substring> = {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") }),
              let colon = line.firstIndex(of: ":") else { return [] }
        return Set(line[line.index(after: colon)...].split(separator: " "))
    }()

    /// Whether the CPU has AVX-512 Foundation and FMA (what `KernelsAVX512` is compiled for).
    public static let hasAVX512F: Bool = flags.contains("avx512f") && flags.contains("avx512dq")
        && flags.contains("fma")

    /// Whether GEMMs use the AVX-512 kernels: the CPU has them and `GRAPHCAM_NO_AVX512=1` is not
    /// set (that forces the OpenBLAS path, for comparisons and as an escape hatch).
    public static let usesAVX512GEMM: Bool =
        hasAVX512F && ProcessInfo.processInfo.environment["GRAPHCAM_NO_AVX512"] != "1"
}

#if canImport(Glibc)
import Glibc
#endif

/// An immutable-after-fill float buffer for weights a program streams on every run: large
/// ones are 2 MB-aligned and marked for transparent huge pages (Linux `madvise` mode), which
/// keeps the TLB from missing on every 4 KB of a layer's weights.
public final class AlignedFloats: @unchecked Sendable {
    /// The first float.
    public let pointer: UnsafeMutablePointer<Float>
    /// Number of floats.
    public let count: Int

    static let hugePageBytes = 2 << 20

    /// `count` floats, filled by `fill` (which receives the uninitialized buffer).
    public init(count: Int, fill: (UnsafeMutablePointer<Float>) -> Void) {
        self.count = count
        let bytes = max(count, 1) * MemoryLayout<Float>.stride
        let huge = bytes >= AlignedFloats.hugePageBytes
        let raw = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: huge ? AlignedFloats.hugePageBytes : 64)
        #if os(Linux)
        if huge { _ = madvise(raw, bytes, MADV_HUGEPAGE) }
        #endif
        pointer = raw.bindMemory(to: Float.self, capacity: max(count, 1))
        fill(pointer)
    }

    deinit { UnsafeMutableRawPointer(pointer).deallocate() }

    /// A copy of the contents as an array.
    public var array: [Float] { Array(UnsafeBufferPointer(start: pointer, count: count)) }
}

import GraphIR

/// Offsets of every run-time buffer of a graph in one arena, computed at compile time
/// from static shapes and the schedule (the node order).
///
/// Parameters and constants are not planned: they live with the weights. Graph inputs,
/// graph outputs and pinned values get their own region that is never reused, so they
/// can be read after a run.
public struct MemoryPlan: Sendable, Equatable {
    /// Every offset is a multiple of this many bytes.
    public static let alignment = 64

    /// How a buffer got its place.
    public enum Kind: String, Sendable {
        /// New space at the end of the arena.
        case fresh
        /// Space freed by values that died earlier (best fit).
        case reused
        /// The output of an elementwise op, written over its input that dies there.
        case inPlace
        /// The output of a reshape-like op sharing its input's bytes.
        case alias
        /// Graph input, graph output or pinned value: a region of its own, never reused.
        case pinned
    }

    /// One planned buffer: a value, or a node's scratch space.
    public struct Entry: Sendable, Equatable {
        /// The value's name, or `<node name>/scratch` for a scratch request.
        public var name: String
        /// The value, for a value entry.
        public var value: ValueID?
        /// The node, for a scratch entry.
        public var scratchOf: NodeID?
        public var offset: Int
        public var bytes: Int
        /// Schedule index of the defining node (0 for graph inputs).
        public var firstUse: Int
        /// Schedule index of the last reader (the end of the schedule for pinned values).
        public var lastUse: Int
        public var kind: Kind
        /// For `alias` and `inPlace`: the value whose bytes this one takes over.
        public var sharesWith: String?

        /// Whether the live intervals of `self` and `other` intersect.
        public func isLive(togetherWith other: Entry) -> Bool {
            firstUse <= other.lastUse && other.firstUse <= lastUse
        }

        /// Whether the byte ranges of `self` and `other` intersect.
        public func overlapsInMemory(_ other: Entry) -> Bool {
            offset < other.offset + other.bytes && other.offset < offset + bytes && bytes > 0 && other.bytes > 0
        }
    }

    /// Value entries in value order, then scratch entries in node order.
    public var entries: [Entry]
    /// Size of the arena: every `offset + bytes` fits below it.
    public var arenaBytes: Int
    /// What the buffers would take without any sharing: the sum of all their sizes.
    public var naiveBytes: Int
    /// Bytes of the never-reused region (inputs, outputs, pinned values) at the start.
    public var pinnedBytes: Int

    public init(entries: [Entry], arenaBytes: Int, naiveBytes: Int, pinnedBytes: Int) {
        self.entries = entries
        self.arenaBytes = arenaBytes
        self.naiveBytes = naiveBytes
        self.pinnedBytes = pinnedBytes
    }

    /// The entry of the value with this name.
    public func entry(named name: String) -> Entry? { entries.first { $0.name == name } }

    /// The entry of a value.
    public func entry(for value: ValueID) -> Entry? { entries.first { $0.value == value } }

    /// `arenaBytes / naiveBytes` (1 when nothing is planned).
    public var ratio: Double { naiveBytes == 0 ? 1 : Double(arenaBytes) / Double(naiveBytes) }

    /// A report: one line per buffer (name, offset, bytes, live interval, kind) and a
    /// summary line `intermediates 123.4 MB -> arena 45.6 MB (37%)`.
    public func formatted() -> String {
        let nameWidth = min(48, entries.map(\.name.count).max() ?? 0)
        let offsetWidth = String(arenaBytes).count, bytesWidth = String(entries.map(\.bytes).max() ?? 0).count
        func pad(_ s: String, _ w: Int, left: Bool = false) -> String {
            let fill = String(repeating: " ", count: max(0, w - s.count))
            return left ? fill + s : s + fill
        }
        var lines = entries.map { e -> String in
            var line = "  " + pad("%" + e.name, nameWidth + 1) + "  @" + pad(String(e.offset), offsetWidth, left: true)
                + "  " + pad(String(e.bytes), bytesWidth, left: true) + " B  [\(e.firstUse), \(e.lastUse)]  " + e.kind.rawValue
            if let s = e.sharesWith { line += " of %" + s }
            return line
        }
        lines.append(summary)
        return lines.joined(separator: "\n") + "\n"
    }

    /// `intermediates 123.4 MB -> arena 45.6 MB (37%)`.
    public var summary: String {
        func mb(_ b: Int) -> String {
            let tenths = (b * 10 + 500_000) / 1_000_000
            return "\(tenths / 10).\(tenths % 10) MB"
        }
        let percent = naiveBytes == 0 ? 100 : Int((Double(arenaBytes) * 100 / Double(naiveBytes)).rounded())
        return "intermediates \(mb(naiveBytes)) -> arena \(mb(arenaBytes)) (\(percent)%)"
    }
}

/// Why a graph could not be planned; names the value or node at fault.
public struct MemoryPlanError: Error, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

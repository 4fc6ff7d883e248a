/// One dimension of a static shape: a concrete size, or a named symbol (such as the
/// batch size `N`) that is bound when the graph is specialized for compilation.
public enum Dim: Hashable, Sendable, ExpressibleByIntegerLiteral, CustomStringConvertible {
    case known(Int)
    case symbolic(String)

    public init(integerLiteral value: Int) { self = .known(value) }

    /// The concrete size, or nil for a symbol.
    public var value: Int? {
        if case .known(let v) = self { return v }
        return nil
    }

    public var description: String {
        switch self {
        case .known(let v): return String(v)
        case .symbolic(let s): return s
        }
    }
}

/// The shape of a tensor: one `Dim` per axis. A scalar has rank 0.
public struct Shape: Hashable, Sendable, ExpressibleByArrayLiteral, CustomStringConvertible {
    public var dims: [Dim]

    public init(_ dims: [Dim]) { self.dims = dims }
    public init(_ dims: [Int]) { self.dims = dims.map { .known($0) } }
    public init(arrayLiteral elements: Dim...) { self.dims = elements }

    public var rank: Int { dims.count }

    /// True when every dimension is a concrete size.
    public var isStatic: Bool { dims.allSatisfy { $0.value != nil } }

    /// The concrete sizes, or nil when any dimension is symbolic.
    public var staticDims: [Int]? {
        var out: [Int] = []
        out.reserveCapacity(dims.count)
        for d in dims {
            guard let v = d.value else { return nil }
            out.append(v)
        }
        return out
    }

    /// Number of elements, or nil when the shape is not static or the count overflows
    /// (a malformed declared type must not trap).
    public var elementCount: Int? {
        guard let dims = staticDims else { return nil }
        var n = 1
        for d in dims {
            let (p, overflow) = n.multipliedReportingOverflow(by: d)
            if overflow { return nil }
            n = p
        }
        return n
    }

    /// Symbols used by this shape, in order of first appearance.
    public var symbols: [String] {
        var seen: [String] = []
        for case .symbolic(let s) in dims where !seen.contains(s) { seen.append(s) }
        return seen
    }

    /// Replaces bound symbols by their sizes.
    public func binding(_ bindings: [String: Int]) -> Shape {
        Shape(dims.map { d in
            if case .symbolic(let s) = d, let v = bindings[s] { return .known(v) }
            return d
        })
    }

    public subscript(i: Int) -> Dim {
        get { dims[i] }
        set { dims[i] = newValue }
    }

    public var description: String { "[" + dims.map(\.description).joined(separator: ",") + "]" }
}

/// The static type of a value: element type and shape, printed as `f32[N,3,112,112]`.
public struct TensorType: Hashable, Sendable, CustomStringConvertible {
    public var dtype: DType
    public var shape: Shape

    public init(_ dtype: DType, _ shape: Shape) {
        self.dtype = dtype
        self.shape = shape
    }

    public var description: String { dtype.rawValue + shape.description }
}

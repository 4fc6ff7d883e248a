/// A typed node attribute, following ONNX's AttributeProto kinds.
public enum AttributeValue: Sendable, Equatable, CustomStringConvertible {
    case int(Int)
    case float(Float)
    case string(String)
    case ints([Int])
    case floats([Float])
    case strings([String])
    case tensor(Tensor)

    /// A short name of the kind, used in error messages ("expected ints, found float").
    public var kindName: String {
        switch self {
        case .int: return "int"
        case .float: return "float"
        case .string: return "string"
        case .ints: return "ints"
        case .floats: return "floats"
        case .strings: return "strings"
        case .tensor: return "tensor"
        }
    }

    public var description: String {
        switch self {
        case .int(let v): return String(v)
        case .float(let v): return "\(v)"
        case .string(let s): return "\"\(s)\""
        case .ints(let v): return "[" + v.map(String.init).joined(separator: ",") + "]"
        case .floats(let v): return "[" + v.map { "\($0)" }.joined(separator: ",") + "]"
        case .strings(let v): return "[" + v.map { "\"\($0)\"" }.joined(separator: ",") + "]"
        case .tensor(let t): return t.description
        }
    }
}

/// Attributes of one node, keyed by name. Iteration order is sorted by key so that
/// printing and serialization are deterministic.
public struct Attributes: Sendable, Equatable, ExpressibleByDictionaryLiteral, Sequence {
    public private(set) var storage: [String: AttributeValue]

    public init() { storage = [:] }
    public init(_ dict: [String: AttributeValue]) { storage = dict }
    public init(dictionaryLiteral elements: (String, AttributeValue)...) {
        storage = Dictionary(elements, uniquingKeysWith: { _, b in b })
    }

    public subscript(key: String) -> AttributeValue? {
        get { storage[key] }
        set { storage[key] = newValue }
    }

    public var isEmpty: Bool { storage.isEmpty }
    public var keys: [String] { storage.keys.sorted() }

    public func makeIterator() -> IndexingIterator<[(key: String, value: AttributeValue)]> {
        storage.sorted { $0.key < $1.key }.map { (key: $0.key, value: $0.value) }.makeIterator()
    }

    // Typed accessors: nil when absent; a kind mismatch is reported by the verifier.
    public func int(_ key: String) -> Int? {
        if case .int(let v)? = storage[key] { return v }
        return nil
    }
    public func float(_ key: String) -> Float? {
        switch storage[key] {
        case .float(let v)?: return v
        case .int(let v)?: return Float(v)
        default: return nil
        }
    }
    public func string(_ key: String) -> String? {
        if case .string(let v)? = storage[key] { return v }
        return nil
    }
    public func ints(_ key: String) -> [Int]? {
        if case .ints(let v)? = storage[key] { return v }
        return nil
    }
    public func floats(_ key: String) -> [Float]? {
        if case .floats(let v)? = storage[key] { return v }
        return nil
    }
    public func tensor(_ key: String) -> Tensor? {
        if case .tensor(let v)? = storage[key] { return v }
        return nil
    }
}

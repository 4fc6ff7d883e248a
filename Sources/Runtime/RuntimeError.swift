/// An error while compiling or running a program. `subject` names what is at fault: a
/// node, a graph input or a value, as written in the graph.
public struct RuntimeError: Error, CustomStringConvertible, Equatable {
    public enum Kind: String, Sendable {
        case node, input, value
    }

    public var kind: Kind
    public var subject: String
    public var message: String

    public init(_ kind: Kind, _ subject: String, _ message: String) {
        self.kind = kind
        self.subject = subject
        self.message = message
    }

    public var description: String { "\(kind.rawValue) '\(subject)': \(message)" }
}

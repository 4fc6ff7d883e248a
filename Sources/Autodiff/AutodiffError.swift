import GraphIR

/// A graph could not be differentiated or turned into a training graph. `node` names
/// the node (or value) at fault.
public struct AutodiffError: Error, CustomStringConvertible, Equatable {
    public var node: String
    public var message: String

    public init(node: String, message: String) {
        self.node = node
        self.message = message
    }

    public var description: String { "\(node): \(message)" }
}

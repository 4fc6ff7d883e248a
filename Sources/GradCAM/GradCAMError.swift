/// An error of a gradient query or a class-activation map, naming the value, image or
/// option at fault.
public struct GradCAMError: Error, Equatable, CustomStringConvertible {
    /// What the error is about: a value name, an image path, an option.
    public var subject: String
    public var message: String

    public init(_ subject: String, _ message: String) {
        self.subject = subject
        self.message = message
    }

    public var description: String { "\(subject): \(message)" }
}

/// An error while reading or writing an XML graph store. It names the file and where in
/// it the fault lies: an XML line and element, or a byte offset in the weight file.
///
/// Printed as `model.xml:12: <node name="conv1">: unknown op 'Convv' (...)` or
/// `model.weights: expected 9408 bytes at offset 4096 for conv1_conv/kernel, file has 5000 bytes`.
public struct GraphStoreError: Error, Equatable, CustomStringConvertible {
    /// What went wrong, for callers that react to some faults differently.
    public enum Kind: String, Sendable, Equatable {
        case malformedXML
        case unsupportedVersion
        case unknownElement
        case unknownXMLAttribute
        case missingXMLAttribute
        case unknownAttributeKind
        case unknownOp
        case unknownAttribute
        case invalidValue
        case undefinedReference
        case duplicateName
        case inconsistentGraph
        case typeMismatch
        case missingWeightFile
        case truncatedWeightFile
        case badWeightHeader
        case checksumMismatch
        case unrepresentable
        case io
    }

    public var kind: Kind
    /// The file at fault (its last path component), e.g. `model.xml` or `model.weights`.
    public var file: String
    /// The 1-based XML line, when the fault is in the XML.
    public var line: Int?
    /// A short rendering of the XML element at fault, e.g. `<value name="conv1/kernel">`.
    public var element: String?
    /// The byte offset in the weight file, when the fault is in the weight data.
    public var byteOffset: Int?
    public var message: String

    public init(_ kind: Kind, file: String, line: Int? = nil, element: String? = nil,
                byteOffset: Int? = nil, _ message: String) {
        self.kind = kind
        self.file = file
        self.line = line
        self.element = element
        self.byteOffset = byteOffset
        self.message = message
    }

    public var description: String {
        var s = file
        if let line { s += ":\(line)" }
        s += ": "
        if let element { s += "\(element): " }
        return s + message
    }
}

import GraphIR

/// A field of the XML could not be read; the decoder adds the file, line and element.
struct XMLFieldError: Error {
    var kind: GraphStoreError.Kind
    var message: String
    init(_ message: String) {
        self.init(.invalidValue, message)
    }
    init(_ kind: GraphStoreError.Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }
}

/// Text forms of the store's scalar fields. Lists are comma-separated; shapes are
/// `N,3,112,112` (a rank-0 shape is the empty string). Floats are written in Swift's
/// shortest round-trip decimal form (`0.001`, `1e-05`, `-0.0`, `inf`), which parses back
/// to the same bits; a NaN is written as its bit pattern (`0x7fc00000`) so that its
/// payload survives.
enum XMLTextCoding {
    // MARK: Shapes and dtypes

    static func format(_ shape: Shape) -> String {
        shape.dims.map(\.description).joined(separator: ",")
    }

    static func parseShape(_ text: String) throws(XMLFieldError) -> Shape {
        let t = text.trimmingWhitespace
        if t.isEmpty { return Shape([Dim]()) }
        var dims: [Dim] = []
        for token in t.split(separator: ",", omittingEmptySubsequences: false) {
            let s = String(token).trimmingWhitespace
            if let v = Int(s) {
                guard v >= 0 else { throw XMLFieldError("negative dimension \(v) in shape '\(text)'") }
                dims.append(.known(v))
            } else if let c = s.first, !c.isNumber, c != "-", c != "+",
                      !s.contains(where: { $0.isWhitespace }) {
                dims.append(.symbolic(s))
            } else {
                throw XMLFieldError("bad dimension '\(s)' in shape '\(text)' (expected a size or a symbol such as N)")
            }
        }
        // Shape inference multiplies sizes; a shape whose sizes overflow cannot be real.
        guard elementCount(dims.compactMap(\.value)) != nil else {
            throw XMLFieldError("shape '\(text)' has too many elements")
        }
        return Shape(dims)
    }

    /// A concrete shape, for tensor data; rejects symbols and element counts that overflow.
    static func parseStaticShape(_ text: String) throws(XMLFieldError) -> [Int] {
        let shape = try parseShape(text)
        guard let dims = shape.staticDims else {
            throw XMLFieldError("tensor data needs a concrete shape, found '\(text)'")
        }
        return dims
    }

    /// The element count of a concrete shape, or nil on overflow.
    static func elementCount(_ dims: [Int]) -> Int? {
        var n = 1
        for d in dims {
            let (p, overflow) = n.multipliedReportingOverflow(by: d)
            if overflow || d < 0 { return nil }
            n = p
        }
        return n
    }

    static func parseDType(_ text: String) throws(XMLFieldError) -> DType {
        guard let d = DType(rawValue: text) else {
            let valid = DType.allCases.map(\.rawValue).joined(separator: ", ")
            throw XMLFieldError(.invalidValue, "unknown dtype '\(text)' (expected one of \(valid))")
        }
        return d
    }

    // MARK: Scalars and lists

    static func format(_ v: Float) -> String {
        v.isNaN ? "0x" + hex(UInt64(v.bitPattern), digits: 8) : "\(v)"
    }

    static func format(_ v: Double) -> String {
        v.isNaN ? "0x" + hex(v.bitPattern, digits: 16) : "\(v)"
    }

    static func parseFloat(_ text: String) throws(XMLFieldError) -> Float {
        let s = text.trimmingWhitespace
        if s.hasPrefix("0x"), s.count == 10, let bits = UInt32(s.dropFirst(2), radix: 16) {
            return Float(bitPattern: bits)
        }
        guard !s.hasPrefix("0x"), let v = Float(s) else { throw XMLFieldError("'\(text)' is not a float") }
        return v
    }

    static func parseDouble(_ text: String) throws(XMLFieldError) -> Double {
        let s = text.trimmingWhitespace
        if s.hasPrefix("0x"), s.count == 18, let bits = UInt64(s.dropFirst(2), radix: 16) {
            return Double(bitPattern: bits)
        }
        guard !s.hasPrefix("0x"), let v = Double(s) else { throw XMLFieldError("'\(text)' is not a float") }
        return v
    }

    static func parseInt<T: FixedWidthInteger>(_ text: String, as: T.Type = Int.self) throws(XMLFieldError) -> T {
        guard let v = T(text.trimmingWhitespace) else {
            throw XMLFieldError("'\(text)' is not an integer in the range of \(T.self)")
        }
        return v
    }

    /// Splits a list on commas and whitespace; the empty string is the empty list.
    static func listTokens(_ text: String) -> [String] {
        text.split(whereSeparator: { $0 == "," || $0.isWhitespace }).map(String.init)
    }

    static func parseInts(_ text: String) throws(XMLFieldError) -> [Int] {
        var out: [Int] = []
        for t in listTokens(text) { out.append(try parseInt(t)) }
        return out
    }

    static func parseFloats(_ text: String) throws(XMLFieldError) -> [Float] {
        var out: [Float] = []
        for t in listTokens(text) { out.append(try parseFloat(t)) }
        return out
    }

    private static func hex(_ v: UInt64, digits: Int) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: max(0, digits - s.count)) + s
    }

    // MARK: Inline tensors

    /// The elements of a tensor as a comma-separated list (booleans as 0 and 1).
    static func elementText(_ t: Tensor) -> String {
        switch t.storage {
        case .float32(let a): return a.map(format).joined(separator: ",")
        case .float64(let a): return a.map(format).joined(separator: ",")
        case .int64(let a): return a.map(String.init).joined(separator: ",")
        case .int32(let a): return a.map(String.init).joined(separator: ",")
        case .uint8(let a): return a.map(String.init).joined(separator: ",")
        case .bool(let a): return a.map { $0 ? "1" : "0" }.joined(separator: ",")
        }
    }

    /// Parses the elements of an inline tensor, checking the count against the shape.
    static func parseTensor(dtype: DType, shape: [Int], text: String) throws(XMLFieldError) -> Tensor {
        let tokens = listTokens(text)
        guard let n = elementCount(shape), tokens.count == n else {
            throw XMLFieldError(.typeMismatch, "inline tensor has \(tokens.count) elements but shape \(shape) needs \(elementCount(shape) ?? -1)")
        }
        func each<T>(_ parse: (String) throws(XMLFieldError) -> T) throws(XMLFieldError) -> [T] {
            var out: [T] = []
            out.reserveCapacity(n)
            for t in tokens { out.append(try parse(t)) }
            return out
        }
        let storage: TensorStorage
        switch dtype {
        case .float32: storage = .float32(try each(parseFloat))
        case .float64: storage = .float64(try each(parseDouble))
        case .int64: storage = .int64(try each { (t) throws(XMLFieldError) in try parseInt(t, as: Int64.self) })
        case .int32: storage = .int32(try each { (t) throws(XMLFieldError) in try parseInt(t, as: Int32.self) })
        case .uint8: storage = .uint8(try each { (t) throws(XMLFieldError) in try parseInt(t, as: UInt8.self) })
        case .bool:
            storage = .bool(try each { (t) throws(XMLFieldError) -> Bool in
                switch t {
                case "1", "true": return true
                case "0", "false": return false
                default: throw XMLFieldError("'\(t)' is not a boolean (0, 1, true or false)")
                }
            })
        case .float16:
            throw XMLFieldError(.typeMismatch, "inline tensors cannot be f16 (tensors hold f16 data widened to f32)")
        }
        return Tensor(shape: shape, storage: storage)
    }
}

/// Types, tensors and attribute values of the text format.
extension TextParser {
    /// `f32[N,3,224,224]`, `i64[]`; a dim is an integer, a symbol (bare or quoted) or `?`.
    mutating func parseType(_ context: String) throws -> TensorType {
        let dtypeToken = current
        guard case .word(let word) = current.kind else { throw expected("a type such as f32[1,3]", context) }
        guard let dtype = DType(rawValue: word) else {
            throw error("unknown dtype '\(word)' \(context) (expected one of "
                        + DType.allCases.map(\.rawValue).joined(separator: ", ") + ")", at: dtypeToken)
        }
        position += 1
        try expect("[", "after dtype \(word) \(context)")
        var dims: [Dim] = []
        if !isPunct("]") {
            repeat { dims.append(try parseDim(context)) } while accept(",")
        }
        try expect("]", "after the dims of a type \(context)")
        return TensorType(dtype, Shape(dims))
    }

    mutating func parseDim(_ context: String) throws -> Dim {
        switch current.kind {
        case .punct("?"):
            position += 1
            return .symbolic("?")
        case .string(let s):
            position += 1
            return .symbolic(s)
        case .word(let w):
            if let n = Int(w) {
                guard n >= 0 else { throw error("dimension \(n) \(context) is negative") }
                position += 1
                return .known(n)
            }
            guard TextSyntax.isPlainIdentifier(w) else { throw expected("a dimension (integer or symbol)", context) }
            position += 1
            return .symbolic(w)
        default:
            throw expected("a dimension (integer or symbol)", context)
        }
    }

    /// `tensor<i64[2]>[0,-1]`.
    mutating func parseTensor(_ context: String) throws -> Tensor {
        guard isWord("tensor") else { throw expected("'tensor'", context) }
        position += 1
        try expect("<", "after 'tensor' \(context)")
        let typeToken = current
        let type = try parseType(context)
        try expect(">", "after the tensor type \(context)")
        guard let dims = type.shape.staticDims else {
            throw error("tensor type \(Graph.typeText(type)) \(context) must be static", at: typeToken)
        }
        return try parseElements(type.dtype, shape: dims, context)
    }

    /// A flat bracketed element list whose count must match `shape`.
    mutating func parseElements(_ dtype: DType, shape: [Int], _ context: String) throws -> Tensor {
        let open = current
        try expect("[", "to start the elements \(context)")
        var words: [(String, TextToken)] = []
        if !isPunct("]") {
            repeat {
                guard case .word(let w) = current.kind else { throw expected("a number", "in the elements \(context)") }
                words.append((w, current))
                position += 1
            } while accept(",")
        }
        try expect("]", "after the elements \(context)")
        // Checked product: a huge declared shape must be an error, not an overflow trap.
        var count = 1
        for d in shape {
            let (p, overflow) = count.multipliedReportingOverflow(by: d)
            guard !overflow else { throw error("type \(dtype.rawValue)\(Shape(shape)) \(context) is too large", at: open) }
            count = p
        }
        guard words.count == count else {
            throw error("\(words.count) elements \(context) but type \(dtype.rawValue)\(Shape(shape)) holds \(count)", at: open)
        }
        func each<T>(_ what: String, _ convert: (String) -> T?) throws -> [T] {
            try words.map { w, token in
                guard let v = convert(w) else { throw error("'\(w)' is not a valid \(what) \(context)", at: token) }
                return v
            }
        }
        let storage: TensorStorage
        switch dtype {
        case .float32, .float16: storage = .float32(try each("f32 element", TextSyntax.parseFloat))
        case .float64: storage = .float64(try each("f64 element", TextSyntax.parseDouble))
        case .int64: storage = .int64(try each("i64 element") { Int64($0) })
        case .int32: storage = .int32(try each("i32 element") { Int32($0) })
        case .uint8: storage = .uint8(try each("u8 element") { UInt8($0) })
        case .bool: storage = .bool(try each("bool element (true or false)") { $0 == "true" ? true : $0 == "false" ? false : nil })
        }
        return Tensor(shape: shape, storage: storage)
    }

    /// A number word as an attribute: an integer when it parses as one, else a float.
    func number(_ w: String) -> AttributeValue? {
        if let i = Int(w) { return .int(i) }
        if let f = TextSyntax.parseFloat(w) { return .float(f) }
        return nil
    }

    mutating func parseAttributeValue(_ context: String) throws -> AttributeValue {
        switch current.kind {
        case .string(let s):
            position += 1
            return .string(s)
        case .punct("["):
            return try parseList(kind: nil, context)
        case .word(let w):
            if w == "tensor" { return .tensor(try parseTensor(context)) }
            if ["ints", "floats", "strings"].contains(w), position + 1 < tokens.count, tokens[position + 1].kind == .punct("[") {
                position += 1
                return try parseList(kind: w, context)
            }
            guard let v = number(w) else { throw expected("an attribute value", context) }
            position += 1
            return v
        default:
            throw expected("an attribute value", context)
        }
    }

    /// `[1,2]`, `[0.5,1.0]`, `["a","b"]`; `kind` comes from a prefix such as `ints[]`.
    mutating func parseList(kind: String?, _ context: String) throws -> AttributeValue {
        let open = current
        try expect("[", context)
        var numbers: [AttributeValue] = []
        var strings: [String] = []
        if !isPunct("]") {
            repeat {
                switch current.kind {
                case .string(let s): strings.append(s)
                case .word(let w):
                    guard let v = number(w) else { throw expected("a list element", context) }
                    numbers.append(v)
                default: throw expected("a list element", context)
                }
                position += 1
            } while accept(",")
        }
        try expect("]", "after the list \(context)")
        guard numbers.isEmpty || strings.isEmpty else { throw error("list mixes strings and numbers \(context)", at: open) }
        let anyFloat = numbers.contains { if case .float = $0 { return true } else { return false } }
        let resolved = kind ?? (!strings.isEmpty ? "strings" : anyFloat ? "floats" : numbers.isEmpty ? "" : "ints")
        switch resolved {
        case "strings":
            guard numbers.isEmpty else { throw error("strings list holds numbers \(context)", at: open) }
            return .strings(strings)
        case "floats":
            guard strings.isEmpty else { throw error("floats list holds strings \(context)", at: open) }
            return .floats(numbers.map { if case .float(let f) = $0 { return f } else if case .int(let i) = $0 { return Float(i) } else { return 0 } })
        case "ints":
            guard strings.isEmpty, !anyFloat else { throw error("ints list holds non-integers \(context)", at: open) }
            return .ints(numbers.map { if case .int(let i) = $0 { return i } else { return 0 } })
        default:
            throw error("an empty list needs its kind \(context): ints[], floats[] or strings[]", at: open)
        }
    }
}

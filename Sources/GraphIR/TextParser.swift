extension Graph {
    /// Parses the text format written by `textDescription` (see there for the grammar).
    ///
    /// Values get ids in the order they are declared or produced; nodes in the order of
    /// their lines. Operand and output references may name values defined further down
    /// (so a badly ordered graph can still be read and then rejected by `verify()`).
    /// Errors name the line and column and what was expected, e.g.
    /// `line 7, column 14: expected ')' after inputs of %conv1_conv`.
    public static func parse(text: String) throws -> Graph {
        var parser = TextParser(tokens: try TextLexer.tokenize(text))
        return try parser.parseGraph()
    }

    /// Same as `Graph.parse(text:)`.
    public init(parsing text: String) throws { self = try Graph.parse(text: text) }
}

/// Recursive-descent parser over the tokens of one graph.
struct TextParser {
    /// A reference to a value by name, resolved once every line has been read.
    struct Reference {
        var name: String
        var token: TextToken
    }

    struct PendingNode {
        var node: Node
        var inputs: [Reference?]
        var label: String
    }

    var tokens: [TextToken]
    var position = 0
    var graph = Graph(name: "")
    var definedAt: [String: (id: ValueID, line: Int)] = [:]
    var pendingNodes: [PendingNode] = []
    var pendingOutputs: [Reference] = []

    init(tokens: [TextToken]) { self.tokens = tokens }

    var current: TextToken { tokens[min(position, tokens.count - 1)] }

    func error(_ message: String, at token: TextToken? = nil) -> TextParseError {
        let t = token ?? current
        return TextParseError(line: t.line, column: t.column, message: message)
    }

    /// "expected X <context>, found Y".
    func expected(_ what: String, _ context: String) -> TextParseError {
        error("expected \(what) \(context), found \(current.shown)")
    }

    mutating func next() -> TextToken {
        let t = current
        if position < tokens.count - 1 { position += 1 }
        return t
    }

    func isPunct(_ c: Character) -> Bool { current.kind == .punct(c) }
    func isWord(_ w: String) -> Bool { current.kind == .word(w) }

    mutating func accept(_ c: Character) -> Bool {
        guard isPunct(c) else { return false }
        position += 1
        return true
    }

    mutating func expect(_ c: Character, _ context: String) throws {
        guard accept(c) else { throw expected("'\(c)'", context) }
    }

    mutating func parseName(_ context: String) throws -> String {
        switch current.kind {
        case .word(let w): position += 1; return w
        case .string(let s): position += 1; return s
        default: throw expected("a name", context)
        }
    }

    /// `%name`.
    mutating func parseReference(_ context: String) throws -> Reference {
        try expect("%", context)
        let token = current
        return Reference(name: try parseName(context), token: token)
    }

    // MARK: Graph and statements

    mutating func parseGraph() throws -> Graph {
        guard isWord("graph") else { throw expected("'graph'", "at the start of the text") }
        position += 1
        graph.name = try parseName("after 'graph'")
        try expect("{", "after the graph name")
        while !isPunct("}") {
            if case .end = current.kind { throw expected("'}'", "to close graph \(graph.name)") }
            try parseStatement()
        }
        position += 1
        guard case .end = current.kind else { throw expected("end of text", "after the closing '}'") }
        try resolve()
        return graph
    }

    mutating func parseStatement() throws {
        switch current.kind {
        case .word("input"), .word("param"), .word("const"):
            try parseDeclaration()
        case .word("output"):
            position += 1
            pendingOutputs.append(try parseReference("after 'output'"))
        case .punct("%"):
            try parseNode()
        case .word:
            if position + 1 < tokens.count, tokens[position + 1].kind == .punct("(") { try parseNode() }
            else { throw expected("a declaration, a node or '}'", "in graph \(graph.name)") }
        default:
            throw expected("a declaration, a node or '}'", "in graph \(graph.name)")
        }
    }

    mutating func define(_ name: String, at token: TextToken, _ value: Value) throws -> ValueID {
        if let previous = definedAt[name] {
            throw error("%\(name) is already defined at line \(previous.line)", at: token)
        }
        let id = graph.addValue(value)
        definedAt[name] = (id, token.line)
        return id
    }

    /// `input %x : T`, `param %w : T trainable|frozen`, `const %c : T [= literal]`.
    mutating func parseDeclaration() throws {
        guard case .word(let keyword) = next().kind else { return }
        let ref = try parseReference("after '\(keyword)'")
        try expect(":", "and a type after %\(ref.name)")
        let type = try parseType("of %\(ref.name)")
        switch keyword {
        case "input":
            let id = try define(ref.name, at: ref.token, Value(name: ref.name, type: type, role: .input))
            graph.inputs.append(id)
        case "param":
            let trainable: Bool
            if isWord("trainable") { trainable = true } else if isWord("frozen") { trainable = false } else {
                throw expected("'trainable' or 'frozen'", "after the type of %\(ref.name)")
            }
            position += 1
            _ = try define(ref.name, at: ref.token,
                           Value(name: ref.name, type: type, role: .parameter, trainable: trainable))
        default:
            var data: Tensor? = nil
            if accept("=") {
                if isWord("tensor") {
                    data = try parseTensor("for %\(ref.name)")
                } else {
                    guard let dims = type.shape.staticDims else {
                        throw error("constant %\(ref.name) with data needs a static type, found \(Graph.typeText(type))", at: ref.token)
                    }
                    data = try parseElements(type.dtype, shape: dims, "of %\(ref.name)")
                }
            }
            _ = try define(ref.name, at: ref.token, Value(name: ref.name, type: type, role: .constant, data: data))
        }
    }

    /// `%a, %b = Op(%x, _, %y) {k=v} : T1, T2 @name` or `Op(...) {...} @name`.
    mutating func parseNode() throws {
        var outputs: [Reference] = []
        if isPunct("%") {
            repeat { outputs.append(try parseReference("in the outputs of a node")) } while accept(",")
            try expect("=", "after the outputs %\(outputs[0].name)")
        }
        let label = outputs.first.map { "%" + $0.name } ?? "a node without outputs"
        let opToken = current
        guard case .word(let opName) = current.kind else { throw expected("an op name", "for \(label)") }
        guard let op = OpKind(rawValue: opName) else { throw error("unknown op '\(opName)' for \(label)", at: opToken) }
        position += 1
        try expect("(", "after \(opName) of \(label)")
        var inputs: [Reference?] = []
        if !isPunct(")") {
            repeat {
                if isWord("_") { position += 1; inputs.append(nil) }
                else if isPunct("%") { inputs.append(try parseReference("in the inputs of \(label)")) }
                else { throw expected("'%value' or '_'", "in the inputs of \(label)") }
            } while accept(",")
        }
        try expect(")", "after inputs of \(label)")
        var attributes = Attributes()
        if accept("{") {
            repeat {
                let keyToken = current
                let key = try parseName("as an attribute name of \(label)")
                if attributes[key] != nil { throw error("attribute '\(key)' of \(label) is given twice", at: keyToken) }
                try expect("=", "after attribute '\(key)' of \(label)")
                attributes[key] = try parseAttributeValue("for attribute '\(key)' of \(label)")
            } while accept(",")
            try expect("}", "after the attributes of \(label)")
        }
        var types: [TensorType] = []
        if !outputs.isEmpty {
            try expect(":", "and the output types of \(label)")
            repeat { types.append(try parseType("of an output of \(label)")) } while accept(",")
            guard types.count == outputs.count else {
                throw error("\(label) has \(outputs.count) outputs but \(types.count) types", at: opToken)
            }
        }
        var nodeName = outputs.first?.name
        if accept("@") { nodeName = try parseName("after '@' of \(label)") }
        guard let nodeName else { throw expected("'@' and a node name", "for a node without outputs") }
        var outputIDs: [ValueID] = []
        for (ref, type) in zip(outputs, types) {
            outputIDs.append(try define(ref.name, at: ref.token, Value(name: ref.name, type: type, role: .intermediate)))
        }
        pendingNodes.append(PendingNode(node: Node(name: nodeName, op: op, inputs: [], outputs: outputIDs,
                                                   attributes: attributes),
                                        inputs: inputs, label: label))
    }

    /// Resolves operand and output references and appends the nodes in line order.
    mutating func resolve() throws {
        func lookUp(_ ref: Reference, _ context: String) throws -> ValueID {
            guard let found = definedAt[ref.name] else { throw error("undefined value %\(ref.name) \(context)", at: ref.token) }
            return found.id
        }
        for pending in pendingNodes {
            var node = pending.node
            node.inputs = try pending.inputs.map { try $0.map { try lookUp($0, "in the inputs of \(pending.label)") } }
            graph.addNode(node)
        }
        graph.outputs = try pendingOutputs.map { try lookUp($0, "in a graph output") }
    }
}

/// A syntax error in graph text, with the 1-based line and column where it was found.
public struct TextParseError: Error, Equatable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public var message: String

    public init(line: Int, column: Int, message: String) {
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String { "line \(line), column \(column): \(message)" }
}

/// One token of graph text.
struct TextToken: Equatable {
    enum Kind: Equatable {
        /// A run of `[A-Za-z0-9_.+-]` continued by those and `/ :`: identifiers,
        /// numbers, dtypes and keywords alike.
        case word(String)
        /// A double-quoted string, unescaped.
        case string(String)
        /// One of `% @ { } ( ) [ ] < > , = : ?`.
        case punct(Character)
        case end
    }

    var kind: Kind
    var line: Int
    var column: Int

    /// How the token reads in an error message.
    var shown: String {
        switch kind {
        case .word(let w): return "'\(w)'"
        case .string(let s): return TextSyntax.quoted(s)
        case .punct(let c): return "'\(c)'"
        case .end: return "end of text"
        }
    }
}

/// Splits graph text into tokens. `#` starts a comment that runs to the end of the line.
enum TextLexer {
    static func isWordStart(_ c: Unicode.Scalar) -> Bool {
        c.isASCII && (("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c) || "_.+-".unicodeScalars.contains(c))
    }

    static func isWordBody(_ c: Unicode.Scalar) -> Bool { isWordStart(c) || c == "/" || c == ":" }

    static func tokenize(_ text: String) throws -> [TextToken] {
        let s = Array(text.unicodeScalars)
        var tokens: [TextToken] = []
        var i = 0, line = 1, column = 1
        func advance() {
            if s[i] == "\n" { line += 1; column = 1 } else { column += 1 }
            i += 1
        }
        while i < s.count {
            let c = s[i]
            if c == " " || c == "\t" || c == "\n" || c == "\r" { advance(); continue }
            if c == "#" {
                while i < s.count, s[i] != "\n" { advance() }
                continue
            }
            let startLine = line, startColumn = column
            if isWordStart(c) {
                var w = ""
                while i < s.count, isWordBody(s[i]) { w.unicodeScalars.append(s[i]); advance() }
                tokens.append(TextToken(kind: .word(w), line: startLine, column: startColumn))
            } else if c == "\"" {
                advance()
                var str = ""
                var closed = false
                while i < s.count {
                    let d = s[i]
                    if d == "\"" { advance(); closed = true; break }
                    if d == "\n" { break }
                    if d == "\\" {
                        advance()
                        guard i < s.count else { break }
                        let e = s[i]
                        advance()
                        switch e {
                        case "\"": str += "\""
                        case "\\": str += "\\"
                        case "n": str += "\n"
                        case "t": str += "\t"
                        case "r": str += "\r"
                        case "u":
                            guard i < s.count, s[i] == "{" else {
                                throw TextParseError(line: line, column: column, message: "expected '{' after \\u in string")
                            }
                            advance()
                            var hex = ""
                            while i < s.count, s[i] != "}", hex.count < 8 { hex.unicodeScalars.append(s[i]); advance() }
                            guard i < s.count, s[i] == "}", let code = UInt32(hex, radix: 16),
                                  let scalar = Unicode.Scalar(code) else {
                                throw TextParseError(line: line, column: column, message: "invalid \\u{...} escape in string")
                            }
                            advance()
                            str.unicodeScalars.append(scalar)
                        default:
                            throw TextParseError(line: line, column: column - 1, message: "unknown escape '\\\(e)' in string")
                        }
                        continue
                    }
                    str.unicodeScalars.append(d)
                    advance()
                }
                guard closed else {
                    throw TextParseError(line: startLine, column: startColumn, message: "unterminated string")
                }
                tokens.append(TextToken(kind: .string(str), line: startLine, column: startColumn))
            } else if "%@{}()[]<>,=:?".unicodeScalars.contains(c) {
                tokens.append(TextToken(kind: .punct(Character(c)), line: startLine, column: startColumn))
                advance()
            } else {
                throw TextParseError(line: startLine, column: startColumn, message: "unexpected character '\(Character(c))'")
            }
        }
        tokens.append(TextToken(kind: .end, line: line, column: column))
        return tokens
    }
}

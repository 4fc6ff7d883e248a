/// Lexical rules shared by the text printer and parser.
///
/// - A *plain identifier* starts with a letter or `_` and continues with letters, digits
///   and `_ . / : -`. Names (graph, values, nodes, attribute keys, symbolic dims) that are
///   not plain identifiers are printed as double-quoted strings with the escapes `\"`,
///   `\\`, `\n`, `\t`, `\r` and `\u{HEX}` for other control characters.
/// - Numbers: integers in decimal; floats in Swift's shortest round-trip form, which
///   always contains `.` or `e` (`1.0`, `1e-05`, `3.4028235e+38`), or `inf`, `-inf`,
///   `nan`. A NaN other than the canonical quiet NaN is printed as `nan:0x` followed by
///   its bit pattern in hex, so that every float parses back bit-exactly.
enum TextSyntax {
    static func isIdentifierStart(_ c: Character) -> Bool {
        c == "_" || (c.isASCII && c.isLetter)
    }

    static func isIdentifierBody(_ c: Character) -> Bool {
        c.isASCII && (c.isLetter || c.isNumber || "_./:-".contains(c))
    }

    static func isPlainIdentifier(_ s: String) -> Bool {
        guard let first = s.first, isIdentifierStart(first) else { return false }
        return s.allSatisfy(isIdentifierBody)
    }

    /// The name as written in text: bare when plain, else quoted.
    static func name(_ s: String) -> String { isPlainIdentifier(s) ? s : quoted(s) }

    static func quoted(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7f {
                    out += "\\u{" + String(scalar.value, radix: 16) + "}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    static func float(_ v: Float) -> String {
        if v.isNaN {
            return v.bitPattern == Float.nan.bitPattern ? "nan" : "nan:0x" + String(v.bitPattern, radix: 16)
        }
        return v.description
    }

    static func double(_ v: Double) -> String {
        if v.isNaN {
            return v.bitPattern == Double.nan.bitPattern ? "nan" : "nan:0x" + String(v.bitPattern, radix: 16)
        }
        return v.description
    }

    static func parseFloat(_ s: String) -> Float? {
        if s.hasPrefix("nan:0x") { return UInt32(s.dropFirst(6), radix: 16).map(Float.init(bitPattern:)) }
        if s == "nan" { return Float.nan }
        return Float(s)
    }

    static func parseDouble(_ s: String) -> Double? {
        if s.hasPrefix("nan:0x") { return UInt64(s.dropFirst(6), radix: 16).map(Double.init(bitPattern:)) }
        if s == "nan" { return Double.nan }
        return Double(s)
    }

    /// True when a numeric word denotes a float rather than an integer.
    static func looksLikeFloat(_ s: String) -> Bool {
        s.contains(".") || s.contains("e") || s.contains("E") || s.hasSuffix("inf") || s.hasPrefix("nan")
    }
}

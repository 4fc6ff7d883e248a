import Testing
@testable import GraphIR

/// The parse error for `text`, or nil when it parses.
func parseError(_ text: String) -> TextParseError? {
    do { _ = try Graph.parse(text: text); return nil } catch let e as TextParseError { return e } catch { return nil }
}

@Suite("Text format: parse errors name line, column and what was expected")
struct TextParserErrorTests {
    static let header = "graph g {\n  input %x : f32[1,3,4,4]\n"

    @Test func missingClosingParenthesis() throws {
        let e = try #require(parseError(Self.header + "  %y = Relu(%x : f32[1,3,4,4]\n}\n"))
        #expect(e.line == 3 && e.column == 16)
        #expect(e.description == "line 3, column 16: expected ')' after inputs of %y, found ':'")
    }

    @Test func unknownOp() throws {
        let e = try #require(parseError(Self.header + "  %y = Convv(%x) : f32[1]\n}\n"))
        #expect(e.description == "line 3, column 8: unknown op 'Convv' for %y")
    }

    @Test func unknownDType() throws {
        let e = try #require(parseError("graph g {\n  input %x : f31[2]\n}"))
        #expect(e.line == 2 && e.column == 14)
        #expect(e.message.hasPrefix("unknown dtype 'f31' of %x"))
    }

    @Test func undefinedValueIsReportedAtTheReference() throws {
        let e = try #require(parseError(Self.header + "  %y = Relu(%nope) : f32[1,3,4,4]\n  output %y\n}"))
        #expect(e.description == "line 3, column 14: undefined value %nope in the inputs of %y")
    }

    @Test func redefinition() throws {
        let e = try #require(parseError(Self.header + "  %x = Relu(%x) : f32[1,3,4,4]\n}"))
        #expect(e.description == "line 3, column 4: %x is already defined at line 2")
    }

    @Test func typeCountMustMatchOutputCount() throws {
        let e = try #require(parseError(Self.header + "  %a, %b = Relu(%x) : f32[1,3,4,4]\n}"))
        #expect(e.message == "%a has 2 outputs but 1 types")
    }

    @Test func constantElementCountMustMatchItsType() throws {
        let e = try #require(parseError("graph g {\n  const %c : i64[3] = [1,2]\n}"))
        #expect(e.description == "line 2, column 23: 2 elements of %c but type i64[3] holds 3")
    }

    @Test func badElement() throws {
        let e = try #require(parseError("graph g {\n  const %c : u8[2] = [1,256]\n}"))
        #expect(e.description == "line 2, column 25: '256' is not a valid u8 element of %c")
    }

    @Test func emptyListNeedsAKind() throws {
        let e = try #require(parseError(Self.header + "  %y = Relu(%x) {a=[]} : f32[1,3,4,4]\n}"))
        #expect(e.message.hasPrefix("an empty list needs its kind for attribute 'a' of %y"))
    }

    @Test func duplicateAttribute() throws {
        let e = try #require(parseError(Self.header + "  %y = Relu(%x) {a=1, a=2} : f32[1,3,4,4]\n}"))
        #expect(e.description == "line 3, column 23: attribute 'a' of %y is given twice")
    }

    @Test func parameterNeedsTrainability() throws {
        let e = try #require(parseError("graph g {\n  param %w : f32[2]\n}"))
        #expect(e.description == "line 3, column 1: expected 'trainable' or 'frozen' after the type of %w, found '}'")
    }

    @Test func unterminatedStringAndMissingBrace() throws {
        let s = try #require(parseError("graph g {\n  input %\"x : f32[2]\n}"))
        #expect(s.description == "line 2, column 10: unterminated string")
        let b = try #require(parseError("graph g {\n  input %x : f32[2]\n"))
        #expect(b.message == "expected '}' to close graph g, found end of text")
    }

    @Test func textAfterTheGraph() throws {
        let e = try #require(parseError("graph g {\n}\nextra"))
        #expect(e.description == "line 3, column 1: expected end of text after the closing '}', found 'extra'")
    }
}

@Suite("Malformed input never traps")
struct MalformedInputTests {
    @Test func hugeDeclaredShapesAreReportedNotTrapped() throws {
        let g = try Graph.parse(text: """
            graph g {
              input %x : f32[9999999999,9999999999,9999999999]
              const %s : i64[1] = [-1]
              %y = Reshape(%x, %s) : f32[1]
              output %y
            }
            """)
        #expect(Shape([9_999_999_999, 9_999_999_999, 9_999_999_999]).elementCount == nil)
        #expect(throws: VerifyError.self) { try g.verify() }
        _ = g.summary.formatted()
        #expect(parseError("graph g {\n  const %c : i64[9999999999,9999999999,9999999999] = [1]\n}")?.message
                == "type i64[9999999999,9999999999,9999999999] of %c is too large")
    }
}

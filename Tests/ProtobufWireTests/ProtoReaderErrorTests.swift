import Testing
@testable import ProtobufWire

@Suite("ProtoReader bounds and error paths")
struct ProtoReaderErrorTests {
    @Test("a truncated varint reports where it started")
    func truncatedVarint() throws {
        var r = ProtoReader([0x08, 0x96], root: "M")
        _ = try r.nextField()
        let e = try #require(throws: WireError.self) { try r.varint() }
        #expect(e == WireError(path: "M", offset: 1, reason: "truncated varint"))
    }

    @Test("a varint of 11 bytes is rejected, and so is a 10th byte above 1")
    func overlongVarint() throws {
        var r = ProtoReader(Array(repeating: 0x80, count: 10) + [0x00])
        let e = try #require(throws: WireError.self) { try r.varint() }
        #expect(e.reason == "varint longer than 10 bytes")
        var r2 = ProtoReader(Array(repeating: 0xff, count: 9) + [0x02])
        let e2 = try #require(throws: WireError.self) { try r2.varint() }
        #expect(e2.reason == "varint overflows 64 bits")
    }

    @Test("a length past the end of the enclosing message is rejected")
    func lengthPastEnd() throws {
        // outer field 1 holds 3 bytes: an inner bytes field claiming 5 bytes
        var r = ProtoReader([0x0a, 0x03, 0x12, 0x05, 0x00, 0xee, 0xee, 0xee], root: "Outer")
        let k = try #require(try r.nextField())
        var inner = try r.message(k, "inner[0]")
        let ik = try #require(try inner.nextField())
        let e = try #require(throws: WireError.self) { try inner.bytesRange(ik) }
        #expect(e.description == "Outer.inner[0]: length 5 runs past the end of the message (1 bytes left) at byte 3")
    }

    @Test("truncated fixed-width values, invalid wire types and field number 0 are errors")
    func otherMalformations() throws {
        var r = ProtoReader([0x0d, 0x01, 0x02])
        let k = try #require(try r.nextField())
        #expect(throws: WireError.self) { try r.float(k) }
        var r2 = ProtoReader([0x0e])  // wire type 6
        #expect(throws: WireError.self) { try r2.nextField() }
        var r3 = ProtoReader([0x00, 0x01])  // field number 0
        let e = try #require(throws: WireError.self) { try r3.nextField() }
        #expect(e.reason == "invalid field number 0")
    }

    @Test("path components pushed by the caller and relabelled appear in the message")
    func pathComponents() throws {
        var w = ProtoWriter()
        w.writeMessage(7) { g in
            g.writeMessage(1) { n in
                n.writeString(3, "conv2_block1_1_conv")
                n.writeMessage(5) { a in
                    a.writeString(1, "pads")
                    a.writeRaw([0x40, 0x80])  // field 8 varint, truncated
                }
            }
        }
        var model = ProtoReader(w.bytes, root: "ModelProto")
        let gk = try #require(try model.nextField())
        var graph = try model.message(gk, "graph")
        let nk = try #require(try graph.nextField())
        var node = try graph.message(nk, "node[17]")
        let nameKey = try #require(try node.nextField())
        node.relabel("node[17](\(try node.string(nameKey)))")
        let ak = try #require(try node.nextField())
        var attr = try node.message(ak, "attribute")
        let attrName = try #require(try attr.nextField())
        attr.relabel("attribute[\(try attr.string(attrName))]")
        let vk = try #require(try attr.nextField())
        let e = try #require(throws: WireError.self) { try attr.int64(vk) }
        #expect(e.description == "ModelProto.graph.node[17](conv2_block1_1_conv).attribute[pads]: truncated varint at byte 34")
        // 2 + 2 (graph, node headers) + 21 (name field) + 2 (attribute header) + 6 (name) + 1 (key)
    }
}

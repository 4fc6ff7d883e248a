import Testing
@testable import ProtobufWire

@Suite("ProtoReader repeated fields and skipping")
struct ProtoReaderRepeatedTests {
    /// Reads every occurrence of field `number` as int64s, packed or not.
    func int64s(_ bytes: [UInt8], field number: Int) throws -> [Int64] {
        var r = ProtoReader(bytes)
        var out: [Int64] = []
        while let k = try r.nextField() {
            if k.number == number { try r.appendInt64s(k, to: &out) } else { try r.skip(k) }
        }
        return out
    }

    @Test("packed and unpacked int64s decode to the same values")
    func packedVersusUnpacked() throws {
        // packed: key 0a (field 1, LEN), length 4, payload 01 96 01 7f
        let packed: [UInt8] = [0x0a, 0x04, 0x01, 0x96, 0x01, 0x7f]
        // unpacked: 08 01, 08 96 01, 08 7f
        let unpacked: [UInt8] = [0x08, 0x01, 0x08, 0x96, 0x01, 0x08, 0x7f]
        #expect(try int64s(packed, field: 1) == [1, 150, 127])
        #expect(try int64s(unpacked, field: 1) == [1, 150, 127])
        // and a mix of both, as a merged message may contain
        #expect(try int64s(packed + unpacked, field: 1) == [1, 150, 127, 1, 150, 127])
    }

    @Test("packed floats from the writer and unpacked floats by hand")
    func floats() throws {
        var w = ProtoWriter()
        w.writePackedFloats(4, [1.5, -0.0, .infinity])
        w.writeFloat(4, 2.0)
        var r = ProtoReader(w.bytes)
        var out: [Float] = []
        while let k = try r.nextField() { try r.appendFloats(k, to: &out) }
        #expect(out.map(\.bitPattern) == [Float(1.5), -0.0, .infinity, 2.0].map(\.bitPattern))
    }

    @Test("packed doubles round-trip")
    func doubles() throws {
        var w = ProtoWriter()
        w.writePackedDoubles(10, [0.1, -3e300])
        var r = ProtoReader(w.bytes)
        var out: [Double] = []
        while let k = try r.nextField() { try r.appendDoubles(k, to: &out) }
        #expect(out == [0.1, -3e300])
    }

    @Test("a packed fixed-width run whose length is not a multiple of the width is rejected")
    func raggedPackedRun() throws {
        var r = ProtoReader([0x22, 0x05, 0, 0, 0x80, 0x3f, 0x00], root: "TensorProto")
        let k = try #require(try r.nextField())
        var out: [Float] = []
        let e = try #require(throws: WireError.self) { try r.appendFloats(k, to: &out) }
        #expect(e.description == "TensorProto: packed field 4 has 5 bytes, not a multiple of 4 at byte 1")
    }

    @Test("unknown fields of every wire type are skipped")
    func skipsUnknownFields() throws {
        let bytes: [UInt8] = [
            0x78, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01,  // field 15 varint (-1)
            0x79, 1, 2, 3, 4, 5, 6, 7, 8,                                    // field 15 fixed64
            0x7a, 0x03, 0xaa, 0xbb, 0xcc,                                    // field 15 bytes
            0x7b, 0x08, 0x05, 0x7c,                                          // group 15 { field 1 = 5 }
            0x7d, 1, 2, 3, 4,                                                // field 15 fixed32
            0x08, 0x2a,                                                      // field 1 = 42 (known)
        ]
        #expect(try int64s(bytes, field: 1) == [42])
    }

    @Test("nested groups are skipped; a mismatched or stray end-group is an error")
    func groups() throws {
        // group 2 { group 3 { } }, then field 1 = 7
        #expect(try int64s([0x13, 0x1b, 0x1c, 0x14, 0x08, 0x07], field: 1) == [7])
        // group 2 ended by end-group 3
        var r = ProtoReader([0x13, 0x1c], root: "M")
        let k = try #require(try r.nextField())
        let e = try #require(throws: WireError.self) { try r.skip(k) }
        #expect(e.description == "M: group 2 ended by end-group 3 at byte 2")
        // a stray end-group
        var s = ProtoReader([0x0c])
        let ks = try #require(try s.nextField())
        #expect(throws: WireError.self) { try s.skip(ks) }
    }

    @Test("deeply nested groups are rejected rather than recursing without bound")
    func groupDepth() throws {
        let bytes = Array(repeating: UInt8(0x0b), count: 1000)
        var r = ProtoReader(bytes)
        let k = try #require(try r.nextField())
        let e = try #require(throws: WireError.self) { try r.skip(k) }
        #expect(e.reason.contains("nested deeper"))
    }
}

import Testing
@testable import ProtobufWire

@Suite("ProtoReader scalars")
struct ProtoReaderScalarTests {
    @Test("varints decode from hand-computed bytes")
    func varints() throws {
        // 1 -> 01, 150 -> 96 01, 300 -> ac 02, UInt64.max -> ff x9 01
        var r = ProtoReader([0x01, 0x96, 0x01, 0xac, 0x02] + Array(repeating: 0xff, count: 9) + [0x01])
        #expect(try r.varint() == 1)
        #expect(try r.varint() == 150)
        #expect(try r.varint() == 300)
        #expect(try r.varint() == UInt64.max)
        #expect(r.isAtEnd)
    }

    @Test("negative int64 is a 10-byte varint and round-trips through the writer")
    func negativeInt64() throws {
        var w = ProtoWriter()
        w.writeInt(1, -1)
        // key 08, then -1 as ten bytes: ff ff ff ff ff ff ff ff ff 01
        #expect(w.bytes == [0x08] + Array(repeating: 0xff, count: 9) + [0x01])
        w.writeInt(2, -2)
        var r = ProtoReader(w.bytes)
        let k1 = try #require(try r.nextField())
        #expect(k1 == FieldKey(number: 1, wireType: .varint))
        #expect(try r.int64(k1) == -1)
        let k2 = try #require(try r.nextField())
        #expect(try r.int64(k2) == -2)
        #expect(try r.nextField() == nil)
    }

    @Test("int32 fields truncate to the low 32 bits like protobuf")
    func int32Truncation() throws {
        var w = ProtoWriter()
        w.writeInt(3, Int64(Int32.min))
        var r = ProtoReader(w.bytes)
        let k = try #require(try r.nextField())
        #expect(try r.int32(k) == Int32.min)
    }

    @Test("zigzag sint64: 0,-1,1,-2 map to 0,1,2,3 and extremes round-trip")
    func zigzag() throws {
        #expect([0, -1, 1, -2].map(ProtoWriter.zigzagEncode) == [0, 1, 2, 3])
        var w = ProtoWriter()
        for v: Int64 in [0, -1, 1, Int64.min, Int64.max] { w.writeSInt(4, v) }
        var r = ProtoReader(w.bytes)
        var got: [Int64] = []
        while let k = try r.nextField() { got.append(try r.sint64(k)) }
        #expect(got == [0, -1, 1, Int64.min, Int64.max])
    }

    @Test("fixed32, fixed64, float and double are little-endian")
    func fixedWidths() throws {
        // field 1 fixed32 = 0x04030201, field 2 float 1.0 = 0x3f800000, field 3 double -2.0
        let bytes: [UInt8] = [0x0d, 0x01, 0x02, 0x03, 0x04,
                              0x15, 0x00, 0x00, 0x80, 0x3f,
                              0x19, 0, 0, 0, 0, 0, 0, 0x00, 0xc0]
        var r = ProtoReader(bytes)
        var k = try #require(try r.nextField())
        #expect(k.wireType == .fixed32)
        #expect(try r.fixed32() == 0x0403_0201)
        k = try #require(try r.nextField())
        #expect(try r.float(k) == 1.0)
        k = try #require(try r.nextField())
        #expect(try r.double(k) == -2.0)
    }

    @Test("bytes and nested messages are views of the one buffer")
    func lengthDelimitedViews() throws {
        var w = ProtoWriter()
        w.writeString(1, "héllo")
        w.writeMessage(2) { $0.writeInt(1, 150) }
        var r = ProtoReader(w.bytes, root: "Outer")
        let k1 = try #require(try r.nextField())
        let range = try r.bytesRange(k1)
        #expect(range == 2..<8)
        #expect(String(decoding: r.buffer[range], as: UTF8.self) == "héllo")
        let k2 = try #require(try r.nextField())
        var inner = try r.message(k2, "inner")
        #expect(inner.path == ["Outer", "inner"])
        #expect(inner.offset == 10 && inner.end == 13)
        let k = try #require(try inner.nextField())
        #expect(try inner.int64(k) == 150)
        #expect(inner.isAtEnd && r.isAtEnd)
    }

    @Test("a field read with the wrong wire type is an error naming the field")
    func wrongWireType() throws {
        var r = ProtoReader([0x0d, 0, 0, 0, 0], root: "M")
        let k = try #require(try r.nextField())
        let e = try #require(throws: WireError.self) { try r.int64(k) }
        #expect(e.description == "M: field 1 has wire type fixed32, expected varint at byte 1")
    }
}

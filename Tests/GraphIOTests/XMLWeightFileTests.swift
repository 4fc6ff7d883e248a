import Foundation
import Testing
import GraphIR
@testable import GraphIO

@Suite("XML graph store: weight file and text encodings")
struct XMLWeightFileTests {
    @Test("CRC-32C matches the standard check value and the bytewise definition")
    func crc32c() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([UInt8]()) == 0)
        // 32 zero bytes: the RFC 3720 test vector (exercises the 8-byte path).
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.label(0x0000_00ff) == "crc32c:000000ff")
    }

    @Test("Tensors are placed at 64-byte aligned offsets after a 64-byte header")
    func layout() throws {
        var writer = WeightFileWriter()
        let a = writer.append(Tensor(shape: [3], floats: [1, 2, 3]))
        let b = writer.append(.int64Vector([7, -1]))
        #expect(Array(writer.bytes.prefix(8)) == Array("GCWEIGHT".utf8))
        #expect(writer.bytes[8..<16] == [1, 0, 0, 0, 64, 0, 0, 0])
        #expect(a.offset == 64 && a.length == 12)
        #expect(b.offset == 128 && b.length == 16)
        #expect(writer.bytes.count == 144)
        #expect(writer.bytes[76..<128].allSatisfy { $0 == 0 })

        let reader = try WeightFileReader(bytes: writer.bytes, fileName: "t.weights")
        let back = try reader.tensor(for: "b", at: b, dtype: .int64, shape: [2])
        #expect(back == .int64Vector([7, -1]))
    }

    @Test("A header shorter than 64 bytes is reported, not read past")
    func shortHeader() throws {
        let error = try #require(throws: GraphStoreError.self) {
            try WeightFileReader(bytes: Array("GCWEIGHT".utf8), fileName: "short.weights")
        }
        #expect(error.description == "short.weights: file has 8 bytes, too short for the 64-byte header")
    }

    @Test("An unknown weights file version is refused with its offset")
    func futureVersion() throws {
        var bytes = WeightFileWriter().bytes
        bytes[8] = 2
        let error = try #require(throws: GraphStoreError.self) { try WeightFileReader(bytes: bytes, fileName: "v2.weights") }
        #expect(error.byteOffset == 8)
        #expect(error.description.hasPrefix("v2.weights: unsupported weights file version 2 at offset 8"))
    }

    @Test("Floats are written so that they parse back to the same bits")
    func floatText() throws {
        let samples: [Float] = [0.1, 1.001e-5, -0.0, .infinity, -.infinity, .leastNonzeroMagnitude,
                                .greatestFiniteMagnitude, Float(bitPattern: 0x7fc0_0123), Float(bitPattern: 0xffc0_0000)]
        for v in samples {
            let text = XMLTextCoding.format(v)
            #expect(try XMLTextCoding.parseFloat(text).bitPattern == v.bitPattern, "\(text)")
        }
        #expect(XMLTextCoding.format(Float(bitPattern: 0x7fc0_0123)) == "0x7fc00123")
        let d = Double(bitPattern: 0x7ff8_0000_0000_0042)
        #expect(try XMLTextCoding.parseDouble(XMLTextCoding.format(d)).bitPattern == d.bitPattern)
    }

    @Test("Shapes: sizes, symbols and rank 0; malformed dimensions are refused")
    func shapeText() throws {
        #expect(try XMLTextCoding.parseShape("N,3,112,112") == [.symbolic("N"), 3, 112, 112])
        #expect(try XMLTextCoding.parseShape("") == Shape([Dim]()))
        #expect(XMLTextCoding.format(Shape([.symbolic("N"), 8])) == "N,8")
        for bad in ["3,,4", "-1", "3x", "2, 1 0"] {
            #expect(throws: XMLFieldError.self, "\(bad)") { try XMLTextCoding.parseShape(bad) }
        }
        #expect(throws: XMLFieldError.self) { try XMLTextCoding.parseShape("N,99999999999,99999999999") }
        #expect(throws: XMLFieldError.self) { try XMLTextCoding.parseStaticShape("N,3") }
    }

    @Test("Inline tensors of every stored dtype round-trip; wrong counts are refused")
    func inlineTensors() throws {
        let tensors = [
            Tensor(shape: [2], storage: .float64([0.1, -2.5e-300])),
            Tensor(shape: [3], storage: .int32([-2, 0, Int32.max])),
            Tensor(shape: [2], storage: .uint8([0, 255])),
            Tensor(shape: [2, 1], storage: .bool([true, false])),
            Tensor(shape: [], floats: [3.5]),
        ]
        for t in tensors {
            let back = try XMLTextCoding.parseTensor(dtype: t.dtype, shape: t.shape, text: XMLTextCoding.elementText(t))
            #expect(back == t)
        }
        #expect(throws: XMLFieldError.self) { try XMLTextCoding.parseTensor(dtype: .int64, shape: [3], text: "1,2") }
        #expect(throws: XMLFieldError.self) { try XMLTextCoding.parseTensor(dtype: .uint8, shape: [1], text: "256") }
    }
}

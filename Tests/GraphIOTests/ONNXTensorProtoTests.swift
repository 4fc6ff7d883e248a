import Foundation
import Testing
import GraphIR
import ProtobufWire
@testable import GraphIO

@Suite("TensorProto codec")
struct ONNXTensorProtoTests {
    @Test("encode then decode is bit-identical for every IR dtype", arguments: [
        Tensor(shape: [2, 3], floats: [1, -2, .nan, -0.0, .infinity, 3.5]),
        Tensor(shape: [3], int64s: [Int64.min, -1, Int64.max]),
        Tensor(shape: [2], storage: .int32([-7, 9])),
        Tensor(shape: [2, 2], storage: .float64([0.1, -0.2, 1e300, 0])),
        Tensor(shape: [4], storage: .uint8([0, 1, 128, 255])),
        Tensor(shape: [3], storage: .bool([true, false, true])),
        Tensor(shape: [], floats: [42]),
        Tensor(shape: [0, 4], floats: []),
    ])
    func roundTrip(_ t: Tensor) throws {
        let bytes = TensorProtoCodec.encode(t, name: "w")
        let (name, back) = try TensorProtoCodec.decodeNamed(bytes)
        #expect(name == "w")
        #expect(back == t)
    }

    @Test("typed data fields (float_data, int64_data, int32_data for bool/uint8/float16) decode")
    func typedFields() throws {
        typealias F = ONNXField.Tensor
        func proto(_ dataType: Int, dims: [Int64], _ fill: (inout ProtoWriter) -> Void) -> [UInt8] {
            var w = ProtoWriter()
            w.writePackedInts(F.dims, dims)
            w.writeInt(F.dataType, Int64(dataType))
            fill(&w)
            return w.bytes
        }
        let f = try TensorProtoCodec.decode(proto(1, dims: [2]) { $0.writePackedFloats(F.floatData, [1.5, -2]) })
        #expect(f == Tensor(shape: [2], floats: [1.5, -2]))
        // int64_data unpacked, one key per element
        let i = try TensorProtoCodec.decode(proto(7, dims: [2]) { $0.writeInt(F.int64Data, -5); $0.writeInt(F.int64Data, 6) })
        #expect(i == Tensor(shape: [2], int64s: [-5, 6]))
        let b = try TensorProtoCodec.decode(proto(9, dims: [3]) { $0.writePackedInts(F.int32Data, [1, 0, 1]) })
        #expect(b == Tensor(shape: [3], storage: .bool([true, false, true])))
        // float16 1.0 = 0x3c00, -2.0 = 0xc000, widened to float32
        let h = try TensorProtoCodec.decode(proto(10, dims: [2]) { $0.writePackedInts(F.int32Data, [0x3c00, 0xc000]) })
        #expect(h == Tensor(shape: [2], floats: [1, -2]))
        let hr = try TensorProtoCodec.decode(proto(10, dims: [2]) { $0.writeBytes(F.rawData, [0x00, 0x3c, 0x00, 0xc0]) })
        #expect(hr == Tensor(shape: [2], floats: [1, -2]))
    }

    @Test("a data count that does not match the dims is an error naming the field")
    func countMismatch() throws {
        var w = ProtoWriter()
        w.writePackedInts(1, [2, 2])
        w.writeInt(2, 1)
        w.writeString(8, "fc.weight")
        w.writePackedFloats(4, [1, 2, 3])
        let e = try #require(throws: ONNXImportError.self) { try TensorProtoCodec.decode(w.bytes) }
        #expect(e.description == "TensorProto(fc.weight): float_data has 3 values but dims [2, 2] need 4")
    }

    @Test("unsupported data types and negative dims are rejected")
    func rejected() throws {
        var w = ProtoWriter()
        w.writeInt(2, 8)  // STRING
        #expect(throws: ONNXImportError.self) { try TensorProtoCodec.decode(w.bytes) }
        var n = ProtoWriter()
        n.writeInt(1, -3)
        n.writeInt(2, 1)
        let e = try #require(throws: ONNXImportError.self) { try TensorProtoCodec.decode(n.bytes) }
        #expect(e.message.contains("negative dimension"))
    }

    @Test("external data is read from {location, offset, length} beside the file")
    func externalData() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("onnx-ext-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let values: [Float] = [1, 2, 3]
        let payload: [UInt8] = [0xde, 0xad] + values.withUnsafeBytes { Array($0) }
        try Data(payload).write(to: dir.appendingPathComponent("weights.bin"))
        var w = ProtoWriter()
        w.writePackedInts(1, [3])
        w.writeInt(2, 1)
        w.writeString(8, "w")
        for (k, v) in [("location", "weights.bin"), ("offset", "2"), ("length", "12")] {
            w.writeMessage(13) { $0.writeString(1, k); $0.writeString(2, v) }
        }
        w.writeInt(14, 1)
        let file = dir.appendingPathComponent("w.pb")
        try Data(w.bytes).write(to: file)
        #expect(try TensorProtoCodec.read(file) == Tensor(shape: [3], floats: values))
        // the same tensor pointing outside its folder is refused
        var bad = ProtoWriter()
        bad.writePackedInts(1, [3]); bad.writeInt(2, 1)
        bad.writeMessage(13) { $0.writeString(1, "location"); $0.writeString(2, "../weights.bin") }
        bad.writeInt(14, 1)
        #expect(throws: ONNXImportError.self) { try TensorProtoCodec.decode(bad.bytes, baseDirectory: dir) }
    }

    @Test("conformance .pb inputs decode with the shapes their models declare")
    func conformanceInputs() throws {
        try #require(Conformance.isAvailable)
        let x = try Conformance.input("node/test_conv_with_strides_padding", 0)
        #expect(x.type == TensorType(.float32, [1, 1, 7, 5]))
        #expect(x.floatValues.prefix(3) == [0, 1, 2])
    }
}

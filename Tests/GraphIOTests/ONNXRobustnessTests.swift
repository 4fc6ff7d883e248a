import Foundation
import Testing
import GraphIR
@testable import GraphIO

/// Corrupt input must end in a clean import or a thrown error: never a crash or a hang.
@Suite("ONNX import robustness")
struct ONNXRobustnessTests {
    /// Imports `bytes`, returning whether it succeeded; any thrown error is acceptable.
    @discardableResult
    func attempt(_ bytes: [UInt8], shapes: [String: [Int]]? = nil) -> Bool {
        do {
            _ = try ONNXImporter.importModel(bytes: bytes, inputShapes: shapes)
            return true
        } catch {
            return false
        }
    }

    @Test("the fixture CNN truncated at every byte boundary fails cleanly")
    func truncationEveryByte() throws {
        let bytes = ONNXFixtures.dynamicBatchCNN().bytes()
        #expect(bytes.count > 10_000 && bytes.count < 20_000)
        #expect(attempt(bytes))
        var succeeded = 0
        for n in 0..<bytes.count where attempt(Array(bytes[..<n])) { succeeded += 1 }
        // A prefix that ends between top-level fields can be a valid (smaller) model,
        // but most prefixes cut a message and must be rejected.
        #expect(succeeded < bytes.count / 100)
    }

    @Test("a truncated model reports the protobuf path and byte offset")
    func truncationMessage() throws {
        let bytes = ONNXFixtures.dynamicBatchCNN().bytes()
        let e = try #require(throws: ONNXImportError.self) {
            try ONNXImporter.importModel(bytes: Array(bytes[..<300]), fileName: "tiny.onnx")
        }
        #expect(e.description.hasPrefix("tiny.onnx: ModelProto: length "))
        // ir_version (2 bytes) and producer_name (14 bytes) precede the graph key; its length is at byte 17
        #expect(e.wireError?.offset == 17)
    }

    @Test("the largest conformance models truncated at every byte fail cleanly", .enabled(if: Conformance.isAvailable))
    func conformanceTruncation() throws {
        let tests = ["node/test_sce_NCd1d2d3_none_no_weight_negative_ii_log_prob_expanded",
                     "pytorch-converted/test_Conv2d", "node/test_nllloss_NCd1d2d3d4d5_mean_weight"]
        for test in tests {
            let bytes = Array(try Data(contentsOf: try Conformance.model(test)))
            #expect(attempt(bytes), "\(test) must import whole")
            for n in 0..<bytes.count { attempt(Array(bytes[..<n])) }
        }
    }

    @Test("10,000 seeded random byte mutations end in an import or an error")
    func randomMutations() throws {
        let original = ONNXFixtures.dynamicBatchCNN().bytes()
        // The structure (nodes, attributes, shapes) sits at the start; mutate there more often.
        let head = min(original.count, 2048)
        var rng = SplitMix64(seed: 0x5eed_0_0_1)
        var outcomes = (ok: 0, failed: 0)
        for _ in 0..<10_000 {
            var bytes = original
            for _ in 0..<Int(1 + rng.next() % 4) {
                let inHead = rng.next() % 4 != 0
                let i = Int(rng.next() % UInt64(inHead ? head : bytes.count))
                switch rng.next() % 3 {
                case 0: bytes[i] = UInt8(truncatingIfNeeded: rng.next())
                case 1: bytes[i] ^= UInt8(1) << UInt8(rng.next() % 8)
                default: bytes[i] = [0x00, 0x7f, 0x80, 0xff][Int(rng.next() % 4)]
                }
            }
            let shapes: [String: [Int]]? = rng.next() % 2 == 0 ? ["image": [2, 3, 8, 8]] : nil
            if attempt(bytes, shapes: shapes) { outcomes.ok += 1 } else { outcomes.failed += 1 }
        }
        #expect(outcomes.ok + outcomes.failed == 10_000)
        #expect(outcomes.failed > 1000, "mutations in the structure must mostly be caught")
    }
}

/// A tiny deterministic generator (SplitMix64), so failures reproduce.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite("ONNX import rejects absurd integers before shape arithmetic")
struct ONNXIntegerRangeTests {
    func model(_ op: String, dims: [Any], extraInputs: [(String, Tensor)] = [],
               attributes: [(String, AttributeValue)] = []) -> [UInt8] {
        var m = ONNXModelWriter()
        m.inputs = [.init(name: "x", dims: dims)]
        m.outputs = [.init(name: "y", dims: [])]
        m.initializers = extraInputs
        m.nodes = [.init(op: op, name: "n", inputs: ["x"] + extraInputs.map(\.0), outputs: ["y"], attributes: attributes)]
        return m.bytes()
    }

    @Test("huge pads, slice steps, reshape targets and conv pads throw instead of overflowing")
    func hugeValues() throws {
        let big = Int64.max / 2
        let cases: [[UInt8]] = [
            model("Pad", dims: [1, 2], extraInputs: [("p", Tensor(shape: [4], int64s: [0, big, 0, big]))]),
            model("Slice", dims: [5], extraInputs: [("s", .int64Vector([0])), ("e", .int64Vector([5])),
                                                    ("a", .int64Vector([0])), ("st", Tensor(shape: [1], int64s: [big]))]),
            model("Reshape", dims: [4], extraInputs: [("t", Tensor(shape: [3], int64s: [big, big, -1]))]),
            model("MaxPool", dims: [1, 1, 4, 4], attributes: [("kernel_shape", .ints([2, 2])),
                                                              ("pads", .ints([Int(big), 0, 0, 0]))]),
            model("Relu", dims: [1 << 30, 1 << 30, 1 << 30]),
        ]
        for bytes in cases {
            let e = try #require(throws: ONNXImportError.self) { try ONNXImporter.importModel(bytes: bytes) }
            #expect(e.location.hasPrefix("node[0](n)"))
        }
    }

    @Test("INT64_MAX as a Slice end still means 'to the end'")
    func sliceToEnd() throws {
        let bytes = model("Slice", dims: [5], extraInputs: [("s", .int64Vector([1])), ("e", Tensor(shape: [1], int64s: [.max]))])
        let g = try ONNXImporter.importModel(bytes: bytes).graph
        #expect(g.type(of: "y") == TensorType(.float32, [4]))
    }
}

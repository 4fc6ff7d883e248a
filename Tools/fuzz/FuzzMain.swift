import Foundation
import GraphIO
import GraphIR
import ProtobufWire

/// libFuzzer entry point: one input is tried as a ModelProto (plain and specialized),
/// as a TensorProto, and walked as a generic protobuf message.
///
/// Thrown errors are the expected outcome for almost every input; only crashes, traps,
/// hangs and sanitizer reports are findings. Returns 0 always, as libFuzzer requires.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    FuzzTarget.run(bytes)
    return 0
}

/// The decoders exercised by one fuzz input.
enum FuzzTarget {
    static func run(_ bytes: [UInt8]) {
        importModel(bytes)
        _ = try? TensorProtoCodec.decodeNamed(bytes)
        walkGeneric(bytes)
    }

    /// Imports the bytes as a model; when that succeeds, imports again with concrete
    /// input shapes so specialization and shape-subgraph evaluation run too.
    static func importModel(_ bytes: [UInt8]) {
        guard let result = try? ONNXImporter.importModel(bytes: bytes) else { return }
        let shapes = concreteShapes(for: result.graph, seed: bytes)
        if shapes.isEmpty { return }
        _ = try? ONNXImporter.importModel(bytes: bytes, inputShapes: shapes)
    }

    /// Small concrete shapes for the graph's run-time inputs, chosen by the input's first
    /// bytes: keeps the declared static dims or picks 1...4 for the others; a seed byte
    /// with its top bits set also changes the rank, to reach the mismatch paths.
    static func concreteShapes(for graph: Graph, seed: [UInt8]) -> [String: [Int]] {
        var shapes: [String: [Int]] = [:]
        var cursor = 0
        func nextByte() -> Int {
            defer { cursor += 1 }
            return seed.isEmpty ? 0 : Int(seed[cursor % seed.count])
        }
        for id in graph.inputs where graph[id].role == .input {
            let value = graph[id]
            let choice = nextByte()
            var dims: [Int] = value.type.shape.dims.map { dim in
                let pick = 1 + nextByte() % 4
                if case .known(let n) = dim, choice & 0x40 == 0 { return n }
                return pick
            }
            if choice & 0xC0 == 0xC0 { dims.append(1 + choice % 3) }
            if choice & 0xC0 == 0x80, !dims.isEmpty { dims.removeLast() }
            shapes[value.name] = dims
        }
        return shapes
    }

    /// Walks the bytes as an arbitrary message, descending into every length-delimited
    /// field that parses as a message, to reach the reader's scalar, packed and group paths.
    static func walkGeneric(_ bytes: [UInt8]) {
        var reader = ProtoReader(bytes, root: "fuzz")
        walk(&reader, depth: 0)
    }

    private static func walk(_ reader: inout ProtoReader, depth: Int) {
        guard depth < 16 else { return }
        while let key = try? reader.nextField() {
            do {
                switch key.wireType {
                case .varint:
                    var values: [UInt64] = []
                    try reader.appendVarints(key, to: &values)
                case .fixed32:
                    _ = try reader.float(key)
                case .fixed64:
                    _ = try reader.double(key)
                case .lengthDelimited:
                    var probe = reader
                    var floats: [Float] = []
                    var sints: [Int64] = []
                    if (try? probe.appendFloats(key, to: &floats)) == nil {
                        probe = reader
                        _ = try? probe.appendSInt64s(key, to: &sints)
                    }
                    probe = reader
                    _ = try? probe.string(key)
                    var sub = try reader.message(key, "f\(key.number)")
                    walk(&sub, depth: depth + 1)
                case .startGroup, .endGroup:
                    try reader.skip(key)
                }
            } catch {
                return
            }
        }
    }
}

/// The executable's entry point. SwiftPM renames an executable's `main` (and defines
/// `main` as an alias of it), so libFuzzer's own `main` is never linked in; instead,
/// with `-D FUZZING` this hands control to libFuzzer's driver, and without it replays
/// the files (or every file of the folders) on the command line through the entry
/// point, to reproduce a crash or run a regression corpus in a normal build.
@main
struct FuzzMain {
    static func main() {
        #if FUZZING
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, fuzz))
        #else
        replay(CommandLine.arguments.dropFirst())
        #endif
    }

    static func replay(_ paths: ArraySlice<String>) {
        if paths.isEmpty {
            print("usage: onnx-fuzz FILE_OR_DIR... (replays inputs through LLVMFuzzerTestOneInput)")
            return
        }
        var count = 0
        for path in paths {
            for file in files(at: path) {
                guard let data = FileManager.default.contents(atPath: file) else {
                    print("cannot read \(file)")
                    continue
                }
                let bytes = [UInt8](data) + [0]  // never empty, so the base address is non-nil
                _ = bytes.withUnsafeBufferPointer { buf in fuzz(buf.baseAddress!, data.count) }
                count += 1
            }
        }
        print("replayed \(count) input(s) without a crash")
    }

    /// The path itself, or the regular files under it when it is a folder.
    static func files(at path: String) -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return [] }
        guard isDirectory.boolValue else { return [path] }
        let walker = FileManager.default.enumerator(atPath: path)
        var out: [String] = []
        while let rel = walker?.nextObject() as? String {
            let full = (path as NSString).appendingPathComponent(rel)
            var dir: ObjCBool = false
            if FileManager.default.fileExists(atPath: full, isDirectory: &dir), !dir.boolValue { out.append(full) }
        }
        return out.sorted()
    }
}

#if FUZZING
/// libFuzzer's driver (compiler-rt, linked by `-sanitize=fuzzer`):
/// `int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*cb)(const uint8_t *, size_t))`.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt
) -> CInt
#endif

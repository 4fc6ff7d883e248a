import Foundation
import Testing
import GraphIR
@testable import GraphIO

/// Models written by onnx.helper (Tools/onnx/*.py). Skipped when no Python with onnx is
/// found (`GRAPHCAM_PYTHON`, or the checkout's `.venv/bin/python`).
@Suite("ONNX import of models written by onnx.helper", .enabled(if: PythonTool.python != nil))
struct ONNXPythonExportTests {
    @Test("a dim_param model keeps the symbolic batch and specializes to static shapes")
    func dimParamModel() throws {
        let url = try PythonTool.run("make_dim_param_model.py")
        defer { try? FileManager.default.removeItem(at: url) }
        let loose = try ONNXImporter.importModel(url: url)
        #expect(loose.opsetVersion == 17 && loose.irVersion == 8)
        let g = loose.graph
        #expect(g[g.inputs[0]].type == TensorType(.float32, [.symbolic("batch"), 3, 6, 6]))
        #expect(g.type(of: "pool_out") == TensorType(.float32, [.symbolic("batch"), 8, 1, 1]))
        #expect(g.type(of: "logits") == TensorType(.float32, [.symbolic("batch"), 4]))
        #expect(g.producer(of: "logits")?.name == "/fc/Gemm")

        let s = try ONNXImporter.load(url: url, inputShapes: ["input": [3, 3, 6, 6]])
        for v in s.values { #expect(v.type.shape.isStatic, "\(v.name): \(v.type)") }
        #expect(s.type(of: "flat") == TensorType(.float32, [3, 8]))
        #expect(s.type(of: "logits") == TensorType(.float32, [3, 4]))
    }
}

enum PythonTool {
    static let packageRoot: URL = {
        var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while dir.path != "/", !FileManager.default.fileExists(atPath: dir.appendingPathComponent("Package.swift").path) {
            dir = dir.deletingLastPathComponent()
        }
        return dir
    }()

    static let python: String? = {
        var candidates: [String] = []
        if let p = ProcessInfo.processInfo.environment["GRAPHCAM_PYTHON"] { candidates.append(p) }
        candidates.append(packageRoot.appendingPathComponent(".venv/bin/python").path)
        candidates.append(packageRoot.deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("main/.venv/bin/python").path)
        for c in candidates where FileManager.default.isExecutableFile(atPath: c) {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: c)
            p.arguments = ["-c", "import onnx"]
            p.standardError = FileHandle.nullDevice
            guard (try? p.run()) != nil else { continue }
            p.waitUntilExit()
            if p.terminationStatus == 0 { return c }
        }
        return nil
    }()

    /// Runs `Tools/onnx/<script> OUT` and returns OUT.
    static func run(_ script: String) throws -> URL {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("\(UUID().uuidString).onnx")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: try #require(python))
        p.arguments = [packageRoot.appendingPathComponent("Tools/onnx/\(script)").path, out.path]
        try p.run()
        p.waitUntilExit()
        try #require(p.terminationStatus == 0, "\(script) failed")
        return out
    }
}

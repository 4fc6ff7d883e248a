import ArgumentParser
import Foundation
import GradCAM
import GraphIR
import Imaging
import Runtime

struct QueryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Print class scores and activation/gradient statistics at a layer for images.")

    @Option(help: "Zoo model name (seeded weights) or a .onnx/.xml/.gir file.")
    var model: String

    @Option(parsing: .upToNextOption, help: "Images (PNG, PGM, JPEG).")
    var image: [String]

    @Option(help: "Target layer (exact name, exporter path component, or alias such as layer4).")
    var layer: String

    @Option(name: .customLong("class"), help: "'predicted' or a class index.")
    var classChoice: String = "predicted"

    @Option(help: "Model input size (zoo models).")
    var size: Int?

    @Option(help: "Input normalization: caffe, torch, unit, tf, raw.")
    var normalization: String?

    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
        let m = try CAMModel.load(model, size: size, normalization: normalization)
        let images = try image.map { try ImageFile.read(path: $0) }
        guard !images.isEmpty else { throw ValidationError("give at least one --image") }
        let explainer = try GradCAMExplainer(model: m.graph, target: layer, batch: images.count, normalization: m.normalization)
        let pixels = try images.flatMap { try explainer.inputTensor($0) }
        let query = explainer.query
        let result = try query.run(Tensor(shape: [images.count] + query.imageShape, floats: pixels),
                                   classes: try parseClasses(classChoice, count: images.count))
        let t = result.targets[0]
        var rows: [[String: Any]] = []
        for i in 0..<result.count {
            let k = result.classCount
            let (a, g) = t.image(i)
            var row: [String: Any] = [
                "image": image[i], "predicted": result.predicted[i], "class": result.classes[i],
                "scores": Array(result.logits[(i * k)..<((i + 1) * k)]).map(Double.init),
                "target": t.name, "shape": Array(t.shape.dropFirst()),
                "activation": stats(a), "gradient": stats(g),
            ]
            if let p = result.probabilities { row["probabilities"] = Array(p[(i * k)..<((i + 1) * k)]).map(Double.init) }
            rows.append(row)
        }
        if json {
            let data = try JSONSerialization.data(withJSONObject: rows, options: [.prettyPrinted, .sortedKeys])
            print(String(decoding: data, as: UTF8.self))
            return
        }
        for row in rows {
            print("\(row["image"]!): predicted \(row["predicted"]!), class \(row["class"]!), \(query.scoreSourceName) \(row["scores"]!)"
                  + (row["probabilities"].map { ", probabilities \($0)" } ?? ""))
            for key in ["activation", "gradient"] {
                let s = row[key] as! [String: Double]
                print("  \(key) \(t.name) \(t.shape.dropFirst().map(String.init).joined(separator: "x")): "
                      + String(format: "min %.4g  max %.4g  mean %.4g  |mean| %.4g", s["min"]!, s["max"]!, s["mean"]!, s["meanAbs"]!))
            }
        }
    }

    func stats(_ values: ArraySlice<Float>) -> [String: Double] {
        var lo = Double.infinity, hi = -Double.infinity, sum = 0.0, abs = 0.0
        for v in values { let d = Double(v); lo = min(lo, d); hi = max(hi, d); sum += d; abs += Swift.abs(d) }
        let n = Double(max(values.count, 1))
        return ["min": lo, "max": hi, "mean": sum / n, "meanAbs": abs / n]
    }
}

struct BenchQueryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-query",
        abstract: "Time a Grad-CAM gradient query against one inference forward of the same program.",
        discussion: """
            The forward time is a run of the model alone, compiled the same way; the query \
            adds the score and the backward pass down to the target. Goal: ratio <= 1.3.
            """)

    @Argument(help: "Zoo model name (seeded weights) or a .onnx/.xml/.gir file.")
    var model: String

    @Option(help: "Batch size.")
    var batch: Int = 16

    @Option(help: "Model input size (zoo models).")
    var size: Int?

    @Option(help: "Target layer.")
    var layer: String?

    @Option(help: "Timed runs of each (after one warm-up).")
    var repeats: Int = 5

    func run() throws {
        let m = try CAMModel.load(model, size: size, normalization: nil)
        guard let target = layer ?? m.defaultTarget ?? TargetResolver.usualTarget(in: m.graph).map({ m.graph[$0].name }) else {
            throw ValidationError("name a --layer")
        }
        let query = try GradientQuery(model: m.graph, targets: [target], batch: batch)
        var forwardGraph = m.graph
        if case .symbolic(let symbol)? = forwardGraph[forwardGraph.inputs[0]].type.shape.dims.first {
            forwardGraph = try forwardGraph.specialized([symbol: batch])
        }
        let forward = try Program.compile(forwardGraph, inputShapes: [forwardGraph[forwardGraph.inputs[0]].name: [batch] + query.imageShape])
        var rng = SeededRandom(seed: 1)
        let images = Tensor(shape: [batch] + query.imageShape,
                            floats: (0..<(batch * query.imageShape.reduce(1, *))).map { _ in rng.nextUnitFloat() * 2 - 1 })
        let inputName = forwardGraph[forwardGraph.inputs[0]].name
        func time(_ body: () throws -> Void) rethrows -> Double {
            try body()  // warm-up
            var best = Double.infinity
            for _ in 0..<max(repeats, 1) {
                let start = Date()
                try body()
                best = min(best, Date().timeIntervalSince(start))
            }
            return best
        }
        let tForward = try time { _ = try forward.run([inputName: images]) }
        let tQuery = try time { _ = try query.run(images, classes: .predicted) }
        print(String(format: "%@ batch %d, target %@: forward %.1f ms, query %.1f ms, ratio %.3f (best of %d)",
                     model, batch, query.targetNames[0], tForward * 1000, tQuery * 1000, tQuery / tForward, max(repeats, 1)))
    }
}

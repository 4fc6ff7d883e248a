import ArgumentParser
import Foundation
import GradCAM
import GraphIO
import GraphIR
import Imaging
import Models

/// A model for the Grad-CAM commands: a zoo name (seeded weights) or a model file.
struct CAMModel {
    var graph: Graph
    var normalization: Imaging.InputNormalization
    var defaultTarget: String?

    /// `name` is a zoo entry (built at `size` with weights seeded by `seed`) or a
    /// .onnx/.xml/.gir file (its normalization defaults to caffe when not given).
    static func load(_ name: String, size: Int?, seed: UInt64 = 1, normalization: String?) throws -> CAMModel {
        let chosen = try normalization.map { n -> Imaging.InputNormalization in
            guard let v = Imaging.InputNormalization.named(n) else {
                throw ValidationError("unknown normalization '\(n)' (caffe, torch, unit, tf, raw)")
            }
            return v
        }
        if Zoo.names.contains(name) {
            let entry = try Zoo.entry(named: name)
            let graph = try entry.graph(inputSize: size, weights: .seeded(seed))
            return CAMModel(graph: graph, normalization: chosen ?? Imaging.InputNormalization.named(entry.inputNormalization.rawValue) ?? .raw,
                            defaultTarget: entry.featureLayer)
        }
        return CAMModel(graph: try ModelFile.load(name), normalization: chosen ?? .caffe, defaultTarget: nil)
    }
}

/// `--class predicted|N`.
func parseClasses(_ text: String, count: Int) throws -> GradientQuery.Classes {
    if text == "predicted" { return .predicted }
    guard let k = Int(text), k >= 0 else { throw ValidationError("--class must be 'predicted' or a class index, not '\(text)'") }
    return .given(Array(repeating: k, count: count))
}

/// A one-line progress bar on standard error when it is a terminal; silent otherwise.
struct ProgressBar {
    let enabled = isatty(FileHandle.standardError.fileDescriptor) != 0
    func update(_ done: Int, _ total: Int) {
        guard enabled, total > 0 else { return }
        let width = 30, filled = width * done / total
        let line = "\r\u{1B}[2K[\(String(repeating: "#", count: filled))\(String(repeating: ".", count: width - filled))] \(done)/\(total)"
        FileHandle.standardError.write(Data((line + (done == total ? "\n" : "")).utf8))
    }
}

struct GradCAMCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gradcam",
        abstract: "Write Grad-CAM / Grad-CAM++ heatmaps and overlays for images.",
        discussion: """
            For each image writes DIR/<name>_original.png, <name>_heatmap.png and \
            <name>_overlay.png at the image's own size, and prints the explained class.
            """)

    @Option(help: "Zoo model name (seeded weights) or a .onnx/.xml/.gir file.")
    var model: String

    @Option(parsing: .upToNextOption, help: "Images (PNG, PGM, JPEG).")
    var image: [String]

    @Option(help: "Target layer (default: the zoo entry's feature layer, or the input of the last global pooling).")
    var layer: String?

    @Option(name: .customLong("class"), help: "'predicted' or a class index.")
    var classChoice: String = "predicted"

    @Option(help: "gradcam or gradcam++.")
    var method: String = "gradcam"

    @Option(help: "Model input size (zoo models).")
    var size: Int?

    @Option(help: "Input normalization: caffe, torch, unit, tf, raw (default: the zoo entry's).")
    var normalization: String?

    @Option(help: "Images per query.")
    var batch: Int = 8

    @Option(name: .shortAndLong, help: "Output folder (created if missing).")
    var output: String

    func run() throws {
        guard let camMethod = CAMMethod(rawValue: method) else { throw ValidationError("--method must be gradcam or gradcam++") }
        let m = try CAMModel.load(model, size: size, normalization: normalization)
        let images = try image.map { try ImageFile.read(path: $0) }
        let explainer = try GradCAMExplainer(model: m.graph, target: layer ?? m.defaultTarget, batch: min(batch, max(images.count, 1)),
                                             method: camMethod, normalization: m.normalization)
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        let bar = ProgressBar()
        let explanations = try explainer.explain(images, classes: try parseClasses(classChoice, count: images.count),
                                                 progress: bar.update)
        for e in explanations {
            let stem = (URL(fileURLWithPath: image[e.index]).deletingPathExtension().lastPathComponent)
            let base = URL(fileURLWithPath: output).appendingPathComponent(stem).path
            try PNG.write(e.rendering.original, to: base + "_original.png")
            try PNG.write(e.rendering.heatmap, to: base + "_heatmap.png")
            try PNG.write(e.rendering.overlay, to: base + "_overlay.png")
            print("\(image[e.index]): class \(e.explainedClass) (predicted \(e.predicted))\(e.map.allZero ? ", map all zero" : "") -> \(base)_*.png")
        }
    }
}

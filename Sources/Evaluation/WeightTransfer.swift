import GraphIR

/// What `WeightTransfer.transfer` copied.
public struct WeightTransferReport: Sendable, Equatable, Codable {
    /// Target parameters filled from a source tensor of the same name and shape, or of the
    /// same Keras layer and role found through the node that reads it (tf2onnx exports).
    public var byName: Int
    /// Target parameters filled from the next unused source tensor of the same shape, in
    /// graph order (for files whose names differ, e.g. tf2onnx exports).
    public var byStructure: Int
    /// Target parameters left with their seeded values.
    public var unmatched: [String]
    /// Source tensors not used.
    public var unusedSource: Int
    /// BatchNormalization parameters set to the identity (plus a folded bias) because the
    /// source had folded that BN into its convolution (`fillFoldedBatchNorms`).
    public var foldedBatchNormParameters = 0

    public var summary: String {
        "\(byName) by name, \(byStructure) by structure, "
            + (foldedBatchNormParameters > 0 ? "\(foldedBatchNormParameters) BN parameters from folded convolutions, " : "")
            + "\(unmatched.count) unmatched"
            + (unmatched.isEmpty ? "" : " (" + unmatched.prefix(5).joined(separator: ", ") + (unmatched.count > 5 ? ", ..." : "") + ")")
            + ", \(unusedSource) source tensors unused"
    }
}

/// Copies pretrained tensors (e.g. of an imported ONNX model) onto a zoo graph.
public enum WeightTransfer {
    /// Fills `target`'s parameters from `source`'s float tensors (parameters and
    /// constants with data): first by equal name and shape, or by Keras layer and role
    /// (`tensorsByKerasName`), then the rest in graph order
    /// by equal shape. Layouts must already agree (ONNX Conv `[out, in, kh, kw]`, Dense
    /// `[in, out]`); a shape-only match is a guess, so the report says how many were made.
    public static func transfer(from source: Graph, onto target: Graph) -> (graph: Graph, report: WeightTransferReport) {
        let tensors: [(name: String, tensor: Tensor)] = source.values.compactMap { v in
            guard v.role == .parameter || v.role == .constant, let t = v.data, t.dtype == .float32, !t.shape.isEmpty else { return nil }
            return (v.name, t)
        }
        var used = Array(repeating: false, count: tensors.count)
        var indexByName: [String: Int] = [:]
        for (i, t) in tensors.enumerated() where indexByName[t.name] == nil { indexByName[t.name] = i }
        var graph = target
        var report = WeightTransferReport(byName: 0, byStructure: 0, unmatched: [], unusedSource: 0)
        var pending: [ValueID] = []
        let byLayer = tensorsByKerasName(in: source)
        for p in target.parameters {
            let shape = target[p].type.shape.dims.compactMap(\.value)
            if let i = indexByName[target[p].name], tensors[i].tensor.shape == shape, !used[i] {
                graph[p].data = tensors[i].tensor
                used[i] = true
                report.byName += 1
            } else if let found = byLayer[target[p].name], found.tensor.shape == shape,
                      let i = indexByName[source[found.value].name], !used[i] {
                graph[p].data = found.tensor
                used[i] = true
                report.byName += 1
            } else {
                pending.append(p)
            }
        }
        let folded = fillFoldedBatchNorms(&graph, target: target, pending: Set(pending), byLayer: byLayer)
        report.foldedBatchNormParameters = folded.filled.count
        for v in folded.usedSource { if let i = indexByName[source[v].name] { used[i] = true } }
        pending.removeAll { folded.filled.contains($0) }
        var cursor = 0
        for p in pending {
            let shape = target[p].type.shape.dims.compactMap(\.value)
            var j = cursor
            while j < tensors.count && (used[j] || tensors[j].tensor.shape != shape) { j += 1 }
            if j < tensors.count {
                graph[p].data = tensors[j].tensor
                used[j] = true
                cursor = j + 1
                report.byStructure += 1
            } else {
                report.unmatched.append(target[p].name)
            }
        }
        report.unusedSource = used.filter { !$0 }.count
        return (graph, report)
    }
}

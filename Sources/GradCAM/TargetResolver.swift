import GraphIR

/// Finds the value a Grad-CAM target name refers to.
///
/// Resolution order:
/// 1. an exact value name (`conv5_block3_out` in the zoo, any name in an imported graph);
/// 2. a path component of imported names: tf2onnx writes Keras layers as
///    `model/conv5_block3_out/Relu:0`, PyTorch as `/layer4/layer4.2/relu_2/Relu_output_0`.
///    Names are split at `/` and `:`; among the float values with a component equal to
///    the request, the one computed last (in node order) is the layer's output, so
///    `conv5_block3_out` and `layer4` both resolve to their block's final activation;
/// 3. an alias (see `aliases`): `layer4` (torchvision ResNet's last stage, for exports
///    whose names are bare numbers) and `last` mean the 4-D value fed to the last global
///    pooling of the graph (GlobalAveragePool / GlobalMaxPool, or ReduceMean over the
///    spatial axes) — the usual Grad-CAM target.
///
/// A name that matches nothing throws `GradCAMError` listing the five nearest value
/// names by edit distance.
public enum TargetResolver {
    /// Names that resolve to the usual Grad-CAM target when no value or path component
    /// has that name.
    public static let aliases: Set<String> = ["layer4", "last", "features"]

    /// The value `name` refers to in `graph`.
    public static func resolve(_ name: String, in graph: Graph) throws -> ValueID {
        if let id = graph.value(named: name) { return id }
        if let id = lastValue(withComponent: name, in: graph) { return id }
        if aliases.contains(name), let id = usualTarget(in: graph) { return id }
        let near = nearestNames(to: name, in: graph, count: 5)
        throw GradCAMError(name, "no value of graph '\(graph.name)' has this name"
                           + (near.isEmpty ? "" : "; nearest: " + near.joined(separator: ", ")))
    }

    /// The last graph output that is a 4-D activation larger than 1x1 (a backbone without its
    /// head), else the
    /// value fed to the last global pooling of a 4-D activation (GlobalAveragePool,
    /// GlobalMaxPool, or ReduceMean/ReduceSum over the spatial axes 2 and 3), else the last
    /// 4-D float value computed by a node.
    public static func usualTarget(in graph: Graph) -> ValueID? {
        // A backbone without its head ends in the feature map itself (a global pool before
        // it, such as a squeeze-and-excitation gate, is not the one).
        if let features = graph.outputs.last(where: {
            isActivation4D($0, in: graph) && graph[$0].type.shape.dims.suffix(2) != [.known(1), .known(1)]
        }) { return features }
        for node in graph.nodes.reversed() {
            guard let x = node.inputs.first ?? nil, isActivation4D(x, in: graph) else { continue }
            switch node.op {
            case .globalAveragePool, .globalMaxPool: return x
            case .reduceMean, .reduceSum:
                let axes = (node.inputs.count > 1 ? node.inputs[1].flatMap { graph[$0].data?.intValues } : nil)
                    ?? node.attributes.ints("axes") ?? []
                if Set(axes.map { $0 < 0 ? $0 + 4 : $0 }) == [2, 3] { return x }
            default: continue
            }
        }
        return candidates(in: graph).last
    }

    /// Every 4-D float value computed by a node, in node order: the layers a Grad-CAM
    /// can target.
    public static func candidates(in graph: Graph) -> [ValueID] {
        var out: [ValueID] = []
        for node in graph.nodes {
            for v in node.outputs where isActivation4D(v, in: graph) { out.append(v) }
        }
        return out
    }

    /// The candidates worth listing first: where a block or stage of the network ends. A value
    /// qualifies when it merges branches (Add, Concat, or an activation applied right after
    /// one: ResNet's `convN_blockM_out`, MobileNetV2's `block_N_add`), when it is the last
    /// candidate at its spatial size (the end of a VGG stage, the input of a strided layer), or
    /// when it is the usual target; never the output of a Pad, a 1x1 map, or a value without
    /// the batch dim. In node order.
    public static func blockOutputs(in graph: Graph) -> [ValueID] {
        var producer = [OpKind?](repeating: nil, count: graph.values.count)
        var producerInput = [ValueID?](repeating: nil, count: graph.values.count)
        var consumers = [[OpKind]](repeating: [], count: graph.values.count)
        for node in graph.nodes {
            for v in node.outputs {
                producer[v.index] = node.op
                producerInput[v.index] = node.inputs.first ?? nil
            }
            for case let x? in node.inputs { consumers[x.index].append(node.op) }
        }
        let activations: Set<OpKind> = [.relu, .leakyRelu, .clip, .sigmoid, .hardSigmoid, .hardSwish, .swish, .tanh]
        func isMerge(_ v: ValueID) -> Bool { producer[v.index] == .add || producer[v.index] == .concat }
        func merges(_ v: ValueID) -> Bool {
            if isMerge(v) { return true }
            guard let op = producer[v.index], activations.contains(op), let x = producerInput[v.index] else { return false }
            return isMerge(x)
        }
        func spatial(_ v: ValueID) -> [Dim] { Array(graph[v].type.shape.dims.suffix(2)) }
        // Padded copies are never interesting, and would hide the stage end before them.
        // So are 1x1 maps (squeeze-and-excitation gates) and values without the batch dim.
        let batch = graph.inputs.first.map { graph[$0].type.shape.dims.first }
        let all = candidates(in: graph).filter { v in
            let dims = graph[v].type.shape.dims
            return producer[v.index] != .pad && dims.suffix(2) != [.known(1), .known(1)] && dims.first == batch
        }
        let usual = usualTarget(in: graph)
        var picked: [ValueID] = []
        for (i, v) in all.enumerated() {
            let lastAtSize = i + 1 == all.count || spatial(all[i + 1]) != spatial(v)
            // A merge that one activation follows is listed once, as the activation.
            let activationFollows = isMerge(v) && consumers[v.index].count == 1
                && activations.contains(consumers[v.index][0])
            if (merges(v) && !activationFollows) || lastAtSize || v == usual { picked.append(v) }
        }
        return picked
    }

    /// Up to `count` value names closest to `name` by edit distance (ties in graph order).
    public static func nearestNames(to name: String, in graph: Graph, count: Int) -> [String] {
        let query = Array(name.lowercased().utf8)
        var seen = Set<String>()
        var scored: [(distance: Int, order: Int, name: String)] = []
        for (i, v) in graph.values.enumerated() where seen.insert(v.name).inserted {
            scored.append((editDistance(query, Array(v.name.lowercased().utf8)), i, v.name))
        }
        scored.sort { ($0.distance, $0.order) < ($1.distance, $1.order) }
        return scored.prefix(count).map(\.name)
    }

    /// Levenshtein distance (insertions, deletions, substitutions cost 1).
    public static func editDistance(_ a: [UInt8], _ b: [UInt8]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = min(substitution, previous[j] + 1, current[j - 1] + 1)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }

    static func lastValue(withComponent name: String, in graph: Graph) -> ValueID? {
        let wanted = name.split(whereSeparator: { $0 == "/" || $0 == ":" }).map(String.init)
        guard !wanted.isEmpty else { return nil }
        for node in graph.nodes.reversed() {
            for v in node.outputs.reversed() where graph[v].type.dtype.isFloatingPoint {
                let parts = graph[v].name.split(whereSeparator: { $0 == "/" || $0 == ":" }).map(String.init)
                if contains(parts, wanted) { return v }
            }
        }
        return nil
    }

    /// Whether `parts` contains `wanted` as a contiguous run.
    private static func contains(_ parts: [String], _ wanted: [String]) -> Bool {
        guard parts.count >= wanted.count else { return false }
        for start in 0...(parts.count - wanted.count) where Array(parts[start..<(start + wanted.count)]) == wanted {
            return true
        }
        return false
    }

    static func isActivation4D(_ v: ValueID, in graph: Graph) -> Bool {
        let t = graph[v].type
        return graph[v].role == .intermediate && t.dtype.isFloatingPoint && t.shape.rank == 4
    }
}

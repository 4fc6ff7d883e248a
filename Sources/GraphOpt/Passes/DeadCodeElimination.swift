import GraphIR

/// Removes nodes that contribute to no graph output and no pinned value, then every
/// parameter, constant and intermediate nothing refers to any more. Graph inputs stay
/// (they are the graph's signature), even when unused.
public enum DeadCodeElimination {
    public static func run(_ graph: Graph, pinned: Set<String> = []) -> Graph {
        var needed = Array(repeating: false, count: graph.values.count)
        for v in graph.outputs { needed[v.index] = true }
        for (i, v) in graph.values.enumerated() where pinned.contains(v.name) { needed[i] = true }
        var keep = Array(repeating: false, count: graph.nodes.count)
        // Nodes are in topological order, so one backward sweep reaches every producer.
        for i in graph.nodes.indices.reversed() {
            let node = graph.nodes[i]
            guard node.outputs.contains(where: { needed[$0.index] }) else { continue }
            keep[i] = true
            for case let v? in node.inputs { needed[v.index] = true }
        }
        return graph.compacted(keepingNodes: { keep[$0.index] })
    }
}

extension Pass {
    /// `fold-constants`: evaluates nodes whose operands are all known (see `FoldConstantsRule`).
    public static var foldConstants: Pass {
        Pass(name: "fold-constants", summary: "evaluate nodes whose operands are all constants") { context in
            [FoldConstantsRule(foldParameters: context.foldParameters)]
        }
    }

    /// `eliminate-dead-code`: see `DeadCodeElimination`.
    public static var eliminateDeadCode: Pass {
        Pass(name: "eliminate-dead-code", summary: "remove nodes and weights that reach no output or pinned value") {
            graph, context in DeadCodeElimination.run(graph, pinned: context.pinned)
        }
    }

    /// `remove-identity`: removes Identity and inference Dropout (see `RemoveIdentityRule`).
    public static var removeIdentity: Pass {
        Pass(name: "remove-identity", summary: "remove Identity and inference Dropout") { _ in [RemoveIdentityRule()] }
    }

    /// `collapse-reshapes`: collapses reshape chains and drops no-op reshapes.
    public static var collapseReshapes: Pass {
        Pass(name: "collapse-reshapes", summary: "collapse Reshape/Flatten chains, drop no-op reshapes") { _ in
            [CollapseReshapesRule(), RemoveNoOpReshapeRule()]
        }
    }

    /// `fold-batchnorm`: folds inference BatchNormalization into the preceding Conv.
    public static var foldBatchNorm: Pass {
        Pass(name: "fold-batchnorm", summary: "fold inference BatchNormalization into the preceding Conv") { _ in
            [FoldBatchNormRule()]
        }
    }

    /// `fuse-conv-add`: fuses residual Conv + Add (+ Relu) into FusedConv with Z.
    public static var fuseConvAdd: Pass {
        Pass(name: "fuse-conv-add", summary: "fuse Conv + residual Add (+ Relu) into FusedConv") { _ in
            [FuseConvAddRule()]
        }
    }

    /// `fuse-conv-activation`: rewrites x*sigmoid(x) to Swish, then fuses Conv + activation.
    public static var fuseConvActivation: Pass {
        Pass(name: "fuse-conv-activation", summary: "fuse Conv + activation into FusedConv (x*sigmoid(x) -> Swish first)") { _ in
            [SigmoidMulToSwishRule(), FuseConvActivationRule()]
        }
    }
}

import GraphIR

/// Replaces a single-output node whose operands are all known (constants, parameters
/// with data when `foldParameters` and the parameter is not observed, or a `Shape` of a
/// static type) by a constant holding its result. Shape arithmetic (`Shape -> Gather ->
/// Concat -> Reshape`) and constant float expressions collapse this way, one node at a
/// time. A pinned parameter may change after compile (a training state such as Adam's
/// `beta1_power`, a weight set by name), so nothing is folded over it.
public struct FoldConstantsRule: RewriteRule {
    public var foldParameters: Bool
    /// Results larger than this many elements stay computed at run time.
    public var maxElements: Int

    public init(foldParameters: Bool = true, maxElements: Int = 1 << 22) {
        self.foldParameters = foldParameters
        self.maxElements = maxElements
    }

    public var name: String { "fold-constants" }
    public var rootOps: Set<OpKind> { ConstantEvaluator.supportedOps }

    public struct Match {
        var node: NodeID
        var output: ValueID
        var result: Tensor
    }

    public func match(_ n: NodeID, in graph: GraphEditor) -> Match? {
        let node = graph[n]
        guard node.outputs.count == 1, let out = node.outputs.first else { return nil }
        var constants: [Tensor?] = []
        for input in node.inputs {
            guard let v = input else { constants.append(nil); continue }
            let variable = graph[v].role == .parameter && (!foldParameters || graph.isObserved(v))
            let known = variable ? nil : graph.data(of: v)
            if known == nil && node.op != .shape { return nil }
            constants.append(known)
        }
        let types = node.inputs.map { $0.map { graph[$0].type } }
        guard let inferred = try? node.op.inferOutputTypes(InferenceContext(inputs: types, constants: constants,
                                                                             attributes: node.attributes)).first,
              let count = inferred.shape.elementCount, count <= maxElements,
              graph[out].type == inferred,  // a symbolic declared type would need re-inference downstream
              let result = try? ConstantEvaluator.evaluate(node.op, inputs: constants, inputTypes: types,
                                                          attributes: node.attributes, outputType: inferred),
              result.type == inferred
        else { return nil }
        return Match(node: n, output: out, result: result)
    }

    public func apply(_ m: Match, to graph: inout GraphEditor) throws -> RewriteChange {
        graph.makeConstant(m.output, data: m.result)
        return RewriteChange(values: [m.output])
    }
}

extension Graph {
    /// Graph inputs that some node reads as a shape-like operand (a Reshape target
    /// shape, Pad's pads, Clip's bounds, axes...). Their contents must be known when the
    /// graph is compiled, so callers bind them as constants rather than run-time inputs.
    public var operandInputs: [ValueID] {
        var isOperand = Set<ValueID>()
        for node in nodes {
            let operandSlots = node.op.schema.operandInputs
            for (slot, input) in node.inputs.enumerated() where operandSlots.contains(slot) {
                if let v = input, self[v].role == .input { isOperand.insert(v) }
            }
        }
        return inputs.filter(isOperand.contains)
    }
}

import GraphIR

extension VJP {
    /// SoftmaxCrossEntropyLoss and NegativeLogLikelihoodLoss: one backward node of
    /// (dLoss, scores or logProb, labels, weights?) with the forward reduction and
    /// ignore_index; labels and class weights get no gradient. A gradient arriving at
    /// SoftmaxCrossEntropyLoss's optional log_prob output is added through the
    /// LogSoftmax VJP over the class axis.
    static func loss(_ c: inout VJPContext) throws -> [ValueID?] {
        let scores = try c.requiredInput(0), labels = try c.requiredInput(1)
        var attributes: Attributes = [:]
        for key in ["reduction", "ignore_index"] { attributes[key] = c.node.attributes[key] }
        var parts: [ValueID] = []
        if let dLoss = c.outputGradients.first ?? nil {
            let op: OpKind = c.node.op == .softmaxCrossEntropyLoss ? .softmaxCrossEntropyLossGrad : .negativeLogLikelihoodLossGrad
            parts.append(try c.emit1(op, "dScores_loss", [dLoss, scores, labels, c.input(2)], attributes))
        }
        if c.outputGradients.count > 1, let dLogProb = c.outputGradients[1] {
            let axes = c.int64s("class_axis", [1])
            parts.append(try logSoftmaxGradient(&c, dy: dLogProb, logProb: c.node.outputs[1], axes: axes, "dScores_log_prob"))
        }
        guard let total = try c.sum(parts, "dScores") else { throw c.failure("no output has a gradient") }
        return [total] + Array(repeating: nil, count: c.node.inputs.count - 1)
    }
}

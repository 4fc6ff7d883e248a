import Kernels

extension Step {
    /// Runs a backward kernel on the arena's buffers: the `execute` hook for
    /// `StepKernel.gradient`. Throws for a bad label, naming the node.
    func executeGradient(_ kernel: GradientKernel, in arena: Arena) throws {
        func input(_ i: Int) throws -> UnsafeMutablePointer<Float> {
            guard i < inputs.count, let ref = inputs[i] else { throw RuntimeError(.node, node, "input \(i) has no buffer") }
            return arena.floats(ref)
        }
        func optionalInput(_ i: Int) -> UnsafeMutablePointer<Float>? {
            i < inputs.count ? inputs[i].map { arena.floats($0) } : nil
        }
        func output(_ i: Int) throws -> UnsafeMutablePointer<Float> {
            guard i < outputs.count, let ref = outputs[i] else { throw RuntimeError(.node, node, "output \(i) has no buffer") }
            return arena.floats(ref)
        }
        func labels() throws -> UnsafeMutablePointer<Int64> {
            guard inputs.count > 2, let ref = inputs[2] else { throw RuntimeError(.node, node, "labels (input 2) have no buffer") }
            return arena.int64s(ref)
        }
        func call(_ body: () throws -> Void) throws {
            do { try body() } catch let e as KernelParameterError { throw RuntimeError(.node, node, e.description) }
        }
        func labelError(_ e: LossLabelError, _ p: LossParams) -> RuntimeError {
            RuntimeError(.node, node, "label \(e.label) at position \(e.position) is outside 0..<\(p.classes) and is not ignore_index")
        }

        // The step's own scratch region (planned per step or shared), like a forward conv's.
        let scratch = self.scratch.map(arena.floats(atByteOffset:))
        switch kernel {
        case .convGradInput(let plan):
            try call {
                try Conv.backwardData(plan, gradOutput: try input(0), weight: try input(1), gradInput: try output(0),
                                      workspace: scratch)
            }
        case .convGradInputWinograd(let plan, _):
            guard let scratch else { throw RuntimeError(.node, node, "the Winograd data gradient has no scratch") }
            try call {
                try Conv.winogradDataGradient(plan, gradOutput: try input(0), weight: try input(1),
                                              packed: packedWeights?.weights, gradInput: try output(0), workspace: scratch)
            }
        case .convGradWeight(let plan):
            try call {
                try Conv.backwardWeight(plan, gradOutput: try input(0), input: try input(1), gradWeight: try output(0),
                                        workspace: scratch)
            }
        case .maxPoolGrad(let plan):
            Pool.maxBackward(plan, gradOutput: try input(0), input: try input(1), gradInput: try output(0))
        case .averagePoolGrad(let plan):
            Pool.averageBackward(plan, gradOutput: try input(0), gradInput: try output(0))
        case .batchNormGrad(let p):
            func gradOut(_ i: Int, _ offset: Int) throws -> UnsafeMutablePointer<Float> {
                if i < outputs.count, let ref = outputs[i] { return arena.floats(ref) }
                guard let scratch else { throw RuntimeError(.node, node, "output \(i) has no buffer and no scratch") }
                return scratch + offset
            }
            let dScale = try gradOut(1, 0), dBias = try gradOut(2, p.channels)
            try call {
                try BatchNorm.backward(
                    gradOutput: try input(0), x: try input(1), scale: try input(2),
                    mean: p.training ? nil : optionalInput(3), variance: p.training ? nil : optionalInput(4),
                    epsilon: p.epsilon, training: p.training, batch: p.batch, channels: p.channels, spatial: p.spatial,
                    gradInput: try output(0), gradScale: dScale, gradBias: dBias)
            }
        case .activationGrad(let activation):
            guard let x = inputs.count > 1 ? inputs[1] : nil else { throw RuntimeError(.node, node, "input 1 has no buffer") }
            activationBackward(activation, gradOutput: try input(0), input: try input(1), gradInput: try output(0),
                               count: x.count)
        case .softmaxCrossEntropyLossGrad(let p):
            if let e = softmaxCrossEntropyLossBackward(dLoss: try input(0), scores: try input(1), labels: try labels(),
                                                       weights: optionalInput(3), p, gradScores: try output(0)) {
                throw labelError(e, p)
            }
        case .negativeLogLikelihoodLossGrad(let p):
            if let e = negativeLogLikelihoodLossBackward(dLoss: try input(0), labels: try labels(), weights: optionalInput(3),
                                                         p, gradLogProb: try output(0)) {
                throw labelError(e, p)
            }
        case .broadcastLike(let plan):
            broadcastCopy(plan, input: try input(0), output: try output(0))
        }
    }
}

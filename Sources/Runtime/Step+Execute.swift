import Kernels

extension Step {
    /// Runs this step's kernel on the arena's buffers: the per-op dispatch point of
    /// execution. Throws only for data-dependent errors (bad labels or indices, integer
    /// division by zero), naming the node.
    func execute(in arena: Arena) throws {
        func input(_ i: Int) throws -> BufferRef {
            guard i < inputs.count, let ref = inputs[i] else { throw RuntimeError(.node, node, "input \(i) has no buffer") }
            return ref
        }
        func output(_ i: Int) throws -> BufferRef {
            guard i < outputs.count, let ref = outputs[i] else { throw RuntimeError(.node, node, "output \(i) has no buffer") }
            return ref
        }
        func optionalInput(_ i: Int) -> BufferRef? { i < inputs.count ? inputs[i] : nil }
        func optionalOutput(_ i: Int) -> BufferRef? { i < outputs.count ? outputs[i] : nil }
        func f(_ ref: BufferRef) -> UnsafeMutablePointer<Float> { arena.floats(ref) }

        switch kernel {
        case .binaryFloat(let op, let plan):
            binaryFloat(op, plan, f(try input(0)), f(try input(1)), f(try output(0)))
        case .binaryInt64(let op, let plan, let rightCount):
            let ok = binaryInt64(op, plan, rightCount: rightCount, arena.int64s(try input(0)), arena.int64s(try input(1)),
                                 arena.int64s(try output(0)))
            if !ok { throw RuntimeError(.node, node, "integer division by zero") }
        case .unaryFloat(let op):
            let x = try input(0)
            unaryFloat(op, f(x), f(try output(0)), count: x.count)
        case .negInt64:
            let x = try input(0)
            negInt64(arena.int64s(x), arena.int64s(try output(0)), count: x.count)
        case .copy:
            let x = try input(0)
            arena.pointer(try output(0)).copyMemory(from: arena.pointer(x), byteCount: x.byteCount)
        case .dropout:
            let x = try input(0)
            arena.pointer(try output(0)).copyMemory(from: arena.pointer(x), byteCount: x.byteCount)
            if let mask = optionalOutput(1) {
                arena.pointer(mask).initializeMemory(as: UInt8.self, repeating: 1, count: mask.byteCount)
            }
        case .castFloatToInt64:
            let x = try input(0)
            castFloatToInt64(f(x), arena.int64s(try output(0)), count: x.count)
        case .castInt64ToFloat:
            let x = try input(0)
            castInt64ToFloat(arena.int64s(x), f(try output(0)), count: x.count)
        case .softmax(let shape, let log):
            softmax(f(try input(0)), f(try output(0)), shape, log: log)
        case .stridedCopy(let view, let size):
            stridedCopy(view, arena.pointer(try input(0)), arena.pointer(try output(0)), elementSize: size)
        case .concat(let lengths, let outer, let inner, let size):
            var parts: [(pointer: UnsafeRawPointer, axisLength: Int)] = []
            parts.reserveCapacity(lengths.count)
            for (i, len) in lengths.enumerated() { parts.append((UnsafeRawPointer(arena.pointer(try input(i))), len)) }
            concat(parts, outer: outer, inner: inner, arena.pointer(try output(0)), elementSize: size)
        case .pad(let plan, let size, let fill):
            pad(plan, arena.pointer(try input(0)), arena.pointer(try output(0)), elementSize: size, fillBits: fill)
        case .gather(let outer, let axisLength, let inner, let indexCount, let size):
            if let bad = gather(arena.pointer(try input(0)), outer: outer, axisLength: axisLength, inner: inner,
                                indices: arena.int64s(try input(1)), indexCount: indexCount,
                                arena.pointer(try output(0)), elementSize: size) {
                throw RuntimeError(.node, node, "index \(bad) is out of range for an axis of length \(axisLength)")
            }
        case .reduce(let plan, let mean):
            reduceFloat(plan, f(try input(0)), f(try output(0)), mean: mean)
        case .negativeLogLikelihoodLoss(let p):
            let error = negativeLogLikelihoodLoss(
                logProb: f(try input(0)), labels: arena.int64s(try input(1)), weights: optionalInput(2).map(f),
                p, loss: f(try output(0)))
            if let error { throw labelError(error, classes: p.classes) }
        case .softmaxCrossEntropyLoss(let p):
            let error = softmaxCrossEntropyLoss(
                scores: f(try input(0)), labels: arena.int64s(try input(1)), weights: optionalInput(2).map(f),
                p, loss: f(try output(0)), logProb: f(try output(1)))
            if let error { throw labelError(error, classes: p.classes) }
        case .conv(let g):
            ReferenceKernels.conv(g, x: f(try input(0)), w: f(try input(1)), bias: optionalInput(2).map(f), y: f(try output(0)))
        case .maxPool(let g, let order):
            ReferenceKernels.maxPool(g, storageOrder: order, x: f(try input(0)), y: f(try output(0)),
                                     indices: optionalOutput(1).map { arena.int64s($0) })
        case .averagePool(let g, let includePad):
            ReferenceKernels.averagePool(g, countIncludePad: includePad, x: f(try input(0)), y: f(try output(0)))
        case .globalPool(let channels, let batch, let spatial, let isMax):
            ReferenceKernels.globalPool(batchChannels: batch * channels, spatial: spatial, max: isMax,
                                        x: f(try input(0)), y: f(try output(0)))
        case .batchNorm(let g):
            ReferenceKernels.batchNorm(g, x: f(try input(0)), scale: f(try input(1)), bias: f(try input(2)),
                                       mean: f(try input(3)), variance: f(try input(4)), y: f(try output(0)),
                                       runningMean: optionalOutput(1).map(f), runningVariance: optionalOutput(2).map(f))
        case .gemm(let g):
            ReferenceKernels.gemm(g, a: f(try input(0)), b: f(try input(1)), c: optionalInput(2).map(f), y: f(try output(0)))
        case .matMul(let g):
            ReferenceKernels.matMul(g, a: f(try input(0)), b: f(try input(1)), y: f(try output(0)))
        }
    }

    private func labelError(_ e: LossLabelError, classes: Int) -> RuntimeError {
        RuntimeError(.node, node, "label \(e.label) at position \(e.position) is outside 0..<\(classes) and is not ignore_index")
    }
}

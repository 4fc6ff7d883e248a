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
            let x = try input(0), y = try output(0)
            // An aliased reshape (same bytes) is normally dropped at compile time.
            if x.offset != y.offset { arena.pointer(y).copyMemory(from: arena.pointer(x), byteCount: x.byteCount) }
        case .dropout:
            let x = try input(0), y = try output(0)
            if x.offset != y.offset { arena.pointer(y).copyMemory(from: arena.pointer(x), byteCount: x.byteCount) }
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
        case .conv(let plan, let activation, _):
            let epilogue = ConvEpilogue(residual: optionalInput(3).map { UnsafePointer(f($0)) }, activation: activation)
            try kernelCall {
                try Conv.forward(plan, input: f(try input(0)), weight: f(try input(1)),
                                 packed: packedWeights?.weights,
                                 bias: optionalInput(2).map(f), output: f(try output(0)),
                                 workspace: scratch.map(arena.floats(atByteOffset:)), epilogue: epilogue)
            }
        case .maxPool(let plan, let order):
            try kernelCall {
                try Pool.max(plan, input: f(try input(0)), output: f(try output(0)),
                             indices: optionalOutput(1).map { arena.int64s($0) }, storageOrder: order)
            }
        case .averagePool(let plan):
            Pool.average(plan, input: f(try input(0)), output: f(try output(0)))
        case .globalPool(let batch, let channels, let spatial, let isMax):
            let x = f(try input(0)), y = f(try output(0))
            try kernelCall {
                if isMax {
                    try Pool.globalMax(batch: batch, channels: channels, spatialCount: spatial, input: x, output: y)
                } else {
                    try Pool.globalAverage(batch: batch, channels: channels, spatialCount: spatial, input: x, output: y)
                }
            }
        case .batchNorm(let p):
            let x = f(try input(0)), scale = f(try input(1)), bias = f(try input(2))
            let mean = f(try input(3)), variance = f(try input(4)), y = f(try output(0))
            try kernelCall {
                if p.training {
                    // Running statistics nobody asked for still need a place to go: the scratch.
                    let scratch = self.scratch.map(arena.floats(atByteOffset:))
                    guard let meanOut = optionalOutput(1).map(f) ?? scratch,
                          let varianceOut = optionalOutput(2).map(f) ?? scratch.map({ $0 + p.channels }) else {
                        throw RuntimeError(.node, node, "training mode needs scratch memory the program did not reserve")
                    }
                    try BatchNorm.training(x: x, scale: scale, bias: bias, runningMean: mean, runningVariance: variance,
                                           epsilon: p.epsilon, momentum: p.momentum, batch: p.batch,
                                           channels: p.channels, spatial: p.spatial, y: y,
                                           runningMeanOut: meanOut, runningVarianceOut: varianceOut)
                } else {
                    try BatchNorm.inference(x: x, scale: scale, bias: bias, mean: mean, variance: variance,
                                            epsilon: p.epsilon, batch: p.batch, channels: p.channels,
                                            spatial: p.spatial, y: y)
                }
            }
        case .gemm(let p):
            let a = f(try input(0)), b = f(try input(1)), y = f(try output(0))
            let c = p.bind(optionalInput(2).map { UnsafePointer(f($0)) })
            try kernelCall {
                try Gemm.compute(transA: p.transA, transB: p.transB, m: p.m, n: p.n, k: p.k, alpha: p.alpha,
                                 a: a, b: b, beta: p.beta, c: c, y: y)
            }
        case .matMul(let plan):
            MatMul.batched(plan, a: f(try input(0)), b: f(try input(1)), y: f(try output(0)))
        case .gradient(let kernel):
            try executeGradient(kernel, in: arena)
        }
    }

    /// Runs a kernel, reporting a parameter error against this node (parameters are
    /// validated at compile time, so this only guards against a broken program).
    private func kernelCall(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch let e as KernelParameterError {
            throw RuntimeError(.node, node, e.description)
        }
    }

    private func labelError(_ e: LossLabelError, classes: Int) -> RuntimeError {
        RuntimeError(.node, node, "label \(e.label) at position \(e.position) is outside 0..<\(classes) and is not ignore_index")
    }
}

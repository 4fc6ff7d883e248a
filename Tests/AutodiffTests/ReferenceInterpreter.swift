import GraphIR

// TEST-ONLY REFERENCE INTERPRETER.
//
// Naive double-precision loops for every forward op the zoo uses and every backward op
// Autodiff emits, so gradients can be checked against finite differences without the
// runtime (which does not know the backward ops yet). Clarity over speed; 2-D spatial
// ops only. Integer tensors (labels, shapes, indices) are held as doubles too.

/// A dense row-major tensor of doubles.
struct RefTensor: Equatable, CustomStringConvertible {
    var shape: [Int]
    var data: [Double]

    init(shape: [Int], data: [Double]) {
        precondition(shape.reduce(1, *) == data.count, "RefTensor: \(shape) does not hold \(data.count) values")
        self.shape = shape
        self.data = data
    }

    init(shape: [Int], repeating v: Double = 0) {
        self.init(shape: shape, data: Array(repeating: v, count: shape.reduce(1, *)))
    }

    init(_ t: Tensor) {
        switch t.storage {
        case .float64(let a): self.init(shape: t.shape, data: a)
        default: self.init(shape: t.shape, data: t.intValues.map { $0.map(Double.init) } ?? t.floatValues.map(Double.init))
        }
    }

    static func scalar(_ v: Double) -> RefTensor { RefTensor(shape: [], data: [v]) }

    var count: Int { data.count }
    var ints: [Int] { data.map { Int($0) } }
    var description: String { "RefTensor\(shape)" }
}

/// Row-major strides of a shape.
func rowMajorStrides(_ shape: [Int]) -> [Int] {
    var s = Array(repeating: 1, count: shape.count)
    var acc = 1
    for i in stride(from: shape.count - 1, through: 0, by: -1) {
        s[i] = acc
        acc *= shape[i]
    }
    return s
}

/// The multi-index of flat position `flat`.
func unravel(_ flat: Int, _ shape: [Int]) -> [Int] {
    var idx = Array(repeating: 0, count: shape.count)
    var rest = flat
    for i in stride(from: shape.count - 1, through: 0, by: -1) where shape[i] > 0 {
        idx[i] = rest % shape[i]
        rest /= shape[i]
    }
    return idx
}

struct ReferenceError: Error, CustomStringConvertible {
    var message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}

/// Evaluates a static-shaped graph in double precision.
struct ReferenceInterpreter {
    let graph: Graph

    /// Every value's contents after running all nodes. `feeds` binds graph inputs by
    /// name; `overrides` replaces any value (parameter, constant or intermediate) by id,
    /// which is how finite differences perturb an intermediate.
    func run(feeds: [String: RefTensor], overrides: [ValueID: RefTensor] = [:]) throws -> [RefTensor?] {
        var env = [RefTensor?](repeating: nil, count: graph.values.count)
        for (i, v) in graph.values.enumerated() {
            if let o = overrides[ValueID(i)] { env[i] = o; continue }
            switch v.role {
            case .input:
                guard let f = feeds[v.name] else { throw ReferenceError("no feed for input \(v.name)") }
                env[i] = f
            case .parameter, .constant:
                guard let d = v.data else { throw ReferenceError("\(v.name) has no data") }
                env[i] = RefTensor(d)
            case .intermediate:
                break
            }
        }
        for node in graph.nodes {
            if node.outputs.allSatisfy({ overrides[$0] != nil }) { continue }
            let inputs = node.inputs.map { $0.flatMap { env[$0.index] } }
            for (k, v) in node.inputs.enumerated() where v != nil && inputs[k] == nil {
                throw ReferenceError("\(node.name): input \(k) was not computed")
            }
            let outShapes = try node.outputs.map { out -> [Int] in
                guard let d = graph[out].type.shape.staticDims else { throw ReferenceError("\(graph[out].name) is not static") }
                return d
            }
            let results: [RefTensor]
            do {
                results = try evaluate(node, inputs, outShapes)
            } catch let e as ReferenceError {
                throw ReferenceError("\(node.name) (\(node.op.rawValue)): \(e.message)")
            }
            for (k, out) in node.outputs.enumerated() where overrides[out] == nil {
                guard k < results.count else { throw ReferenceError("\(node.name): output \(k) not computed") }
                guard results[k].shape == outShapes[k] else {
                    throw ReferenceError("\(node.name): output \(k) is \(results[k].shape), declared \(outShapes[k])")
                }
                env[out.index] = results[k]
            }
        }
        return env
    }

    /// One value after a run.
    func value(_ v: ValueID, feeds: [String: RefTensor], overrides: [ValueID: RefTensor] = [:]) throws -> RefTensor {
        guard let t = try run(feeds: feeds, overrides: overrides)[v.index] else {
            throw ReferenceError("\(graph[v].name) was not computed")
        }
        return t
    }

    private func evaluate(_ n: Node, _ x: [RefTensor?], _ out: [[Int]]) throws -> [RefTensor] {
        func i(_ k: Int) throws -> RefTensor {
            guard k < x.count, let t = x[k] else { throw ReferenceError("missing input \(k)") }
            return t
        }
        let a = n.attributes
        switch n.op {
        case .conv: return [try conv(try i(0), try i(1), x.count > 2 ? x[2] : nil, a, out[0])]
        case .convGradInput: return [try convGradInput(try i(0), try i(1), a, out[0])]
        case .convGradWeight: return [try convGradWeight(try i(0), try i(1), a, out[0])]
        case .batchNormalization: return try batchNorm(x.compactMap { $0 }, a, outputs: out.count)
        case .batchNormalizationGrad: return try batchNormGrad(x, a)
        case .relu, .leakyRelu, .sigmoid, .hardSigmoid, .hardSwish, .swish, .tanh, .exp, .log, .neg,
             .sqrt, .reciprocal, .clip:
            return [try unary(n.op, try i(0), x, a)]
        case .activationGrad: return [try activationGrad(try i(0), try i(1), a)]
        case .add, .sub, .mul, .div: return [try binary(n.op, try i(0), try i(1))]
        case .broadcastLike: return [try broadcast(try i(0), to: try i(1).shape)]
        case .maxPool, .averagePool: return try pool(n.op, try i(0), a, out)
        case .maxPoolGrad: return [try maxPoolGrad(try i(0), try i(1), a)]
        case .averagePoolGrad: return [try averagePoolGrad(try i(0), a, out[0])]
        case .globalAveragePool, .globalMaxPool: return [globalPool(n.op, try i(0))]
        case .flatten, .reshape, .squeeze, .unsqueeze, .identity:
            return [RefTensor(shape: out[0], data: try i(0).data)]
        case .dropout: return [try i(0), RefTensor(shape: out[0], repeating: 1)]
        case .cast:
            let to = DType(rawValue: a.string("to") ?? "") ?? .float32
            let t = try i(0)
            return [to.isFloatingPoint ? t : RefTensor(shape: t.shape, data: t.data.map { $0.rounded(.towardZero) })]
        case .transpose: return [transpose(try i(0), a.ints("perm"))]
        case .concat: return [try concat(x.compactMap { $0 }, a, out[0])]
        case .pad: return [try pad(try i(0), try i(1), x.count > 2 ? x[2] : nil, x.count > 3 ? x[3] : nil, a)]
        case .slice: return [try slice(x, out[0])]
        case .gather: return [try gather(try i(0), try i(1), a, out[0])]
        case .shape: return [shapeOf(try i(0), a, out[0])]
        case .constant:
            guard let t = a.tensor("value") else { throw ReferenceError("no value") }
            return [RefTensor(t)]
        case .gemm: return [try gemm(try i(0), try i(1), x.count > 2 ? x[2] : nil, a, out[0])]
        case .matMul: return [try matMul(try i(0), try i(1), out[0])]
        case .reduceSum, .reduceMean: return [try reduce(n.op, try i(0), x.count > 1 ? x[1] : nil, a, out[0])]
        case .softmax, .logSoftmax: return [softmax(try i(0), a, log: n.op == .logSoftmax)]
        case .softmaxCrossEntropyLoss, .negativeLogLikelihoodLoss:
            return try loss(n.op, try i(0), try i(1), x.count > 2 ? x[2] : nil, a, out)
        case .softmaxCrossEntropyLossGrad, .negativeLogLikelihoodLossGrad:
            return [try lossGrad(n.op, try i(0), try i(1), try i(2), x.count > 3 ? x[3] : nil, a)]
        case .fusedConv:
            throw ReferenceError("FusedConv is not interpreted (differentiate the canonical graph)")
        }
    }
}

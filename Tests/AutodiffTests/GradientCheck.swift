import Autodiff
import GraphIR
import Testing

/// Deterministic values for tests (SplitMix64), uniform in [lo, hi).
struct TestRandom {
    var state: UInt64
    init(_ seed: UInt64) { state = seed }
    mutating func next() -> Double {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Double(z >> 11) / Double(1 << 53)
    }
    mutating func tensor(_ shape: [Int], _ lo: Double = -1, _ hi: Double = 1) -> RefTensor {
        RefTensor(shape: shape, data: (0..<shape.reduce(1, *)).map { _ in lo + (hi - lo) * next() })
    }
    /// Values with magnitude in [0.1, 1] and random sign: away from the kinks of Relu,
    /// Clip and max-pool ties, so central differences do not straddle one.
    mutating func awayFromZero(_ shape: [Int]) -> RefTensor {
        RefTensor(shape: shape, data: (0..<shape.reduce(1, *)).map { _ in
            (0.1 + 0.9 * next()) * (next() < 0.5 ? -1 : 1)
        })
    }
}

extension Tensor {
    init(_ t: RefTensor) { self.init(shape: t.shape, floats: t.data.map { Float($0) }) }
}

/// Appends a node to a graph, inferring its output types (test helper).
@discardableResult
func appendNode(_ g: inout Graph, _ op: OpKind, _ name: String, _ inputs: [ValueID?],
                _ attributes: Attributes = [:], outputs: Int = 1) throws -> [ValueID] {
    let ctx = InferenceContext(inputs: inputs.map { $0.map { g[$0].type } },
                               constants: inputs.map { $0.flatMap { g[$0].data } }, attributes: attributes)
    let types = try op.inferOutputTypes(ctx)
    let outs = (0..<outputs).map { k in
        g.addValue(Value(name: k == 0 ? name : "\(name):\(k)", type: types[k], role: .intermediate))
    }
    g.addNode(Node(name: name, op: op, inputs: inputs, outputs: outs, attributes: attributes))
    return outs
}

/// Turns `y` into a scalar `check/loss = sum(y * R)` with fixed pseudo-random weights R,
/// so every element of dy is different (a plain sum would hide transposition errors).
func weightedSum(_ g: inout Graph, _ y: ValueID, seed: UInt64 = 99) throws -> ValueID {
    if g[y].type.shape.elementCount == 1 { return y }
    guard let dims = g[y].type.shape.staticDims else { throw ReferenceError("\(g[y].name) is not static") }
    var rng = TestRandom(seed)
    let r = g.addValue(Value(name: "check/weights", type: g[y].type, role: .constant,
                             data: Tensor(rng.tensor(dims))))
    let prod = try appendNode(&g, .mul, "check/product", [y, r])[0]
    return try appendNode(&g, .reduceSum, "check/loss", [prod], ["keepdims": .int(0)])[0]
}

/// Tolerances of a gradient check: |analytic - numeric| <= absolute + relative * max(|a|, |n|).
struct Tolerance {
    var absolute: Double
    var relative: Double
    /// For smooth ops in double precision with eps = 1e-5: truncation error ~ eps^2.
    static let smooth = Tolerance(absolute: 1e-7, relative: 1e-6)
}

/// Checks `Gradient.build`'s gradients of (a weighted sum of) `y` against central
/// differences computed by the reference interpreter in double precision.
///
/// `wrt` may hold inputs, parameters or intermediates (perturbed through overrides).
/// At most `samples` elements per value are checked (spread evenly), to bound time.
func checkGradients(_ graph: Graph, of y: ValueID, wrt: [ValueID], feeds: [String: RefTensor],
                    eps: Double = 1e-5, tolerance: Tolerance = .smooth, samples: Int = 64,
                    sourceLocation: SourceLocation = #_sourceLocation) throws {
    var g = graph
    let scalar = try weightedSum(&g, y)
    let forward = g
    let (backward, grads) = try Gradient.build(graph: g, of: scalar, withRespectTo: wrt)
    try backward.verify()
    let env = try ReferenceInterpreter(graph: backward).run(feeds: feeds)
    let reference = ReferenceInterpreter(graph: forward)
    for (v, gv) in zip(wrt, grads) {
        let analytic = try #require(env[gv.index], "gradient of \(g[v].name) not computed", sourceLocation: sourceLocation)
        let base = try #require(env[v.index], sourceLocation: sourceLocation)
        #expect(analytic.shape == base.shape, "gradient shape of \(g[v].name)", sourceLocation: sourceLocation)
        let step = max(1, base.count / samples)
        var worst = 0.0
        for i in stride(from: 0, to: base.count, by: step) {
            var plus = base, minus = base
            plus.data[i] += eps
            minus.data[i] -= eps
            let fp = try reference.value(scalar, feeds: feeds, overrides: [v: plus]).data[0]
            let fm = try reference.value(scalar, feeds: feeds, overrides: [v: minus]).data[0]
            let numeric = (fp - fm) / (2 * eps)
            let a = analytic.data[i]
            let err = abs(a - numeric)
            worst = max(worst, err)
            #expect(err <= tolerance.absolute + tolerance.relative * max(abs(a), abs(numeric)),
                    "d/d\(g[v].name)[\(i)]: analytic \(a), numeric \(numeric)", sourceLocation: sourceLocation)
        }
        // A check of all-zero gradients would pass trivially; the weighted sum makes
        // the gradient of every value that feeds the output non-zero somewhere.
        #expect(analytic.data.contains { $0 != 0 }, "gradient of \(g[v].name) is all zero", sourceLocation: sourceLocation)
    }
}

/// A graph under construction for op tests: inputs and parameters by shape.
struct OpGraph {
    var graph: Graph
    var feeds: [String: RefTensor] = [:]
    var rng: TestRandom

    init(_ name: String, seed: UInt64 = 1) {
        graph = Graph(name: name)
        rng = TestRandom(seed)
    }

    /// A float input fed with random values (away from zero when asked).
    mutating func input(_ name: String, _ shape: [Int], awayFromZero: Bool = false, range: (Double, Double) = (-1, 1)) -> ValueID {
        let v = graph.addValue(Value(name: name, type: TensorType(.float32, Shape(shape)), role: .input))
        graph.inputs.append(v)
        feeds[name] = awayFromZero ? rng.awayFromZero(shape) : rng.tensor(shape, range.0, range.1)
        return v
    }

    /// An integer input (labels) with the given contents.
    mutating func labels(_ name: String, _ shape: [Int], _ values: [Int]) -> ValueID {
        let v = graph.addValue(Value(name: name, type: TensorType(.int64, Shape(shape)), role: .input))
        graph.inputs.append(v)
        feeds[name] = RefTensor(shape: shape, data: values.map(Double.init))
        return v
    }

    mutating func parameter(_ name: String, _ shape: [Int], _ lo: Double = -1, _ hi: Double = 1) -> ValueID {
        graph.addValue(Value(name: name, type: TensorType(.float32, Shape(shape)), role: .parameter, trainable: true,
                             data: Tensor(rng.tensor(shape, lo, hi))))
    }

    mutating func constant(_ name: String, _ t: Tensor) -> ValueID {
        graph.addValue(Value(name: name, type: t.type, role: .constant, data: t))
    }

    @discardableResult
    mutating func node(_ op: OpKind, _ name: String, _ inputs: [ValueID?], _ attributes: Attributes = [:],
                       outputs: Int = 1) throws -> ValueID {
        try appendNode(&graph, op, name, inputs, attributes, outputs: outputs)[0]
    }

    /// Runs the finite-difference check of `y` with respect to `wrt`.
    func check(_ y: ValueID, wrt: [ValueID], eps: Double = 1e-5, tolerance: Tolerance = .smooth, samples: Int = 64,
               sourceLocation: SourceLocation = #_sourceLocation) throws {
        var g = graph
        g.outputs = [y]
        try checkGradients(g, of: y, wrt: wrt, feeds: feeds, eps: eps, tolerance: tolerance, samples: samples,
                           sourceLocation: sourceLocation)
    }
}

import Foundation
import GraphIR

// TEST-ONLY REFERENCE INTERPRETER: elementwise ops, activations and their gradients.

func sigmoid(_ v: Double) -> Double { 1 / (1 + exp(-v)) }

extension ReferenceInterpreter {
    func unary(_ op: OpKind, _ t: RefTensor, _ x: [RefTensor?], _ a: Attributes) throws -> RefTensor {
        let f: (Double) -> Double
        switch op {
        case .relu: f = { max($0, 0) }
        case .leakyRelu:
            let alpha = Double(a.float("alpha") ?? 0.01)
            f = { $0 >= 0 ? $0 : alpha * $0 }
        case .clip:
            let lo = x.count > 1 ? x[1]?.data[0] ?? -.infinity : -.infinity
            let hi = x.count > 2 ? x[2]?.data[0] ?? .infinity : .infinity
            f = { min(max($0, lo), hi) }
        case .sigmoid: f = sigmoid
        case .hardSigmoid:
            let alpha = Double(a.float("alpha") ?? 0.2), beta = Double(a.float("beta") ?? 0.5)
            f = { max(0, min(1, alpha * $0 + beta)) }
        case .hardSwish: f = { $0 * max(0, min(1, $0 / 6 + 0.5)) }
        case .swish:
            let alpha = Double(a.float("alpha") ?? 1)
            f = { $0 * sigmoid(alpha * $0) }
        case .tanh: f = { Foundation.tanh($0) }
        case .exp: f = { Foundation.exp($0) }
        case .log: f = { Foundation.log($0) }
        case .neg: f = { -$0 }
        case .sqrt: f = { $0.squareRoot() }
        case .reciprocal: f = { 1 / $0 }
        default: throw ReferenceError("not unary")
        }
        return RefTensor(shape: t.shape, data: t.data.map(f))
    }

    /// dX = dY * f'(X) for the activations ActivationGrad names.
    func activationGrad(_ dy: RefTensor, _ x: RefTensor, _ a: Attributes) throws -> RefTensor {
        let p = (a.floats("activation_params") ?? []).map(Double.init)
        let d: (Double) -> Double
        switch a.string("activation") ?? "" {
        case "Relu": d = { $0 > 0 ? 1 : 0 }
        case "LeakyRelu":
            let alpha = p.first ?? 0.01
            d = { $0 >= 0 ? 1 : alpha }
        case "Clip": d = { $0 >= p[0] && $0 <= p[1] ? 1 : 0 }
        case "Sigmoid": d = { let s = sigmoid($0); return s * (1 - s) }
        case "HardSigmoid":
            let alpha = p.count == 2 ? p[0] : 0.2, beta = p.count == 2 ? p[1] : 0.5
            d = { let u = alpha * $0 + beta; return u > 0 && u < 1 ? alpha : 0 }
        case "Swish":
            let alpha = p.first ?? 1
            d = { let s = sigmoid(alpha * $0); return s + alpha * $0 * s * (1 - s) }
        case "HardSwish": d = { $0 < -3 ? 0 : $0 > 3 ? 1 : $0 / 3 + 0.5 }
        default: throw ReferenceError("unknown activation \(a.string("activation") ?? "")")
        }
        return RefTensor(shape: x.shape, data: zip(dy.data, x.data).map { $0 * d($1) })
    }

    func binary(_ op: OpKind, _ l: RefTensor, _ r: RefTensor) throws -> RefTensor {
        let shape = try broadcastShape(l.shape, r.shape)
        let lb = try broadcast(l, to: shape), rb = try broadcast(r, to: shape)
        let f: (Double, Double) -> Double
        switch op {
        case .add: f = (+)
        case .sub: f = (-)
        case .mul: f = (*)
        default: f = (/)
        }
        return RefTensor(shape: shape, data: zip(lb.data, rb.data).map(f))
    }

    func broadcastShape(_ a: [Int], _ b: [Int]) throws -> [Int] {
        let r = max(a.count, b.count)
        return try (0..<r).map { i in
            let da = i < r - a.count ? 1 : a[i - (r - a.count)]
            let db = i < r - b.count ? 1 : b[i - (r - b.count)]
            guard da == db || da == 1 || db == 1 else { throw ReferenceError("cannot broadcast \(a) and \(b)") }
            return da == 1 ? db : da
        }
    }

    /// `t` repeated along its size-1 (and missing leading) axes to `shape`.
    func broadcast(_ t: RefTensor, to shape: [Int]) throws -> RefTensor {
        if t.shape == shape { return t }
        let r = shape.count, offset = r - t.shape.count
        guard offset >= 0 else { throw ReferenceError("cannot broadcast \(t.shape) to \(shape)") }
        let srcStrides = rowMajorStrides(t.shape)
        var out = RefTensor(shape: shape)
        for flat in 0..<out.count {
            let idx = unravel(flat, shape)
            var src = 0
            for i in 0..<t.shape.count {
                let size = t.shape[i]
                guard size == 1 || size == shape[i + offset] else { throw ReferenceError("cannot broadcast \(t.shape) to \(shape)") }
                src += (size == 1 ? 0 : idx[i + offset]) * srcStrides[i]
            }
            out.data[flat] = t.data[src]
        }
        return out
    }
}

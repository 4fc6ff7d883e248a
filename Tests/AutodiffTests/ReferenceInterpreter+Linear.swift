import Foundation
import GraphIR

// TEST-ONLY REFERENCE INTERPRETER: Gemm, MatMul, reductions, softmax and the losses with
// their gradients.

extension ReferenceInterpreter {
    func gemm(_ a: RefTensor, _ b: RefTensor, _ c: RefTensor?, _ at: Attributes, _ out: [Int]) throws -> RefTensor {
        let ta = (at.int("transA") ?? 0) != 0, tb = (at.int("transB") ?? 0) != 0
        let alpha = Double(at.float("alpha") ?? 1), beta = Double(at.float("beta") ?? 1)
        let (m, n) = (out[0], out[1]), k = ta ? a.shape[0] : a.shape[1]
        var y = RefTensor(shape: out)
        for i in 0..<m {
            for j in 0..<n {
                var s = 0.0
                for p in 0..<k {
                    s += a.data[ta ? p * m + i : i * k + p] * b.data[tb ? j * k + p : p * n + j]
                }
                y.data[i * n + j] = alpha * s
            }
        }
        if let c { y = try binary(.add, y, RefTensor(shape: c.shape, data: c.data.map { $0 * beta })) }
        return y
    }

    func matMul(_ a: RefTensor, _ b: RefTensor, _ out: [Int]) throws -> RefTensor {
        var sa = a.shape, sb = b.shape
        if sa.count == 1 { sa = [1, sa[0]] }
        if sb.count == 1 { sb = [sb[0], 1] }
        let batch = try broadcastShape(Array(sa.dropLast(2)), Array(sb.dropLast(2)))
        let (m, k, n) = (sa[sa.count - 2], sa[sa.count - 1], sb[sb.count - 1])
        let ab = try broadcast(RefTensor(shape: sa, data: a.data), to: batch + [m, k])
        let bb = try broadcast(RefTensor(shape: sb, data: b.data), to: batch + [k, n])
        let batches = batch.reduce(1, *)
        var y = [Double](repeating: 0, count: batches * m * n)
        for t in 0..<batches {
            for i in 0..<m {
                for j in 0..<n {
                    var s = 0.0
                    for p in 0..<k { s += ab.data[(t * m + i) * k + p] * bb.data[(t * k + p) * n + j] }
                    y[(t * m + i) * n + j] = s
                }
            }
        }
        return RefTensor(shape: out, data: y)
    }

    func reduce(_ op: OpKind, _ x: RefTensor, _ axesTensor: RefTensor?, _ a: Attributes, _ out: [Int]) throws -> RefTensor {
        let rank = x.shape.count
        let given = axesTensor?.ints ?? []
        if given.isEmpty && (a.int("noop_with_empty_axes") ?? 0) != 0 { return x }
        let axes = Set(given.isEmpty ? Array(0..<rank) : given.map { $0 < 0 ? $0 + rank : $0 })
        let keptShape = (0..<rank).map { axes.contains($0) ? 1 : x.shape[$0] }
        let keptStrides = rowMajorStrides(keptShape)
        var sums = [Double](repeating: 0, count: keptShape.reduce(1, *))
        for flat in 0..<x.count {
            let idx = unravel(flat, x.shape)
            var dst = 0
            for i in 0..<rank where !axes.contains(i) { dst += idx[i] * keptStrides[i] }
            sums[dst] += x.data[flat]
        }
        let count = Double(axes.reduce(1) { $0 * x.shape[$1] })
        return RefTensor(shape: out, data: op == .reduceMean ? sums.map { $0 / count } : sums)
    }

    func softmax(_ x: RefTensor, _ a: Attributes, log: Bool, axis fixedAxis: Int? = nil) -> RefTensor {
        let rank = x.shape.count
        let axisAttribute = fixedAxis ?? a.int("axis") ?? -1
        let axis = axisAttribute < 0 ? axisAttribute + rank : axisAttribute
        let len = x.shape[axis], inner = x.shape[(axis + 1)...].reduce(1, *), outer = x.count / (len * inner)
        var y = x
        for o in 0..<outer {
            for i in 0..<inner {
                let at = { (j: Int) in (o * len + j) * inner + i }
                let mx = (0..<len).map { x.data[at($0)] }.max()!
                let lse = Foundation.log((0..<len).reduce(0.0) { $0 + exp(x.data[at($1)] - mx) }) + mx
                for j in 0..<len { y.data[at(j)] = log ? x.data[at(j)] - lse : exp(x.data[at(j)] - lse) }
            }
        }
        return y
    }

    /// Per (n, d) position: label, weight and whether it counts; plus the mean divisor.
    private func lossTerms(_ scores: RefTensor, _ labels: RefTensor, _ weights: RefTensor?, _ a: Attributes)
        throws -> (terms: [(label: Int, weight: Double)?], divisor: Double) {
        let classes = scores.shape[1]
        let ignore = a.int("ignore_index")
        var terms: [(label: Int, weight: Double)?] = []
        var weightSum = 0.0
        for l in labels.ints {
            if l == ignore { terms.append(nil); continue }
            guard l >= 0, l < classes else { throw ReferenceError("label \(l) out of range") }
            let w = weights?.data[l] ?? 1
            weightSum += w
            terms.append((l, w))
        }
        let reduction = a.string("reduction") ?? "mean"
        return (terms, reduction == "mean" ? weightSum : 1)
    }

    func loss(_ op: OpKind, _ scores: RefTensor, _ labels: RefTensor, _ weights: RefTensor?, _ a: Attributes,
              _ out: [[Int]]) throws -> [RefTensor] {
        let logp = op == .softmaxCrossEntropyLoss ? softmax(scores, a, log: true, axis: 1) : scores
        let (terms, divisor) = try lossTerms(scores, labels, weights, a)
        let classes = scores.shape[1], spatial = scores.count / (scores.shape[0] * classes)
        var each = [Double](repeating: 0, count: terms.count)
        for (pos, t) in terms.enumerated() {
            guard let t else { continue }
            let (n, d) = (pos / spatial, pos % spatial)
            each[pos] = -t.weight * logp.data[(n * classes + t.label) * spatial + d]
        }
        let lossValue = (a.string("reduction") ?? "mean") == "none"
            ? RefTensor(shape: out[0], data: each) : RefTensor(shape: [], data: [each.reduce(0, +) / divisor])
        return out.count > 1 ? [lossValue, logp] : [lossValue]
    }

    func lossGrad(_ op: OpKind, _ dLoss: RefTensor, _ scores: RefTensor, _ labels: RefTensor, _ weights: RefTensor?,
                  _ a: Attributes) throws -> RefTensor {
        let (terms, divisor) = try lossTerms(scores, labels, weights, a)
        let classes = scores.shape[1], spatial = scores.count / (scores.shape[0] * classes)
        let p = op == .softmaxCrossEntropyLossGrad ? softmax(scores, a, log: false, axis: 1) : nil
        var d = RefTensor(shape: scores.shape)
        for (pos, t) in terms.enumerated() {
            guard let t else { continue }
            let (n, sp) = (pos / spatial, pos % spatial)
            let g = (dLoss.count == 1 ? dLoss.data[0] : dLoss.data[pos]) * t.weight / divisor
            for c in 0..<classes {
                let i = (n * classes + c) * spatial + sp
                let onehot = c == t.label ? 1.0 : 0.0
                d.data[i] = p.map { g * ($0.data[i] - onehot) } ?? -g * onehot
            }
        }
        return d
    }
}

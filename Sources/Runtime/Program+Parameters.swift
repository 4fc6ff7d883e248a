import GraphIR

/// Parameters live only in the arena's weights region (compile strips their data from
/// `graph`), which no run overwrites and the memory planner never shares, so reading and
/// writing them here goes straight to the bytes the steps use.
extension Program {
    /// Names of the parameters this program keeps in buffers (float parameters are never
    /// folded), in graph order: what `parameters()` returns and `setParameters` accepts.
    public var parameterNames: [String] {
        graph.parameters.filter { buffers[$0.index] != nil }.map { graph[$0].name }
    }

    /// The current value of every parameter held in a buffer, by name (for checkpoints).
    public func parameters() -> [String: Tensor] {
        var result: [String: Tensor] = [:]
        for id in graph.parameters {
            guard let ref = buffers[id.index], let dims = graph[id].type.shape.staticDims else { continue }
            result[graph[id].name] = arena.read(ref, shape: dims)
        }
        return result
    }

    /// Overwrites parameters by name; each tensor must match the parameter's dtype and shape.
    /// Names not given keep their values.
    ///
    /// - Throws: `RuntimeError` naming an unknown name, a parameter without a buffer, or a
    ///   dtype/shape mismatch; nothing is written when any entry is wrong.
    public func setParameters(_ values: [String: Tensor]) throws {
        var writes: [(BufferRef, Tensor)] = []
        for (name, t) in values.sorted(by: { $0.key < $1.key }) {
            guard let id = valueByName[name], graph[id].role == .parameter else {
                throw RuntimeError(.value, name, "is not a parameter of graph '\(graph.name)'")
            }
            guard let ref = buffers[id.index] else { throw RuntimeError(.value, name, "is folded at compile time and cannot be set") }
            guard t.dtype == graph[id].type.dtype, Shape(t.shape) == graph[id].type.shape else {
                throw RuntimeError(.value, name, "expected \(graph[id].type), got \(t.type)")
            }
            writes.append((ref, t))
        }
        for (ref, t) in writes { arena.write(t, to: ref) }
        repackWeights(touching: writes.map(\.0))
    }

    /// Copies every parameter that both programs hold (same name, dtype and element
    /// count) from `other` into this program, buffer to buffer: how an inference program
    /// shares the weights of a training program without allocating. Returns the number
    /// of parameters copied.
    @discardableResult
    public func copyParameters(from other: Program) -> Int {
        var copied = 0
        var written: [BufferRef] = []
        defer { repackWeights(touching: written) }
        for id in graph.parameters {
            guard let ref = buffers[id.index], let sourceID = other.valueByName[graph[id].name],
                  let source = other.buffers[sourceID.index], source.dtype == ref.dtype, source.count == ref.count else { continue }
            arena.pointer(ref).copyMemory(from: other.arena.pointer(source), byteCount: ref.byteCount)
            written.append(ref)
            copied += 1
        }
        return copied
    }
}

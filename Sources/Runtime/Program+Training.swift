import GraphIR

/// Copies from graph values into state buffers, resolved once at compile time so that a
/// training step moves bytes without looking anything up or allocating.
public struct StateCopies {
    struct Copy {
        var source: BufferRef
        var destination: BufferRef
    }

    let copies: [Copy]
    /// Packed conv weights read from a copy's destination: packed again after the copies.
    let repack: [PackedWeightsBox]
    /// Number of buffer copies per step.
    public var count: Int { copies.count }
}

extension Program {
    /// Resolves `(state, newValue)` name pairs: after each `runStep`, `newValue`'s contents
    /// overwrite `state`'s buffer, so the next run reads the new value.
    ///
    /// - Throws: `RuntimeError` naming a value that is unknown, has no buffer (a state
    ///   folded at compile time, such as an integer parameter), or whose type differs.
    public func stateCopies(_ pairs: [(state: String, newValue: String)]) throws -> StateCopies {
        var copies: [StateCopies.Copy] = []
        for (state, newValue) in pairs {
            guard let s = valueByName[state] else { throw RuntimeError(.value, state, "no such value in graph '\(graph.name)'") }
            guard let n = valueByName[newValue] else { throw RuntimeError(.value, newValue, "no such value in graph '\(graph.name)'") }
            guard let destination = buffers[s.index] else {
                throw RuntimeError(.value, state, "has no buffer (folded at compile time), so it cannot be updated")
            }
            guard let source = buffers[n.index] else { throw RuntimeError(.value, newValue, "has no buffer in this program") }
            // The new value is read after the last step, so its bytes must not be reused, and
            // the state's bytes must persist across runs (a weight, or a kept value).
            guard readable[n.index] else {
                throw RuntimeError(.value, newValue, "shares memory with other values; make it a graph output or pin it "
                                   + "with CompileOptions(pinned: [\"\(newValue)\"])")
            }
            guard weightsInArena[s.index] || readable[s.index] else {
                throw RuntimeError(.value, state, "is an intermediate whose memory the plan reuses, so it cannot hold a state")
            }
            guard source.dtype == destination.dtype, source.count == destination.count else {
                throw RuntimeError(.value, newValue, "is \(graph[n].type) but state '\(state)' is \(graph[s].type)")
            }
            copies.append(.init(source: source, destination: destination))
        }
        return StateCopies(copies: copies, repack: packedWeightBoxes(touching: copies.map(\.destination)))
    }

    /// Runs every step on `inputs`, then applies `copies` (an assign after the step). Unlike
    /// `run`, no output tensor is materialized: read what you need with `contents(named:)`.
    /// The copies happen after the last step, so a state read anywhere in the schedule sees
    /// its value from before the step.
    ///
    /// - Throws: `RuntimeError` naming an input that is missing, unknown or mistyped, or a
    ///   node that failed on its data.
    public func runStep(_ inputs: [String: Tensor], applying copies: StateCopies) throws {
        try execute(inputs)
        for copy in copies.copies {
            arena.pointer(copy.destination).copyMemory(from: arena.pointer(copy.source), byteCount: copy.source.byteCount)
        }
        for box in copies.repack { box.repack(from: arena) }
    }

    /// The current contents of a value's buffer (or its compile-time value), without the
    /// first-run check of `values(named:)`: meant for reading results after `runStep`.
    /// Like `values(named:)`, an intermediate of a planned program must be pinned.
    public func contents(named name: String) throws -> Tensor {
        guard let id = valueByName[name] else {
            if let t = foldedByName[name] { return t }
            throw RuntimeError(.value, name, "no such value in graph '\(graph.name)'")
        }
        if let t = graph[id].data { return t }
        guard let ref = buffers[id.index], let dims = graph[id].type.shape.staticDims else {
            throw RuntimeError(.value, name, "is not computed by this program")
        }
        guard weightsInArena[id.index] || readable[id.index] else {
            throw RuntimeError(.value, name, "is an intermediate whose memory the plan reuses; "
                               + "pin it with CompileOptions(pinned: [\"\(name)\"]) to read it after a run")
        }
        return arena.read(ref, shape: dims)
    }

    /// The first element of a float value's buffer (a scalar loss), without allocating.
    public func firstFloat(named name: String) throws -> Float {
        guard let id = valueByName[name], let ref = buffers[id.index], ref.dtype == .float32, ref.count > 0,
              weightsInArena[id.index] || readable[id.index] else {
            throw RuntimeError(.value, name, "is not a kept float value with a buffer in graph '\(graph.name)'")
        }
        return arena.floats(ref)[0]
    }
}

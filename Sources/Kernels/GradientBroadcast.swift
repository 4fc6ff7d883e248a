/// `BroadcastLike`: copies a tensor broadcast (numpy rules) to a larger shape, the way
/// gradients of reductions and broadcasting ops are spread back over their inputs.
public struct BroadcastCopyPlan: Sendable, Equatable {
    /// The output shape, and per output axis the input stride (0 where the input is broadcast).
    public let outputShape: [Int]
    let inputStrides: [Int]
    public var outputCount: Int { outputShape.reduce(1, *) }

    /// nil when `input` does not broadcast to `output` (numpy rules: right-aligned, each
    /// input dim equal to the output's or 1).
    public init?(input: [Int], output: [Int]) {
        guard input.count <= output.count else { return nil }
        let lead = output.count - input.count
        var strides = Array(repeating: 0, count: output.count)
        var step = 1
        for axis in Swift.stride(from: input.count - 1, through: 0, by: -1) {
            let size = input[axis]
            guard size == output[axis + lead] || size == 1 else { return nil }
            strides[axis + lead] = size == 1 ? 0 : step
            step *= size
        }
        outputShape = output
        inputStrides = strides
    }
}

/// Writes `input` broadcast by `plan` into `output` (`plan.outputCount` floats).
public func broadcastCopy(_ plan: BroadcastCopyPlan, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>) {
    let shape = plan.outputShape, strides = plan.inputStrides
    guard let last = shape.indices.last else {
        output[0] = input[0]
        return
    }
    let inner = shape[last], innerStride = strides[last]
    guard inner > 0, plan.outputCount > 0 else { return }
    let rows = plan.outputCount / inner
    // Walk the outer axes as an odometer; each row is a contiguous run of the output.
    var index = Array(repeating: 0, count: last)
    var source = 0
    for row in 0..<rows {
        let destination = output + row * inner
        if innerStride == 0 {
            destination.update(repeating: input[source], count: inner)
        } else {
            destination.update(from: input + source, count: inner)
        }
        var axis = last - 1
        while axis >= 0 {
            index[axis] += 1
            source += strides[axis]
            if index[axis] < shape[axis] { break }
            source -= strides[axis] * shape[axis]
            index[axis] = 0
            axis -= 1
        }
    }
}

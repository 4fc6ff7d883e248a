extension Conv {
    /// Direct depthwise convolution: output channel `oc` reads only input channel
    /// `oc / multiplier` through its own `kh x kw` filter, with the epilogue applied to each
    /// output row as it completes. Parallel over output planes.
    ///
    /// Each input plane is first copied into a zero-padded scratch plane whose rows are split
    /// by column phase (`column % strideW`), so every tap of every stride reads a contiguous,
    /// bounds-free run and the inner loop over output columns vectorizes.
    static func depthwise(
        _ params: ConvParams, _ g: WindowGeometry, input: UnsafePointer<Float>,
        weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
        output: UnsafeMutablePointer<Float>, epilogue: ConvEpilogue
    ) {
        let layout = PaddedPlane(g)
        let multiplier = params.outChannels / params.inChannels
        let outPlane = g.outputPlane
        let planes = params.batch * params.outChannels
        Parallel.forEachChunk(count: planes, minimumChunk: max(1, 2048 / max(outPlane, 1))) { range in
            let scratch = UnsafeMutablePointer<Float>.allocate(capacity: layout.count)
            defer { scratch.deallocate() }
            scratch.initialize(repeating: 0, count: layout.count)
            var loaded = -1
            for plane in range {
                let image = plane / params.outChannels
                let outChannel = plane % params.outChannels
                let source = image * params.inChannels + outChannel / multiplier
                if source != loaded {
                    layout.load(input + source * g.inputPlane, into: scratch)
                    loaded = source
                }
                depthwisePlane(g, layout, padded: scratch,
                               filter: weight + outChannel * g.height.kernel * g.width.kernel,
                               bias: bias?[outChannel] ?? 0,
                               residual: epilogue.residual.map { $0 + plane * outPlane },
                               output: output + plane * outPlane, epilogue: epilogue)
            }
        }
    }

    @inline(__always)
    private static func depthwisePlane(
        _ g: WindowGeometry, _ layout: PaddedPlane, padded: UnsafePointer<Float>,
        filter: UnsafePointer<Float>, bias: Float, residual: UnsafePointer<Float>?,
        output: UnsafeMutablePointer<Float>, epilogue: ConvEpilogue
    ) {
        let h = g.height
        let w = g.width
        let outW = w.output
        for oh in 0..<h.output {
            let row = output + oh * outW
            row.update(repeating: 0, count: outW)
            for kh in 0..<h.kernel {
                let paddedRow = padded + (oh * h.stride + kh * h.dilation) * layout.rowCount
                for kw in 0..<w.kernel {
                    let column = kw * w.dilation
                    let run = paddedRow + (column % w.stride) * layout.phaseCount + column / w.stride
                    let tap = filter[kh * w.kernel + kw]
                    for ow in 0..<outW { row[ow] += tap * run[ow] }
                }
            }
            epilogue.apply(row, bias: bias, residual: residual.map { $0 + oh * outW },
                           to: row, count: outW)
        }
    }
}

/// Layout of one zero-padded input plane whose rows are split into `stride` column phases:
/// padded column `c` of padded row `r` lives at `r * rowCount + (c % stride) * phaseCount + c / stride`.
struct PaddedPlane {
    let geometry: WindowGeometry
    /// Floats per phase (padded width / stride, rounded up).
    let phaseCount: Int
    /// Floats per padded row (all phases).
    let rowCount: Int
    /// Floats in the whole padded plane.
    let count: Int

    init(_ g: WindowGeometry) {
        geometry = g
        let paddedWidth = g.width.padBegin + g.width.input + g.width.padEnd
        phaseCount = (paddedWidth + g.width.stride - 1) / g.width.stride
        rowCount = phaseCount * g.width.stride
        count = (g.height.padBegin + g.height.input + g.height.padEnd) * rowCount
    }

    /// Copies `plane` into the interior of `padded`; the padding stays as it was (zero).
    @inline(__always)
    func load(_ plane: UnsafePointer<Float>, into padded: UnsafeMutablePointer<Float>) {
        let h = geometry.height
        let w = geometry.width
        for ih in 0..<h.input {
            let source = plane + ih * w.input
            let row = padded + (ih + h.padBegin) * rowCount
            if w.stride == 1 {
                (row + w.padBegin).update(from: source, count: w.input)
            } else {
                // Phase `q` holds padded columns q, q + s, q + 2s, ...: input column
                // `index * s + q - padBegin` for every index that lands inside the input.
                for phase in 0..<w.stride {
                    let destination = row + phase * phaseCount
                    let shift = phase - w.padBegin
                    let first = max(0, WindowAxis.ceilDiv(-shift, w.stride))
                    let end = min(phaseCount, WindowAxis.ceilDiv(w.input - shift, w.stride))
                    guard first < end else { continue }
                    var column = first * w.stride + shift
                    for index in first..<end {
                        destination[index] = source[column]
                        column += w.stride
                    }
                }
            }
        }
    }
}

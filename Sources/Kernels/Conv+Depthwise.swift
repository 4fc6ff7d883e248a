extension Conv {
    /// Direct depthwise convolution: output channel `oc` reads only input channel
    /// `oc / multiplier` through its own `kh x kw` filter. Parallel over output planes;
    /// each plane accumulates whole output rows so the inner loop is contiguous for stride 1.
    static func depthwise(
        _ params: ConvParams, _ g: WindowGeometry, input: UnsafePointer<Float>,
        weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
        output: UnsafeMutablePointer<Float>
    ) {
        let multiplier = params.outChannels / params.inChannels
        let inPlane = g.inputPlane
        let outPlane = g.outputPlane
        let taps = g.height.kernel * g.width.kernel
        let planes = params.batch * params.outChannels
        Parallel.forEachChunk(count: planes, minimumChunk: max(1, 4096 / max(outPlane, 1))) { range in
            for plane in range {
                let image = plane / params.outChannels
                let outChannel = plane % params.outChannels
                let inChannel = outChannel / multiplier
                depthwisePlane(
                    g, input: input + (image * params.inChannels + inChannel) * inPlane,
                    filter: weight + outChannel * taps,
                    bias: bias?[outChannel] ?? 0,
                    output: output + plane * outPlane)
            }
        }
    }

    @inline(__always)
    private static func depthwisePlane(
        _ g: WindowGeometry, input: UnsafePointer<Float>, filter: UnsafePointer<Float>,
        bias: Float, output: UnsafeMutablePointer<Float>
    ) {
        let h = g.height
        let w = g.width
        let outW = w.output
        output.update(repeating: bias, count: h.output * outW)
        for kw in 0..<w.kernel {
            let validW = w.validOutputs(forTap: kw)
            guard !validW.isEmpty else { continue }
            let shift = kw * w.dilation - w.padBegin
            for kh in 0..<h.kernel {
                let tapWeight = filter[kh * w.kernel + kw]
                for oh in h.validOutputs(forTap: kh) {
                    let ih = h.coordinate(output: oh, tap: kh)
                    let source = input + ih * w.input
                    let destination = output + oh * outW
                    if w.stride == 1 {
                        let shifted = source + shift
                        for ow in validW { destination[ow] += tapWeight * shifted[ow] }
                    } else {
                        for ow in validW { destination[ow] += tapWeight * source[ow * w.stride + shift] }
                    }
                }
            }
        }
    }
}

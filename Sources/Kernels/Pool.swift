/// Max and average pooling (ONNX `MaxPool`, `AveragePool`, `GlobalMaxPool`,
/// `GlobalAveragePool`), float32 NCHW, 1...3 spatial dims.
public enum Pool {
    /// Max over each window, ignoring padding. The first maximum in row-major window order wins.
    ///
    /// `indices` (same shape as `output`) receives ONNX MaxPool indices into the flattened input:
    /// `(n * C + c) * prod(inSpatial) + offset`, where `offset` is row-major within the spatial
    /// dims for `storageOrder` 0 (`h * W + w`) and column-major for 1 (`h + w * H`).
    public static func max(
        _ params: PoolParams, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
        indices: UnsafeMutablePointer<Int64>? = nil, storageOrder: Int = 0
    ) throws {
        try max(Plan(params, kernelName: "MaxPool"), input: input, output: output, indices: indices,
                storageOrder: storageOrder)
    }

    /// `max` for a plan made once; throws only for a `storageOrder` other than 0 or 1.
    public static func max(
        _ plan: Plan, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
        indices: UnsafeMutablePointer<Int64>? = nil, storageOrder: Int = 0
    ) throws {
        guard storageOrder == 0 || storageOrder == 1 else {
            throw KernelParameterError(kernel: "MaxPool", field: "storageOrder",
                                       message: "\(storageOrder) is neither 0 nor 1")
        }
        let params = plan.params
        let g = plan.geometry
        let (d, h, w) = (g.depth, g.height, g.width)
        if indices == nil, d.input == 1, d.kernel == 1, d.output == 1 {
            rowwiseMax(plan, input: input, output: output)
            return
        }
        // Strides of (d, h, w) within a plane for the flattened index.
        let indexStrides = storageOrder == 0
            ? (h.input * w.input, w.input, 1)
            : (1, d.input, d.input * h.input)
        forEachPlane(params, g, input: input, output: output) { plane, source, destination in
            let planeBase = Int64(plane * g.inputPlane)
            var out = 0
            for od in 0..<d.output {
                for oh in 0..<h.output {
                    for ow in 0..<w.output {
                        let (best, bestAt) = g.firstMaximum(in: source, od: od, oh: oh, ow: ow)
                        destination[out] = best
                        if let indices {
                            let offset = bestAt.0 * indexStrides.0 + bestAt.1 * indexStrides.1
                                + bestAt.2 * indexStrides.2
                            indices[plane * g.outputPlane + out] = planeBase + Int64(offset)
                        }
                        out += 1
                    }
                }
            }
        }
    }

    /// Average over each window. Padding never contributes values; with `countIncludePad` the
    /// divisor counts the taps inside the padded extent (not those a ceil-mode window reaches
    /// beyond the end padding), otherwise only the taps inside the input.
    public static func average(
        _ params: PoolParams, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>
    ) throws {
        average(try Plan(params, kernelName: "AveragePool"), input: input, output: output)
    }

    /// `average` for a plan made once.
    public static func average(
        _ plan: Plan, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>
    ) {
        let params = plan.params
        let g = plan.geometry
        let (d, h, w) = (g.depth, g.height, g.width)
        let includePad = params.countIncludePad
        forEachPlane(params, g, input: input, output: output) { _, source, destination in
            var out = 0
            for od in 0..<d.output {
                let tapsD = d.validTaps(at: od)
                for oh in 0..<h.output {
                    let tapsH = h.validTaps(at: oh)
                    for ow in 0..<w.output {
                        let tapsW = w.validTaps(at: ow)
                        var sum: Float = 0
                        for kd in tapsD {
                            let id = d.coordinate(output: od, tap: kd)
                            for kh in tapsH {
                                let ih = h.coordinate(output: oh, tap: kh)
                                let row = source + (id * h.input + ih) * w.input
                                for kw in tapsW { sum += row[w.coordinate(output: ow, tap: kw)] }
                            }
                        }
                        let count = includePad
                            ? d.paddedTapCount(at: od) * h.paddedTapCount(at: oh) * w.paddedTapCount(at: ow)
                            : tapsD.count * tapsH.count * tapsW.count
                        destination[out] = sum / Float(count)
                        out += 1
                    }
                }
            }
        }
    }

    /// A pooling window validated once, with its geometry resolved, so that repeated calls (a
    /// compiled program's runs) neither re-check nor allocate.
    public struct Plan: Sendable {
        public let params: PoolParams
        let geometry: WindowGeometry

        /// Validates `params`; throws `KernelParameterError` naming `kernelName` and the field.
        public init(_ params: PoolParams, kernelName: String = "Pool") throws {
            try params.validate(kernelName: kernelName)
            self.params = params
            self.geometry = params.geometry
        }
    }

    /// Runs `body(planeIndex, inputPlane, outputPlane)` for every `(n, c)` plane, in parallel.
    @inline(__always)
    private static func forEachPlane(
        _ params: PoolParams, _ g: WindowGeometry,
        input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
        _ body: (Int, UnsafePointer<Float>, UnsafeMutablePointer<Float>) -> Void
    ) {
        let planes = params.batch * params.channels
        let work = Swift.max(1, g.outputPlane * g.kernelVolume)
        Parallel.forEachChunk(count: planes, minimumChunk: Swift.max(1, 8192 / work)) { range in
            for plane in range {
                body(plane, input + plane * g.inputPlane, output + plane * g.outputPlane)
            }
        }
    }
}

extension Pool {
    /// `GlobalAveragePool`: `output[n, c] = mean(input[n, c, ...])` over `spatialCount` elements.
    public static func globalAverage(
        batch: Int, channels: Int, spatialCount: Int,
        input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>
    ) throws {
        try checkGlobal("GlobalAveragePool", batch, channels, spatialCount)
        Parallel.forEachChunk(count: batch * channels, minimumChunk: Swift.max(1, 8192 / spatialCount)) { range in
            for plane in range {
                let source = input + plane * spatialCount
                var sum: Double = 0
                for index in 0..<spatialCount { sum += Double(source[index]) }
                output[plane] = Float(sum / Double(spatialCount))
            }
        }
    }

    /// `GlobalMaxPool`: `output[n, c] = max(input[n, c, ...])` over `spatialCount` elements.
    public static func globalMax(
        batch: Int, channels: Int, spatialCount: Int,
        input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>
    ) throws {
        try checkGlobal("GlobalMaxPool", batch, channels, spatialCount)
        Parallel.forEachChunk(count: batch * channels, minimumChunk: Swift.max(1, 8192 / spatialCount)) { range in
            for plane in range {
                let source = input + plane * spatialCount
                var best = source[0]
                for index in 1..<spatialCount where source[index] > best { best = source[index] }
                output[plane] = best
            }
        }
    }

    private static func checkGlobal(_ kernel: String, _ batch: Int, _ channels: Int, _ spatial: Int) throws {
        for (field, value, minimum) in [("batch", batch, 0), ("channels", channels, 0),
                                        ("spatialCount", spatial, 1)] where value < minimum {
            throw KernelParameterError(kernel: kernel, field: field, message: "\(value) is below \(minimum)")
        }
    }
}

/// How `resized` computes each output sample.
public enum ResizeMethod: Sendable {
    /// Bilinear interpolation with half-pixel centers (output pixel `i` samples source
    /// coordinate `(i + 0.5) * in / out - 0.5`, clamped to the edge), like OpenCV's
    /// `INTER_LINEAR` and TensorFlow's `half_pixel_centers`. No antialiasing.
    case bilinear
    /// The average of the source area each output pixel covers, weighting partly covered source
    /// pixels by the covered fraction; like OpenCV's `INTER_AREA` when downscaling. Use it to
    /// shrink large scans (1024 -> 112) without aliasing.
    case area
}

extension Image {
    /// The image scaled to `width` x `height`.
    public func resized(width: Int, height: Int, method: ResizeMethod = .bilinear) throws -> Image {
        try Image.validate(width: width, height: height, channels: channels)
        if width == self.width, height == self.height { return self }
        let columns = ResampleTaps(from: self.width, to: width, method: method)
        let rows = ResampleTaps(from: self.height, to: height, method: method)
        return resample(rows: rows, columns: columns, width: width, height: height)
    }

    /// Separable resampling: for each output row, blend the contributing source rows into one
    /// row buffer (a contiguous, vectorizable loop), then apply the column taps to it.
    private func resample(rows: ResampleTaps, columns: ResampleTaps, width outWidth: Int, height outHeight: Int) -> Image {
        let channels = self.channels
        let rowLength = width * channels
        var output = [Float](repeating: 0, count: outWidth * outHeight * channels)
        var rowBuffer = [Float](repeating: 0, count: rowLength)
        pixels.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                rowBuffer.withUnsafeMutableBufferPointer { row in
                    for outY in 0..<outHeight {
                        for i in 0..<rowLength { row[i] = 0 }
                        for tap in rows.range(outY) {
                            let weight = rows.weights[tap]
                            let base = rows.indices[tap] * rowLength
                            for i in 0..<rowLength { row[i] += weight * source[base + i] }
                        }
                        var out = outY * outWidth * channels
                        for outX in 0..<outWidth {
                            let taps = columns.range(outX)
                            for c in 0..<channels {
                                var sum: Float = 0
                                for tap in taps { sum += columns.weights[tap] * row[columns.indices[tap] * channels + c] }
                                target[out + c] = sum
                            }
                            out += channels
                        }
                    }
                }
            }
        }
        return Image(unchecked: outWidth, height: outHeight, channels: channels, pixels: output)
    }
}

/// For each output index along one axis, the source indices that contribute and their weights
/// (summing to 1), stored flat: taps of output `i` are `starts[i]..<starts[i + 1]`.
struct ResampleTaps {
    var starts: [Int] = [0]
    var indices: [Int] = []
    var weights: [Float] = []

    func range(_ i: Int) -> Range<Int> { starts[i]..<starts[i + 1] }

    init(from inCount: Int, to outCount: Int, method: ResizeMethod) {
        let scale = Double(inCount) / Double(outCount)
        for i in 0..<outCount {
            switch method {
            case .bilinear:
                let position = min(max((Double(i) + 0.5) * scale - 0.5, 0), Double(inCount - 1))
                let lower = Int(position.rounded(.down))
                let fraction = position - Double(lower)
                append(lower, weight: 1 - fraction)
                if fraction > 0, lower + 1 < inCount { append(lower + 1, weight: fraction) }
            case .area:
                let begin = Double(i) * scale, end = Double(i + 1) * scale
                var k = Int(begin.rounded(.down))
                while k < inCount, Double(k) < end {
                    let covered = min(end, Double(k + 1)) - max(begin, Double(k))
                    if covered > 1e-12 { append(k, weight: covered / scale) }
                    k += 1
                }
            }
            starts.append(indices.count)
        }
    }

    private mutating func append(_ index: Int, weight: Double) {
        indices.append(index)
        weights.append(Float(weight))
    }
}

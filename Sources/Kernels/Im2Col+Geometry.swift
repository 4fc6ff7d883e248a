/// One spatial axis of a sliding window (convolution or pooling).
struct WindowAxis: Equatable {
    var input: Int
    var kernel: Int
    var stride: Int
    var dilation: Int
    var padBegin: Int
    var padEnd: Int
    var output: Int

    /// A trivial axis used to lift 1-D and 2-D problems to the canonical 3-D form.
    static let unit = WindowAxis(
        input: 1, kernel: 1, stride: 1, dilation: 1, padBegin: 0, padEnd: 0, output: 1)

    /// Input coordinate of tap `k` for output position `o` (may fall in the padding).
    @inline(__always)
    func coordinate(output o: Int, tap k: Int) -> Int {
        o * stride - padBegin + k * dilation
    }

    /// Taps `k` whose coordinate for output `o` lies inside the input.
    @inline(__always)
    func validTaps(at o: Int) -> Range<Int> {
        let start = o * stride - padBegin
        let lower = max(0, WindowAxis.ceilDiv(-start, dilation))
        let upper = min(kernel, WindowAxis.ceilDiv(input - start, dilation))
        return lower < upper ? lower..<upper : lower..<lower
    }

    /// Output positions `o` whose coordinate for tap `k` lies inside the input.
    @inline(__always)
    func validOutputs(forTap k: Int) -> Range<Int> {
        let offset = k * dilation - padBegin
        let lower = max(0, WindowAxis.ceilDiv(-offset, stride))
        let upper = min(output, WindowAxis.ceilDiv(input - offset, stride))
        return lower < upper ? lower..<upper : lower..<lower
    }

    /// Taps for output `o` that lie inside the padded extent `[-padBegin, input + padEnd)`;
    /// with ceil mode a window can reach past the end padding, and those taps do not count.
    @inline(__always)
    func paddedTapCount(at o: Int) -> Int {
        let start = o * stride - padBegin
        let upper = min(kernel, WindowAxis.ceilDiv(input + padEnd - start, dilation))
        return max(0, upper)
    }

    /// Floor division for a positive divisor (Swift's `/` truncates toward zero).
    @inline(__always)
    static func floorDiv(_ a: Int, _ b: Int) -> Int {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }

    /// Ceiling division for a positive divisor.
    @inline(__always)
    static func ceilDiv(_ a: Int, _ b: Int) -> Int {
        -floorDiv(-a, b)
    }
}

/// A 1-D, 2-D or 3-D window problem lifted to canonical 3-D (depth, height, width) by
/// prepending trivial axes, so one loop nest serves every rank.
struct WindowGeometry {
    var depth: WindowAxis
    var height: WindowAxis
    var width: WindowAxis

    /// Callers validate that every list has the same count, 1...3.
    init(inSpatial: [Int], kernel: [Int], strides: [Int], dilations: [Int],
         padsBegin: [Int], padsEnd: [Int], outSpatial: [Int]) {
        var axes = (0..<inSpatial.count).map { i in
            WindowAxis(input: inSpatial[i], kernel: kernel[i], stride: strides[i],
                       dilation: dilations[i], padBegin: padsBegin[i], padEnd: padsEnd[i],
                       output: outSpatial[i])
        }
        while axes.count < 3 { axes.insert(.unit, at: 0) }
        depth = axes[0]
        height = axes[1]
        width = axes[2]
    }

    var inputPlane: Int { depth.input * height.input * width.input }
    var outputPlane: Int { depth.output * height.output * width.output }
    var kernelVolume: Int { depth.kernel * height.kernel * width.kernel }
}

/// The per-group GEMM of a convolution, shared by the forward and both backward passes:
/// `[rows x depth] * [depth x positions]` with rows = Cout/G, depth = Cin/G * kernel
/// volume, positions = output cells of one image.
func groupGemmShape(_ params: ConvParams, _ geometry: WindowGeometry) -> (rows: Int, depth: Int, positions: Int) {
    (params.outChannels / params.group, params.inChannels / params.group * geometry.kernelVolume,
     geometry.outputPlane)
}

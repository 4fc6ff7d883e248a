/// Shape and attributes of an N-d pooling window (NCHW layout, 1...3 spatial dims).
///
/// Buffers: input `[batch, channels, inSpatial...]`, output (and MaxPool indices)
/// `[batch, channels, outSpatial...]`, row-major and contiguous.
public struct PoolParams: Equatable, Sendable {
    public var batch: Int
    public var channels: Int
    public var inSpatial: [Int]
    public var kernel: [Int]
    public var strides: [Int]
    public var dilations: [Int]
    /// Padding before each spatial dim (ONNX `pads[0..<rank]`).
    public var padsBegin: [Int]
    /// Padding after each spatial dim (ONNX `pads[rank...]`).
    public var padsEnd: [Int]
    public var outSpatial: [Int]
    /// AveragePool `count_include_pad`: divide by the taps inside the padded extent instead of
    /// the taps inside the input.
    public var countIncludePad: Bool

    public init(
        batch: Int, channels: Int, inSpatial: [Int], kernel: [Int], strides: [Int],
        dilations: [Int], padsBegin: [Int], padsEnd: [Int], outSpatial: [Int],
        countIncludePad: Bool = false
    ) {
        self.batch = batch
        self.channels = channels
        self.inSpatial = inSpatial
        self.kernel = kernel
        self.strides = strides
        self.dilations = dilations
        self.padsBegin = padsBegin
        self.padsEnd = padsEnd
        self.outSpatial = outSpatial
        self.countIncludePad = countIncludePad
    }

    /// Builds parameters with the ONNX output size for explicit pads. With `ceilMode` the size is
    /// rounded up, then reduced by one where the last window would start in the end padding.
    /// Missing strides / dilations default to 1 and missing pads to 0.
    public init(
        batch: Int, channels: Int, inSpatial: [Int], kernel: [Int], strides: [Int]? = nil,
        dilations: [Int]? = nil, padsBegin: [Int]? = nil, padsEnd: [Int]? = nil,
        ceilMode: Bool = false, countIncludePad: Bool = false
    ) {
        let rank = inSpatial.count
        let strides = strides ?? Array(repeating: 1, count: rank)
        let dilations = dilations ?? Array(repeating: 1, count: rank)
        let padsBegin = padsBegin ?? Array(repeating: 0, count: rank)
        let padsEnd = padsEnd ?? Array(repeating: 0, count: rank)
        var out: [Int] = []
        if [kernel.count, strides.count, dilations.count, padsBegin.count, padsEnd.count]
            .allSatisfy({ $0 == rank }) {
            out = (0..<rank).map { i in
                PoolParams.outputSize(
                    input: inSpatial[i], kernel: kernel[i], stride: strides[i],
                    dilation: dilations[i], padBegin: padsBegin[i], padEnd: padsEnd[i],
                    ceilMode: ceilMode)
            }
        }
        self.init(batch: batch, channels: channels, inSpatial: inSpatial, kernel: kernel,
                  strides: strides, dilations: dilations, padsBegin: padsBegin, padsEnd: padsEnd,
                  outSpatial: out, countIncludePad: countIncludePad)
    }

    /// ONNX pooling output size along one axis.
    public static func outputSize(
        input: Int, kernel: Int, stride: Int, dilation: Int, padBegin: Int, padEnd: Int,
        ceilMode: Bool
    ) -> Int {
        let stride = max(1, stride)
        let room = input + padBegin + padEnd - (dilation * (kernel - 1) + 1)
        guard ceilMode else { return WindowAxis.floorDiv(room, stride) + 1 }
        var size = WindowAxis.ceilDiv(room, stride) + 1
        if (size - 1) * stride >= input + padBegin { size -= 1 }
        return size
    }

    /// Number of spatial dimensions.
    public var rank: Int { inSpatial.count }

    /// Checks that every window overlaps the input; throws a `KernelParameterError` naming
    /// the first field at fault.
    public func validate(kernelName: String = "Pool") throws {
        func fail(_ field: String, _ message: String) -> KernelParameterError {
            KernelParameterError(kernel: kernelName, field: field, message: message)
        }
        guard (1...3).contains(rank) else {
            throw fail("inSpatial", "expected 1 to 3 spatial dims, got \(rank)")
        }
        let lists = [("kernel", kernel), ("strides", strides), ("dilations", dilations),
                     ("padsBegin", padsBegin), ("padsEnd", padsEnd), ("outSpatial", outSpatial)]
        for (name, list) in lists where list.count != rank {
            throw fail(name, "has \(list.count) entries for \(rank) spatial dims")
        }
        guard batch >= 0 else { throw fail("batch", "\(batch) is negative") }
        guard channels >= 0 else { throw fail("channels", "\(channels) is negative") }
        for (name, list, minimum) in [("inSpatial", inSpatial, 1), ("kernel", kernel, 1),
                                      ("strides", strides, 1), ("dilations", dilations, 1),
                                      ("padsBegin", padsBegin, 0), ("padsEnd", padsEnd, 0),
                                      ("outSpatial", outSpatial, 1)] {
            if let bad = list.first(where: { $0 < minimum }) {
                throw fail(name, "entry \(bad) is below \(minimum)")
            }
        }
        for axis in geometryAxes.indices {
            let window = geometryAxes[axis]
            for position in 0..<window.output where window.validTaps(at: position).isEmpty {
                throw fail("outSpatial", "window \(position) of dim \(axis) lies entirely in padding")
            }
        }
    }

    /// The spatial axes, in order.
    var geometryAxes: [WindowAxis] {
        (0..<rank).map { i in
            WindowAxis(input: inSpatial[i], kernel: kernel[i], stride: strides[i],
                       dilation: dilations[i], padBegin: padsBegin[i], padEnd: padsEnd[i],
                       output: outSpatial[i])
        }
    }

    var geometry: WindowGeometry {
        WindowGeometry(inSpatial: inSpatial, kernel: kernel, strides: strides,
                       dilations: dilations, padsBegin: padsBegin, padsEnd: padsEnd,
                       outSpatial: outSpatial)
    }
}

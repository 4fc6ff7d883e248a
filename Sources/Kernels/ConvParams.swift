/// An invalid argument given to a kernel: names the kernel and the field at fault.
public struct KernelParameterError: Error, Equatable, CustomStringConvertible {
    /// The kernel that rejected its arguments, e.g. "Conv".
    public let kernel: String
    /// The parameter at fault, e.g. "outSpatial".
    public let field: String
    /// What is wrong with it.
    public let message: String

    public init(kernel: String, field: String, message: String) {
        self.kernel = kernel
        self.field = field
        self.message = message
    }

    public var description: String { "\(kernel): invalid \(field): \(message)" }
}

/// Shape and attributes of an N-d convolution (NCHW layout, N-d spatial with 1...3 dims).
///
/// Buffers the kernel reads and writes (row-major, contiguous):
/// input `[batch, inChannels, inSpatial...]`, weight `[outChannels, inChannels / group, kernel...]`,
/// bias `[outChannels]`, output `[batch, outChannels, outSpatial...]`.
public struct ConvParams: Equatable, Sendable {
    public var batch: Int
    public var inChannels: Int
    public var outChannels: Int
    public var group: Int
    public var inSpatial: [Int]
    public var kernel: [Int]
    public var strides: [Int]
    public var dilations: [Int]
    /// Padding before each spatial dim (ONNX `pads[0..<rank]`).
    public var padsBegin: [Int]
    /// Padding after each spatial dim (ONNX `pads[rank...]`).
    public var padsEnd: [Int]
    public var outSpatial: [Int]

    public init(
        batch: Int, inChannels: Int, outChannels: Int, group: Int = 1,
        inSpatial: [Int], kernel: [Int], strides: [Int], dilations: [Int],
        padsBegin: [Int], padsEnd: [Int], outSpatial: [Int]
    ) {
        self.batch = batch
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.group = group
        self.inSpatial = inSpatial
        self.kernel = kernel
        self.strides = strides
        self.dilations = dilations
        self.padsBegin = padsBegin
        self.padsEnd = padsEnd
        self.outSpatial = outSpatial
    }

    /// Builds parameters with the output size ONNX defines for explicit pads
    /// (`floor((in + padBegin + padEnd - dilation * (kernel - 1) - 1) / stride) + 1`).
    /// Missing strides / dilations default to 1 and missing pads to 0.
    public init(
        batch: Int, inChannels: Int, outChannels: Int, group: Int = 1,
        inSpatial: [Int], kernel: [Int], strides: [Int]? = nil, dilations: [Int]? = nil,
        padsBegin: [Int]? = nil, padsEnd: [Int]? = nil
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
                let span = dilations[i] * (kernel[i] - 1) + 1
                let stride = max(1, strides[i])
                return WindowAxis.floorDiv(inSpatial[i] + padsBegin[i] + padsEnd[i] - span, stride) + 1
            }
        }
        self.init(
            batch: batch, inChannels: inChannels, outChannels: outChannels, group: group,
            inSpatial: inSpatial, kernel: kernel, strides: strides, dilations: dilations,
            padsBegin: padsBegin, padsEnd: padsEnd, outSpatial: out)
    }

    /// Number of spatial dimensions.
    public var rank: Int { inSpatial.count }
    /// Elements in one input image (`inChannels * prod(inSpatial)`).
    public var inputCountPerImage: Int { inChannels * inSpatial.reduce(1, *) }
    /// Elements in one output image (`outChannels * prod(outSpatial)`).
    public var outputCountPerImage: Int { outChannels * outSpatial.reduce(1, *) }
    /// Elements of the weight tensor.
    public var weightCount: Int { outChannels * (inChannels / max(group, 1)) * kernel.reduce(1, *) }

    /// Checks that the parameters describe a convolution the kernels can run; throws a
    /// `KernelParameterError` naming the first field at fault.
    public func validate() throws {
        func fail(_ field: String, _ message: String) -> KernelParameterError {
            KernelParameterError(kernel: "Conv", field: field, message: message)
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
        guard inChannels >= 1 else { throw fail("inChannels", "\(inChannels) < 1") }
        guard outChannels >= 1 else { throw fail("outChannels", "\(outChannels) < 1") }
        guard group >= 1 else { throw fail("group", "\(group) < 1") }
        guard inChannels % group == 0, outChannels % group == 0 else {
            throw fail("group", "\(group) does not divide inChannels \(inChannels) and outChannels \(outChannels)")
        }
        for (name, list, minimum) in [("inSpatial", inSpatial, 1), ("kernel", kernel, 1),
                                      ("strides", strides, 1), ("dilations", dilations, 1),
                                      ("padsBegin", padsBegin, 0), ("padsEnd", padsEnd, 0)] {
            if let bad = list.first(where: { $0 < minimum }) {
                throw fail(name, "entry \(bad) is below \(minimum)")
            }
        }
        for i in 0..<rank {
            let span = dilations[i] * (kernel[i] - 1) + 1
            let expected = WindowAxis.floorDiv(inSpatial[i] + padsBegin[i] + padsEnd[i] - span, strides[i]) + 1
            guard expected >= 1 else {
                throw fail("kernel", "dilated kernel \(span) exceeds padded input along dim \(i)")
            }
            guard outSpatial[i] == expected else {
                throw fail("outSpatial", "dim \(i) is \(outSpatial[i]), expected \(expected)")
            }
        }
    }
}

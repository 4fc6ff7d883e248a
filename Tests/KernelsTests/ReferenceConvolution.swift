import Testing
@testable import Kernels

// Naive double-precision convolutions from the ONNX definition, shared by the conv tests.

/// Direct double-precision convolution, written from the ONNX definition.
func referenceConvolution(
    _ p: ConvParams, input: [Float], weight: [Float], bias: [Float]?
) -> [Float] {
    let inCount = p.inSpatial.reduce(1, *)
    let outCount = p.outSpatial.reduce(1, *)
    let kernelCount = p.kernel.reduce(1, *)
    let inPerGroup = p.inChannels / p.group
    let outPerGroup = p.outChannels / p.group
    var output = [Float](repeating: 0, count: p.batch * p.outChannels * outCount)
    for n in 0..<p.batch {
        for oc in 0..<p.outChannels {
            let group = oc / outPerGroup
            for o in 0..<outCount {
                let outAt = KernelTestData.unravel(o, p.outSpatial)
                var sum = Double(bias?[oc] ?? 0)
                for ic in 0..<inPerGroup {
                    let channel = group * inPerGroup + ic
                    for t in 0..<kernelCount {
                        let tapAt = KernelTestData.unravel(t, p.kernel)
                        let inAt = p.inSpatial.indices.map { i in
                            outAt[i] * p.strides[i] - p.padsBegin[i] + tapAt[i] * p.dilations[i]
                        }
                        guard inAt.indices.allSatisfy({ inAt[$0] >= 0 && inAt[$0] < p.inSpatial[$0] }) else { continue }
                        let x = input[(n * p.inChannels + channel) * inCount + KernelTestData.rowMajor(inAt, p.inSpatial)]
                        let w = weight[(oc * inPerGroup + ic) * kernelCount + t]
                        sum += Double(x) * Double(w)
                    }
                }
                output[(n * p.outChannels + oc) * outCount + o] = Float(sum)
            }
        }
    }
    return output
}

/// `referenceConvolution` followed by the fused epilogue `act(conv + bias + residual)`.
func referenceFusedConvolution(
    _ p: ConvParams, input: [Float], weight: [Float], bias: [Float]?, residual: [Float]?,
    activation: FusedActivation
) -> [Float] {
    let conv = referenceConvolution(p, input: input, weight: weight, bias: bias)
    return conv.indices.map { i in activation.apply(Float(Double(conv[i]) + Double(residual?[i] ?? 0))) }
}

/// Worst `|actual - reference|` relative to the largest reference magnitude (at least 1);
/// infinity when any result is NaN.
func worstScaledError(_ actual: [Float], _ reference: [Float]) -> Double {
    let scale = max(1, reference.map { abs(Double($0)) }.max() ?? 0)
    var worst = 0.0
    for (a, e) in zip(actual, reference) {
        let error = abs(Double(a) - Double(e)) / scale
        if error.isNaN { return .infinity }
        worst = max(worst, error)
    }
    return worst
}

import Testing
@testable import Kernels

@Suite("BatchNorm")
struct BatchNormTests {
    // x is [batch 2, channels 2, spatial 3].
    let x: [Float] = [1, 2, 3, -1, 0, 4, 5, -2, 0.5, 2, 2, -3]
    let scale: [Float] = [1.5, -0.5]
    let bias: [Float] = [0.25, 1]
    let mean: [Float] = [0.5, -1]
    let variance: [Float] = [2, 0.5]

    @Test("inference normalizes with the given statistics")
    func inference() throws {
        let epsilon: Float = 1e-3
        var y = [Float](repeating: .nan, count: x.count)
        try y.withUnsafeMutableBufferPointer { out in
            try BatchNorm.inference(x: x, scale: scale, bias: bias, mean: mean, variance: variance,
                                    epsilon: epsilon, batch: 2, channels: 2, spatial: 3, y: out.baseAddress!)
        }
        let expected = x.indices.map { index -> Float in
            let c = (index / 3) % 2
            let normalized = (Double(x[index]) - Double(mean[c])) / (Double(variance[c]) + Double(epsilon)).squareRoot()
            return Float(Double(scale[c]) * normalized + Double(bias[c]))
        }
        #expect(KernelTestData.worstRelativeError(y, expected) < KernelTestData.tolerance)
    }

    /// Expected values from the ONNX reference evaluator and onnxruntime (opset 15,
    /// training_mode=1, momentum 0.8, epsilon 1e-3): the running variance mixes in the
    /// population (not the unbiased) batch variance.
    @Test("training mode matches ONNX opset 15 (onnxruntime and the reference evaluator)")
    func training() throws {
        var y = [Float](repeating: .nan, count: x.count)
        var runningMean = [Float](repeating: .nan, count: 2)
        var runningVariance = runningMean
        var savedMean = runningMean
        var savedInvStd = runningMean
        try y.withUnsafeMutableBufferPointer { out in
            try BatchNorm.training(
                x: x, scale: scale, bias: bias, runningMean: mean, runningVariance: variance,
                epsilon: 1e-3, momentum: 0.8, batch: 2, channels: 2, spatial: 3,
                y: out.baseAddress!, runningMeanOut: &runningMean, runningVarianceOut: &runningVariance,
                savedMean: &savedMean, savedInvStd: &savedInvStd)
        }
        let expectedY: [Float] = [-0.15350491, 0.53821772, 1.22994041, 1.36462760, 1.14585102, 0.27074486,
                                  2.61338568, -2.22867274, -0.49936616, 0.70829797, 0.70829797, 1.80218077]
        #expect(KernelTestData.worstRelativeError(y, expectedY) < KernelTestData.tolerance)
        #expect(KernelTestData.worstRelativeError(runningMean, [0.71666670, -0.66666669]) < KernelTestData.tolerance)
        #expect(KernelTestData.worstRelativeError(runningVariance, [2.54027772, 1.44444430]) < KernelTestData.tolerance)
        // Batch statistics of channel 0: values 1, 2, 3, 5, -2, 0.5.
        let batchMean = 9.5 / 6.0
        let batchVariance = [1, 2, 3, 5, -2, 0.5].map { ($0 - batchMean) * ($0 - batchMean) }.reduce(0, +) / 6
        #expect(abs(Double(savedMean[0]) - batchMean) < 1e-6)
        #expect(abs(Double(savedInvStd[0]) - 1 / (batchVariance + 1e-3).squareRoot()) < 1e-5)
    }

    @Test("training mode updates running statistics in place when outputs alias inputs")
    func trainingInPlace() throws {
        var y = [Float](repeating: .nan, count: x.count)
        var runningMean = mean
        var runningVariance = variance
        try y.withUnsafeMutableBufferPointer { out in
            try runningMean.withUnsafeMutableBufferPointer { m in
                try runningVariance.withUnsafeMutableBufferPointer { v in
                    try BatchNorm.training(
                        x: x, scale: scale, bias: bias, runningMean: m.baseAddress!, runningVariance: v.baseAddress!,
                        epsilon: 1e-3, momentum: 0.8, batch: 2, channels: 2, spatial: 3, y: out.baseAddress!,
                        runningMeanOut: m.baseAddress!, runningVarianceOut: v.baseAddress!)
                }
            }
        }
        #expect(KernelTestData.worstRelativeError(runningMean, [0.71666670, -0.66666669]) < KernelTestData.tolerance)
        #expect(KernelTestData.worstRelativeError(runningVariance, [2.54027772, 1.44444430]) < KernelTestData.tolerance)
    }

    @Test("negative sizes are rejected")
    func rejectsNegativeSizes() {
        var y: [Float] = [0]
        #expect { 
            try BatchNorm.inference(x: x, scale: scale, bias: bias, mean: mean, variance: variance, epsilon: 1e-5,
                                    batch: 1, channels: -2, spatial: 1, y: &y)
        } throws: { ($0 as? KernelParameterError)?.field == "channels" }
    }
}

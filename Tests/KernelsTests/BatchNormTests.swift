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

    @Test("training on planes large enough to be split across threads matches a double reference")
    func trainingParallel() throws {
        let (batch, channels, spatial) = (2, 40, 1024)
        let input = KernelTestData.random(batch * channels * spatial, seed: 41)
        let gamma = KernelTestData.random(channels, seed: 42)
        let beta = KernelTestData.random(channels, seed: 43)
        let zeros = [Float](repeating: 0, count: channels)
        let ones = [Float](repeating: 1, count: channels)
        var y = [Float](repeating: .nan, count: input.count)
        var runningMean = zeros
        var runningVariance = zeros
        try y.withUnsafeMutableBufferPointer { out in
            try BatchNorm.training(
                x: input, scale: gamma, bias: beta, runningMean: zeros, runningVariance: ones,
                epsilon: 1e-5, momentum: 0.9, batch: batch, channels: channels, spatial: spatial,
                y: out.baseAddress!, runningMeanOut: &runningMean, runningVarianceOut: &runningVariance)
        }
        var expectedY = [Float](repeating: 0, count: input.count)
        var expectedMean = zeros
        var expectedVariance = zeros
        for c in 0..<channels {
            let values = (0..<batch).flatMap { n in (0..<spatial).map { Double(input[(n * channels + c) * spatial + $0]) } }
            let mean = values.reduce(0, +) / Double(values.count)
            let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count)
            expectedMean[c] = Float(0.1 * mean)
            expectedVariance[c] = Float(0.9 + 0.1 * variance)
            for n in 0..<batch {
                for i in 0..<spatial {
                    let index = (n * channels + c) * spatial + i
                    let normalized = (Double(input[index]) - mean) / (variance + 1e-5).squareRoot()
                    expectedY[index] = Float(Double(gamma[c]) * normalized + Double(beta[c]))
                }
            }
        }
        #expect(KernelTestData.worstRelativeError(y, expectedY) < KernelTestData.tolerance)
        #expect(KernelTestData.worstRelativeError(runningMean, expectedMean) < KernelTestData.tolerance)
        #expect(KernelTestData.worstRelativeError(runningVariance, expectedVariance) < KernelTestData.tolerance)
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

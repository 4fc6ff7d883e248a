import Testing
import GraphIR
@testable import Models

/// The small test nets: layer vocabulary, seeded weights, initializer bounds.
struct TinyNetTests {
    @Test func tinyCNNLayers() throws {
        let g = try TinyNets.tinyCNN()
        let layers = g.kerasLayers
        #expect(layers.map(\.name) == ["input_1", "conv1_conv", "conv1_bn", "conv1_relu", "pool1_pool",
                                       "conv2_conv", "conv2_bn", "conv2_relu", "avg_pool", "predictions"])
        #expect(layers.map(\.kind) == [.input, .conv2D, .batchNormalization, .activation, .maxPooling2D,
                                       .conv2D, .batchNormalization, .activation, .globalAveragePooling2D, .dense])
        #expect(shape(g, "conv2_relu") == nchw(16, 16, 16))
        // conv1 3*3*3*8 + 8 = 224, conv2 3*3*8*16 + 16 = 1,168, BN 4*8 + 4*16 = 96, dense 16*2 + 2 = 34.
        #expect(g.parameterCounts == (trainable: 224 + 1_168 + 48 + 34, frozen: 48))
    }

    @Test func tinyResNetHasOneProjectionBlock() throws {
        let g = try TinyNets.tinyResNet(inputSize: 16)
        #expect(shape(g, "conv2_block1_out") == nchw(16, 8, 8))
        #expect(g.kerasLayers.filter { $0.name.hasPrefix("conv2_block1_") }.count == 12)
    }

    @Test func seededWeightsAreDeterministicPerSeed() throws {
        let a = try TinyNets.tinyCNN(weights: .seeded(1))
        let b = try TinyNets.tinyCNN(weights: .seeded(1))
        let c = try TinyNets.tinyCNN(weights: .seeded(2))
        let kernel = "conv2_conv/kernel"
        let wa = try #require(a.value(named: kernel).flatMap { a[$0].data })
        let wb = try #require(b.value(named: kernel).flatMap { b[$0].data })
        let wc = try #require(c.value(named: kernel).flatMap { c[$0].data })
        #expect(wa.rawBytes == wb.rawBytes)
        #expect(wa.rawBytes != wc.rawBytes)
        #expect(a == b)
        // Every parameter has data with its declared shape; structure-only graphs have none.
        #expect(a.parameters.allSatisfy { a[$0].data?.shape == a[$0].type.shape.staticDims })
        let bare = try TinyNets.tinyCNN()
        #expect(bare.parameters.allSatisfy { bare[$0].data == nil })
    }

    @Test func kerasDefaultInitializers() throws {
        let g = try TinyNets.tinyCNN(weights: .seeded(3))
        // glorot_uniform: limit sqrt(6 / (fan_in + fan_out)); conv1 kernel [8, 3, 3, 3]
        // has fan_in 27 and fan_out 72; the dense kernel [16, 2] has 16 and 2.
        for (name, fanIn, fanOut) in [("conv1_conv/kernel", 27, 72), ("predictions/kernel", 16, 2)] {
            let w = try #require(floats(g, name))
            let limit = (6 / Float(fanIn + fanOut)).squareRoot()
            #expect(w.allSatisfy { abs($0) <= limit }, "\(name) exceeds \(limit)")
            #expect(w.map(abs).max()! > 0.5 * limit, "\(name) does not spread over its range")
        }
        #expect(floats(g, "conv1_conv/bias") == Array(repeating: 0, count: 8))
        #expect(floats(g, "conv1_bn/gamma") == Array(repeating: 1, count: 8))
        #expect(floats(g, "conv1_bn/beta") == Array(repeating: 0, count: 8))
        #expect(floats(g, "conv1_bn/moving_mean") == Array(repeating: 0, count: 8))
        #expect(floats(g, "conv1_bn/moving_variance") == Array(repeating: 1, count: 8))
    }
}

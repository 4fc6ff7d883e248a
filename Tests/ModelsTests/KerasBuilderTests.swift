import Testing
import GraphIR
@testable import Models

/// The layer vocabulary: names, parameter layout and the value that carries each layer name.
struct KerasBuilderTests {
    @Test func batchNormalizationHasKerasWeightsAndFrozenMovingStatistics() throws {
        var k = KerasBuilder(name: "t")
        let x = try k.input(size: 4, batch: 1)
        _ = try k.batchNormalization(x, epsilon: 1.001e-5, name: "bn")
        let g = k.graph
        let names = g.parameters.map { g[$0].name }
        #expect(names == ["bn/gamma", "bn/beta", "bn/moving_mean", "bn/moving_variance"])
        #expect(g.parameters.map { g[$0].trainable } == [true, true, false, false])
        let node = try #require(g.node(named: "bn"))
        #expect(g[node].attributes.float("epsilon") == 1.001e-5)
        #expect(g.parameterCounts == (trainable: 6, frozen: 6))
    }

    @Test func convWithActivationNamesTheActivationAfterTheLayer() throws {
        var k = KerasBuilder(name: "t")
        let x = try k.input(size: 8, batch: 1)
        let y = try k.conv2D(x, filters: 5, kernel: 3, padding: .same, activation: .relu, name: "block1_conv1")
        let g = k.graph
        #expect(g[y].name == "block1_conv1")
        #expect(g.nodes.map(\.name) == ["block1_conv1/conv", "block1_conv1"])
        #expect(g.nodes.map(\.op) == [.conv, .relu])
        #expect(shape(g, "block1_conv1/kernel") == [5, 3, 3, 3])
        #expect(shape(g, "block1_conv1/bias") == [5])
    }

    @Test func relu6IsClipWithConstantBounds() throws {
        var k = KerasBuilder(name: "t")
        let x = try k.input(size: 4, batch: 1)
        let y = try k.activation(x, .relu6, name: "r")
        let g = k.graph
        let node = try #require(g.node(named: "r"))
        #expect(g[node].op == .clip)
        #expect(g[node].outputs == [y])
        let bounds = g[node].inputs.dropFirst().map { $0.flatMap { g[$0].data?.floatValues } }
        #expect(bounds == [[0], [6]])
    }

    @Test func globalAveragePoolingYieldsKerasShapeUnderTheLayerName() throws {
        var k = KerasBuilder(name: "t")
        let x = try k.input(size: 7, batch: .symbolic("N"))
        _ = try k.globalAveragePooling2D(x, name: "avg_pool")
        let g = k.graph
        #expect(shape(g, "avg_pool/pool") == nchw(3, 1, 1))
        #expect(shape(g, "avg_pool") == [.symbolic("N"), 3])
    }

    @Test func denseIsGemmOverAnInByOutKernelKeepingTheLogits() throws {
        var k = KerasBuilder(name: "t")
        let x = try k.input(size: 4, batch: 2)
        let f = try k.globalAveragePooling2D(x, name: "gap")
        let y = try k.dense(f, units: 2, activation: .softmax, name: "predictions")
        let g = k.graph
        #expect(g[y].name == "predictions")
        #expect(shape(g, "predictions/kernel") == [3, 2])
        let gemm = try #require(g.node(named: "predictions/logits"))
        #expect(g[gemm].op == .gemm && g[gemm].attributes.int("transB") == 0)
        #expect(shape(g, "predictions/logits") == [2, 2])
    }

    @Test func denseRejectsAFeatureMap() throws {
        var k = KerasBuilder(name: "t")
        let x = try k.input(size: 4, batch: 2)
        #expect(throws: ModelError.self) { try k.dense(x, units: 2, name: "fc") }
    }

    @Test func normalizationHasSevenNonTrainableWeightsForRGB() throws {
        var k = KerasBuilder(name: "t")
        let x = try k.input(size: 4, batch: 1)
        let y = try k.normalization(x)
        let g = k.graph
        #expect(g[y].name == "normalization" && g[y].type.shape == [1, 3, 4, 4])
        #expect(g.parameterCounts == (trainable: 0, frozen: 7))
        #expect(g.kerasLayers.last?.kind == .normalization)
    }

    @Test func depthwiseKernelUsesKerasFans() throws {
        // Keras's depthwise kernel is (3, 3, C, 1): fan_in = 9 * C. With fan_in mode and
        // uniform draws the limit is sqrt(3 / fan_in); OIHW's default fans would give
        // fan_in = 9 and a limit about 4x larger.
        var k = KerasBuilder(name: "t", weights: .seeded(7))
        let x = try k.input(channels: 16, size: 6, batch: 1)
        let y = try k.depthwiseConv2D(x, kernel: 3, padding: .same, useBias: false,
                                      depthwiseInitializer: .varianceScaling(scale: 1, mode: .fanIn, distribution: .uniform),
                                      name: "dw")
        #expect(k.shape(of: y) == [1, 16, 6, 6])
        let node = try #require(k.graph.node(named: "dw"))
        #expect(k.graph[node].attributes.int("group") == 16)
        let w = try #require(floats(k.graph, "dw/depthwise_kernel"))
        let limit = (3.0 / Float(9 * 16)).squareRoot()
        #expect(w.count == 144)
        #expect(w.allSatisfy { abs($0) <= limit })
        #expect(w.map(abs).max()! > 0.8 * limit)
    }

    @Test func shapeErrorsNameTheLayer() throws {
        var k = KerasBuilder(name: "t")
        let a = try k.input(size: 4, batch: 1)
        let b = try k.conv2D(a, filters: 5, kernel: 1, name: "c")
        #expect(throws: ModelError(layer: "bad_add", message: "shapes [1,3,4,4] and [1,5,4,4] cannot be broadcast (axis 1: 3 vs 5)")) {
            try k.add(a, b, name: "bad_add")
        }
    }

    @Test func efficientNetConvInitializerIsTruncatedFanOutNormal() throws {
        // VarianceScaling(2, fan_out, truncated_normal): stddev sqrt(2 / fan_out) / 0.8796,
        // cut at two standard deviations. A 1x1 conv to 64 filters has fan_out 64.
        var k = KerasBuilder(name: "t", weights: .seeded(11))
        let x = try k.input(channels: 32, size: 2, batch: 1)
        _ = try k.conv2D(x, filters: 64, kernel: 1, useBias: false,
                         kernelInitializer: EfficientNet.convKernelInitializer, name: "c")
        let w = try #require(floats(k.graph, "c/kernel"))
        let target: Float = (2.0 / 64.0).squareRoot()
        let std = target / 0.87962566
        #expect(w.allSatisfy { abs($0) <= 2 * std })
        let sampleStd = (w.map { $0 * $0 }.reduce(0, +) / Float(w.count)).squareRoot()
        // 2,048 draws: the sample deviation is within a few percent of sqrt(2 / 64).
        #expect(abs(sampleStd - target) < 0.1 * target)
    }
}

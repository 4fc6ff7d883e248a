import Testing
import GraphIR
@testable import Models

/// ResNet50's Keras structure, and the modified ResNet50 of the reference study.
struct ResNet50Tests {
    @Test func hasTheKerasLayersInKerasOrder() throws {
        let layers = try ResNet.resnet50(inputSize: 64).kerasLayers
        // 174 layers from nodes plus the InputLayer.
        #expect(layers.count == 175)
        #expect(Array(layers.prefix(7).map(\.name)) == ["input_1", "conv1_pad", "conv1_conv", "conv1_bn", "conv1_relu",
                                                        "pool1_pad", "pool1_pool"])
        // Keras's model.layers sorts by depth: the shortcut conv follows the 2_relu.
        #expect(Array(layers[7..<19].map(\.name)) == [
            "conv2_block1_1_conv", "conv2_block1_1_bn", "conv2_block1_1_relu",
            "conv2_block1_2_conv", "conv2_block1_2_bn", "conv2_block1_2_relu",
            "conv2_block1_0_conv", "conv2_block1_3_conv", "conv2_block1_0_bn", "conv2_block1_3_bn",
            "conv2_block1_add", "conv2_block1_out"])
        #expect(Array(layers.suffix(10).map(\.name)) == [
            "conv5_block3_1_conv", "conv5_block3_1_bn", "conv5_block3_1_relu",
            "conv5_block3_2_conv", "conv5_block3_2_bn", "conv5_block3_2_relu",
            "conv5_block3_3_conv", "conv5_block3_3_bn", "conv5_block3_add", "conv5_block3_out"])
        #expect(layers.filter { $0.kind == .batchNormalization }.count == 53)
        #expect(layers.filter { $0.kind == .conv2D }.count == 53)
    }

    @Test(arguments: [(224, 7), (112, 4)])
    func featureMapShape(inputSize: Int, side: Int) throws {
        let g = try ResNet.resnet50(inputSize: inputSize)
        #expect(g[g.outputs[0]].name == "conv5_block3_out")
        #expect(shape(g, "conv5_block3_out") == nchw(2048, side, side))
    }

    @Test func stemShapesAt224() throws {
        let g = try ResNet.resnet50(inputSize: 224)
        #expect(shape(g, "conv1_pad") == nchw(3, 230, 230))
        #expect(shape(g, "conv1_conv") == nchw(64, 112, 112))
        #expect(shape(g, "pool1_pool") == nchw(64, 56, 56))
        #expect(shape(g, "conv2_block3_out") == nchw(256, 56, 56))
        #expect(shape(g, "conv3_block1_0_conv") == nchw(512, 28, 28))
        #expect(shape(g, "conv4_block6_out") == nchw(1024, 14, 14))
    }

    @Test func modifiedResNet50HasSoftmaxPredictionsAndAddressableLogits() throws {
        let g = try ResNet.modifiedResNet50(inputSize: 112)
        let out = g[g.outputs[0]]
        #expect(out.name == "predictions" && out.type.shape == [.symbolic("N"), 2])
        #expect(shape(g, "avg_pool") == [.symbolic("N"), 2048])
        #expect(shape(g, "predictions/logits") == [.symbolic("N"), 2])
        let softmax = try #require(g.node(named: "predictions"))
        #expect(g[softmax].op == .softmax)
        let layers = g.kerasLayers
        #expect(layers.count == 177)
        #expect(Array(layers.suffix(2).map(\.kind)) == [.globalAveragePooling2D, .dense])
    }

    @Test func studyRecipeTrainsLastTenLayersAllBatchNormAndHead() throws {
        let g = try ResNet.modifiedResNet50(inputSize: 64)
            .settingTrainable(lastLayers: 10, plusBatchNorm: true, backboneOutput: "conv5_block3_out")
        // By hand, Keras counts:
        //   last ten layers' convolutions (kernel + bias):
        //     conv5_block3_1_conv 2048*512 + 512     = 1,049,088
        //     conv5_block3_2_conv 3*3*512*512 + 512  = 2,359,808
        //     conv5_block3_3_conv 512*2048 + 2048    = 1,050,624
        //   gamma + beta of all 53 BN layers (the same size as the moving
        //   statistics, Keras's 53,120 non-trainable)  =    53,120
        //   head: predictions 2048*2 + 2              =     4,098
        //   trainable                                  = 4,516,738
        //   non-trainable = 23,587,712 + 4,098 - 4,516,738 = 19,075,072
        #expect(g.parameterCounts == (trainable: 4_516_738, frozen: 19_075_072))
        // Moving statistics stay frozen; the last block's kernel and an early BN's gamma train.
        for name in ["conv1_bn/moving_mean", "conv5_block3_3_bn/moving_variance", "conv5_block3_1_bn/moving_mean"] {
            #expect(g[try #require(g.value(named: name))].trainable == false)
        }
        for name in ["conv5_block3_1_conv/kernel", "conv1_bn/gamma", "predictions/bias"] {
            #expect(g[try #require(g.value(named: name))].trainable == true)
        }
        #expect(g[try #require(g.value(named: "conv5_block2_3_conv/kernel"))].trainable == false)
    }

    @Test func headOnlyAndAllRecipes() throws {
        let base = try ResNet.modifiedResNet50(inputSize: 64)
        let head = try base.settingOnlyHeadTrainable(backboneOutput: "conv5_block3_out")
        #expect(head.parameterCounts == (trainable: 4_098, frozen: 23_587_712))
        // Back to Keras's defaults: only the 53,120 moving statistics are frozen.
        let all = try head.settingTrainable(.all, backboneOutput: "conv5_block3_out")
        #expect(all.parameterCounts == (trainable: 23_591_810 - 53_120, frozen: 53_120))
        #expect(all == base)
    }

    @Test func recipeNeedsAnExistingBackboneLayer() throws {
        let g = try TinyNets.tinyResNet()
        #expect(throws: ModelError.self) { try g.settingOnlyHeadTrainable(backboneOutput: "conv5_block3_out") }
    }
}

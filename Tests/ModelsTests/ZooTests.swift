import Testing
import GraphIR
@testable import Models

/// The registry and properties every zoo graph must have.
struct ZooTests {
    @Test func registryListsEveryNetwork() {
        #expect(Zoo.names == ["resnet50", "resnet50-modified", "vgg16", "vgg19", "mobilenetv2",
                              "efficientnetb0", "efficientnetb7", "tiny-cnn", "tiny-resnet"])
        #expect(Zoo.entries.map(\.inputNormalization) == [.caffe, .caffe, .caffe, .caffe, .tf, .raw, .raw, .tf, .tf])
    }

    @Test func unknownNameIsAnErrorListingTheKnownOnes() {
        #expect(throws: ModelError.self) { try Zoo.build("resnet18") }
        do { _ = try Zoo.entry(named: "resnet18") } catch let e as ModelError {
            #expect(e.layer == "resnet18")
            #expect(e.message.contains("tiny-cnn"))
        } catch { Issue.record("unexpected error \(error)") }
    }

    @Test(arguments: Zoo.names)
    func graphIsWellFormed(name: String) throws {
        let entry = try Zoo.entry(named: name)
        let g = try entry.graph(inputSize: 64)
        #expect(duplicateNames(g).isEmpty)
        #expect(g.inputs.map { g[$0].name } == ["input_1"])
        #expect(g[g.inputs[0]].type == TensorType(.float32, nchw(3, 64, 64)))
        #expect(g.outputs.count == 1)
        // The feature layer exists and is a 4-D feature map.
        let feature = try #require(g.value(named: entry.featureLayer))
        #expect(g[feature].type.shape.rank == 4)
        // Every Keras layer but the input is recognized as a Keras class.
        #expect(g.kerasLayers.filter { $0.kind == .other }.map(\.name) == [])
    }

    @Test func vggEndsWithBlock5Pool() throws {
        let g = try VGG.vgg19(inputSize: 224)
        #expect(g[g.outputs[0]].name == "block5_pool")
        #expect(shape(g, "block5_pool") == nchw(512, 7, 7))
        #expect(g.kerasLayers.count == 1 + 16 + 5)
        #expect(g.kerasLayers.filter { $0.kind == .conv2D }.last?.name == "block5_conv4")
    }

    @Test func mobileNetV2KeepsKerasNamesAndPads() throws {
        let g = try MobileNetV2.mobileNetV2(inputSize: 224)
        #expect(g[g.outputs[0]].name == "out_relu")
        #expect(shape(g, "out_relu") == nchw(1280, 7, 7))
        let names = g.kerasLayers.map(\.name)
        #expect(Array(names.prefix(8)) == ["input_1", "Conv1", "bn_Conv1", "Conv1_relu", "expanded_conv_depthwise",
                                           "expanded_conv_depthwise_BN", "expanded_conv_depthwise_relu",
                                           "expanded_conv_project"])
        #expect(names.filter { $0.hasSuffix("_pad") } == ["block_1_pad", "block_3_pad", "block_6_pad", "block_13_pad"])
        #expect(Array(names.suffix(3)) == ["Conv_1", "Conv_1_bn", "out_relu"])
        // Even 112 -> 56 before block_1: correct_pad gives ((0, 1), (0, 1)).
        #expect(shape(g, "block_1_pad") == nchw(96, 113, 113))
        // Keras MobileNetV2 (no top) has 154 layers including the input.
        #expect(g.kerasLayers.count == 154)
    }

    @Test func efficientNetB0StructureFollowsKeras() throws {
        let g = try EfficientNet.efficientNetB0(inputSize: 224)
        let layers = g.kerasLayers
        #expect(Array(layers.prefix(7).map(\.name)) == ["input_1", "rescaling", "normalization", "stem_conv_pad",
                                                        "stem_conv", "stem_bn", "stem_activation"])
        #expect(layers[1].kind == .rescaling && layers[2].kind == .normalization)
        #expect(shape(g, "top_activation") == nchw(1280, 7, 7))
        // 16 blocks: 1, 2, 2, 3, 3, 4, 1; the last is block7a.
        #expect(layers.contains { $0.name == "block6d_add" })
        #expect(!layers.contains { $0.name == "block6e_project_conv" })
        // The SE path of block1a: squeeze [N, 32], reshape back to [N, 32, 1, 1], reduce to 8.
        #expect(shape(g, "block1a_se_squeeze") == [.symbolic("N"), 32])
        #expect(shape(g, "block1a_se_reshape") == nchw(32, 1, 1))
        #expect(shape(g, "block1a_se_reduce") == nchw(8, 1, 1))
        #expect(layers.first { $0.name == "block1a_se_excite" }?.kind == .multiply)
        // Dropout precedes every residual add except none in block1a (no skip there).
        let drops = layers.filter { $0.kind == .dropout }.map(\.name)
        #expect(drops.first == "block2b_drop" && drops.count == layers.filter { $0.kind == .add }.count)
        // Counted from the Keras source (weights=None): input, rescaling, normalization,
        // 4 stem layers, 227 block layers (block1a 10; expanded blocks 13, +1 with a
        // stride-2 pad, +2 with drop and add), 3 top layers. ImageNet weights would add
        // one more Rescaling (238).
        #expect(layers.count == 237)
    }

    @Test func efficientNetB7TopActivationAt224() throws {
        let g = try EfficientNet.efficientNetB7(inputSize: 224)
        #expect(g[g.outputs[0]].name == "top_activation")
        #expect(shape(g, "top_activation") == nchw(2560, 7, 7))
        #expect(shape(g, "stem_conv") == nchw(64, 112, 112))
        // depth 3.1: block1 repeats ceil(3.1) = 4 -> block1a ... block1d.
        #expect(g.value(named: "block1d_add") != nil && g.value(named: "block1e_add") == nil)
        #expect(g.value(named: "block6m_add") != nil)
    }
}

@Suite("Trainable recipe spellings")
struct TrainableRecipeParsingTests {
    @Test func parsesCommandLineSpellings() {
        #expect(TrainableRecipe(parsing: "last10+bn") == .lastLayers(10, plusBatchNorm: true))
        #expect(TrainableRecipe(parsing: "last3") == .lastLayers(3, plusBatchNorm: false))
        #expect(TrainableRecipe(parsing: "head") == .headOnly)
        #expect(TrainableRecipe(parsing: "none") == .all)
        #expect(TrainableRecipe(parsing: "lastX") == nil)
        #expect(TrainableRecipe(parsing: "last-1") == nil)
        #expect(TrainableRecipe.paper == .lastLayers(10, plusBatchNorm: true))
    }
}

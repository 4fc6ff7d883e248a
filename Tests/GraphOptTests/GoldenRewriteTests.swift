import GraphIR
import Testing
@testable import GraphOpt

/// The optimized IR of small graphs, spelled out: what each rewrite produces and what
/// names survive.
@Suite("Rewrites: golden IR")
struct GoldenRewriteTests {
    @Test func convBatchNormReluBeforeOptimization() throws {
        let g = try OptTestGraphs.convBatchNormRelu()
        #expect(g.textDescription == """
            graph conv_bn_relu {
              input %image : f32[1,2,5,5]
              param %conv1_conv/kernel : f32[2,2,3,3] trainable
              param %conv1_conv/bias : f32[2] trainable
              %conv1_conv = Conv(%image, %conv1_conv/kernel, %conv1_conv/bias) {pads=[1,1,1,1]} : f32[1,2,5,5]
              param %conv1_bn/gamma : f32[2] trainable
              param %conv1_bn/beta : f32[2] trainable
              param %conv1_bn/moving_mean : f32[2] frozen
              param %conv1_bn/moving_variance : f32[2] frozen
              %conv1_bn = BatchNormalization(%conv1_conv, %conv1_bn/gamma, %conv1_bn/beta, %conv1_bn/moving_mean, %conv1_bn/moving_variance) {epsilon=0.001} : f32[1,2,5,5]
              %conv1_relu = Relu(%conv1_bn) : f32[1,2,5,5]
              output %conv1_relu
            }

            """)
    }

    @Test func foldBatchNormKeepsTheBatchNormValueName() throws {
        let g = try optimize(try OptTestGraphs.convBatchNormRelu(), passes: ["fold-batchnorm"])
        // The conv moved to the BN's place and produces %conv1_bn; the BN weights are gone.
        #expect(g.textDescription == """
            graph conv_bn_relu {
              input %image : f32[1,2,5,5]
              param %conv1_conv/kernel/bn_folded : f32[2,2,3,3] trainable
              param %conv1_conv/bias/bn_folded : f32[2] trainable
              %conv1_bn = Conv(%image, %conv1_conv/kernel/bn_folded, %conv1_conv/bias/bn_folded) {pads=[1,1,1,1]} : f32[1,2,5,5]
              %conv1_relu = Relu(%conv1_bn) : f32[1,2,5,5]
              output %conv1_relu
            }

            """)
    }

    @Test func convBatchNormReluBecomesOneFusedConv() throws {
        let (g, stats) = try optimize(try OptTestGraphs.convBatchNormRelu())
        #expect(g.textDescription == """
            graph conv_bn_relu {
              input %image : f32[1,2,5,5]
              param %conv1_conv/kernel/bn_folded : f32[2,2,3,3] trainable
              param %conv1_conv/bias/bn_folded : f32[2] trainable
              %conv1_relu = FusedConv(%image, %conv1_conv/kernel/bn_folded, %conv1_conv/bias/bn_folded) {activation="Relu", pads=[1,1,1,1]} : f32[1,2,5,5]
              output %conv1_relu
            }

            """)
        #expect(stats["fold-batchnorm"] == 1)
        #expect(stats["fuse-conv-activation"] == 1)
    }

    @Test func residualConvBatchNormAddReluBecomesOneFusedConvWithZ() throws {
        let (g, stats) = try optimize(try OptTestGraphs.residualBlock())
        #expect(g.textDescription == """
            graph residual {
              input %image : f32[1,3,4,4]
              param %block1_3_conv/kernel/bn_folded : f32[3,3,3,3] trainable
              param %block1_3_conv/bias/bn_folded : f32[3] trainable
              %block1_out = FusedConv(%image, %block1_3_conv/kernel/bn_folded, %block1_3_conv/bias/bn_folded, %image) {activation="Relu", pads=[1,1,1,1]} : f32[1,3,4,4]
              output %block1_out
            }

            """)
        #expect(stats["fuse-conv-add"] == 1)
        #expect(stats["fuse-conv-activation"] == 0)
    }

    @Test func pinnedBatchNormOutputStopsTheAddFusion() throws {
        // A Grad-CAM query on %block1_3_bn: BN still folds (the folded conv produces the
        // pinned value), but the Add may not absorb that conv.
        let (g, stats) = try optimize(try OptTestGraphs.residualBlock(), pinned: ["block1_3_bn"])
        #expect(g.textDescription == """
            graph residual {
              input %image : f32[1,3,4,4]
              param %block1_3_conv/kernel/bn_folded : f32[3,3,3,3] trainable
              param %block1_3_conv/bias/bn_folded : f32[3] trainable
              %block1_3_bn = Conv(%image, %block1_3_conv/kernel/bn_folded, %block1_3_conv/bias/bn_folded) {pads=[1,1,1,1]} : f32[1,3,4,4]
              %block1_add = Add(%image, %block1_3_bn) : f32[1,3,4,4]
              %block1_out = Relu(%block1_add) : f32[1,3,4,4]
              output %block1_out
            }

            """)
        #expect(stats["fuse-conv-add"] == 0)
    }

    @Test func pinnedConvOutputBlocksBatchNormFolding() throws {
        let (g, stats) = try optimize(try OptTestGraphs.convBatchNormRelu(), pinned: ["conv1_conv"])
        #expect(stats["fold-batchnorm"] == 0)
        #expect(count(.batchNormalization, in: g) == 1)
        #expect(g.value(named: "conv1_conv") != nil)
    }

    @Test func pinnedAddOutputKeepsTheReluSeparate() throws {
        let (g, _) = try optimize(try OptTestGraphs.residualBlock(), pinned: ["block1_add"])
        let text = g.textDescription
        #expect(text.contains("%block1_add = FusedConv(%image, %block1_3_conv/kernel/bn_folded, %block1_3_conv/bias/bn_folded, %image) {pads=[1,1,1,1]}"))
        #expect(text.contains("%block1_out = Relu(%block1_add)"))
    }
}

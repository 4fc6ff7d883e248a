import Testing
import GraphIR
@testable import Models

/// Parameter totals must equal Keras's `model.summary()` for `include_top=False`.
/// Counts do not depend on the input size, so small inputs keep the tests fast.
struct ParameterCountTests {
    // Non-trainable: BN moving statistics (and EfficientNet's 7 Normalization weights),
    // from Keras's summaries where known.
    @Test(arguments: [
        ("resnet50", 23_587_712, 53_120),
        ("vgg16", 14_714_688, 0),
        ("vgg19", 20_024_384, 0),
        ("mobilenetv2", 2_257_984, 34_112),
        ("efficientnetb0", 4_049_571, 42_023),
        ("efficientnetb7", 64_097_687, nil),
    ] as [(String, Int, Int?)])
    func totalsMatchKeras(name: String, total: Int, nonTrainable: Int?) throws {
        let g = try Zoo.build(name, inputSize: 64)
        let counts = g.parameterCounts
        #expect(counts.trainable + counts.frozen == total)
        if let nonTrainable { #expect(counts.frozen == nonTrainable) }
    }

    @Test func modifiedResNet50AddsTheDenseHead() throws {
        // avg_pool has no weights; predictions is 2048 * 2 + 2 = 4,098.
        let g = try Zoo.build("resnet50-modified", inputSize: 64)
        let counts = g.parameterCounts
        #expect(counts.trainable + counts.frozen == 23_587_712 + 4_098)
    }
}

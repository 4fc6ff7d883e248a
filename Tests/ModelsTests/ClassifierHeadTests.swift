import GraphIR
import Models
import Testing

@Suite struct ClassifierHeadTests {
    @Test func resnet50WithHeadMatchesTheModifiedResNet50() throws {
        let headed = try ResNet.resnet50(inputSize: 32).withClassifierHead(classes: 2, weights: .none)
        let modified = try ResNet.modifiedResNet50(inputSize: 32)
        #expect(headed.values.map(\.name) == modified.values.map(\.name))
        #expect(headed.values.map(\.type) == modified.values.map(\.type))
        #expect(headed.outputs.map { headed[$0].name } == ["predictions"])
    }

    @Test func aGraphWithScoresIsReturnedUnchanged() throws {
        let tiny = try TinyNets.tinyCNN(inputSize: 16)
        #expect(try tiny.withClassifierHead(classes: 2, weights: .none) == tiny)
    }

    @Test func seededHeadWeightsAreDrawn() throws {
        let headed = try VGG.vgg16(inputSize: 32).withClassifierHead(classes: 3, weights: .seeded(5))
        let kernel = try #require(headed.value(named: "predictions/kernel"))
        #expect(headed[kernel].type.shape == Shape([512, 3]))
        #expect(headed[kernel].data?.floatValues.contains { $0 != 0 } == true)
    }
}

import Evaluation
import GraphIR
import Models
import Testing

@Suite struct WeightTransferTests {
    @Test func sameNamesCopyEveryTensor() throws {
        let source = try TinyNets.tinyCNN(inputSize: 16, weights: .seeded(5))
        let target = try TinyNets.tinyCNN(inputSize: 16, weights: .seeded(0))
        let (filled, report) = WeightTransfer.transfer(from: source, onto: target)
        #expect(report.byName == source.parameters.count && report.byStructure == 0 && report.unmatched.isEmpty)
        #expect(filled == source)
    }

    @Test func renamedTensorsAreMatchedByShapeInGraphOrder() throws {
        var source = try TinyNets.tinyCNN(inputSize: 16, weights: .seeded(5))
        let expected = source
        for v in source.parameters { source[v].name = "exported/" + source[v].name + ":0" }
        let target = try TinyNets.tinyCNN(inputSize: 16, weights: .seeded(0))
        let (filled, report) = WeightTransfer.transfer(from: source, onto: target)
        #expect(report.byName == 0 && report.byStructure == target.parameters.count && report.unusedSource == 0)
        for v in target.parameters { #expect(filled[v].data == expected[v].data, "\(target[v].name)") }
    }

    @Test func aBackboneFileLeavesTheNewHeadSeededAndSaysSo() throws {
        let backbone = try VGG.vgg16(inputSize: 32, weights: .seeded(5))
        let target = try VGG.vgg16(inputSize: 32, weights: .seeded(0)).withClassifierHead(classes: 2, weights: .seeded(0))
        let (_, report) = WeightTransfer.transfer(from: backbone, onto: target)
        #expect(report.unmatched == ["predictions/kernel", "predictions/bias"])
        #expect(report.summary.contains("2 unmatched (predictions/kernel, predictions/bias)"))
    }
}

import GraphIR
import Testing
@testable import GradCAM

/// The gradient query: what it computes, what it leaves out, and how targets and classes
/// are chosen.
struct GradientQueryTests {
    /// For conv -> GAP -> dense, d logit_k / d A_c(i, j) = W[c, k] / (H W) at every
    /// position, so Grad-CAM's weights are W[c, k] / (H W) and the map is the closed-form
    /// CAM of Zhou et al.: ReLU(sum_c W[c, k] A_c), normalized by its max. (A map whose
    /// max is 0 must come back as `allZero`.)
    @Test func gradCAMEqualsClosedFormCAMForAGlobalAveragePoolHead() throws {
        let model = try TestNets.gapNet(classes: 3)
        let query = try GradientQuery(model: model, targets: ["features"], batch: 4)
        let kernel = try #require(model.value(named: "dense/kernel"))
        let w = try #require(model[kernel].data).floatValues  // [6, 3]
        var positiveMaps = 0
        for k in 0..<3 {
            let result = try query.run(TestNets.images(count: 4), classes: .given([k, k, k, k]))
            let target = try #require(result.target(named: "features"))
            #expect(target.shape == [4, 6, 8, 8])
            for i in 0..<4 {
                let cam = try GradCAM.map(target, image: i, method: .gradCAM)
                let activation = Array(target.image(i).activation)
                var closed = [Double](repeating: 0, count: 64)  // Double: no cancellation error of its own
                for c in 0..<6 { for p in 0..<64 { closed[p] += Double(w[c * 3 + k]) * Double(activation[c * 64 + p]) } }
                closed = closed.map { max($0, 0) }
                let top = closed.max() ?? 0
                #expect(cam.allZero == (top == 0), "image \(i), class \(k)")
                guard top > 0 else { continue }
                positiveMaps += 1
                // Grad-CAM's sum is the CAM / (H W); both are divided by their max + 1e-8.
                let reference = closed.map { ($0 / 64) / (top / 64 + 1e-8) }
                let maxError = zip(cam.values, reference).map { abs(Double($0) - $1) }.max() ?? 1
                #expect(maxError < 1e-5, "image \(i), class \(k): max |Grad-CAM - CAM| = \(maxError)")
            }
        }
        #expect(positiveMaps >= 6)
    }

    @Test func predictedClassesMatchTheArgmaxAndGiveThatClassGradient() throws {
        let model = try TestNets.gapNet(classes: 3, seed: 11)
        let query = try GradientQuery(model: model, targets: ["features"], batch: 4)
        let images = TestNets.images(count: 3, seed: 5)  // fewer than the batch: padded
        let predicted = try query.run(images, classes: .predicted)
        #expect(predicted.count == 3)
        for i in 0..<3 {
            let row = predicted.logits[(i * 3)..<(i * 3 + 3)]
            #expect(row[row.startIndex + predicted.predicted[i]] == row.max())
        }
        #expect(predicted.classes == predicted.predicted)
        let given = try query.run(images, classes: .given(predicted.predicted))
        #expect(given.targets[0].gradient == predicted.targets[0].gradient)
        let probabilities = try #require(predicted.probabilities)
        #expect(abs(probabilities[0..<3].reduce(0, +) - 1) < 1e-5)
    }

    /// The backward pass stops at the target: no gradient node for the layers before it,
    /// no weight gradients at all.
    @Test func backwardPassStopsAtTheTarget() throws {
        let query = try GradientQuery(model: try TestNets.gapNet(), targets: ["features"], batch: 2)
        let ops = query.graph.nodes.map(\.op)
        #expect(!ops.contains(.convGradInput) && !ops.contains(.convGradWeight))
        #expect(!ops.contains(.batchNormalizationGrad) && !ops.contains(.activationGrad))
        let earlier = try GradientQuery(model: try TestNets.gapNet(), targets: ["conv1_relu"], batch: 2)
        let earlierOps = earlier.graph.nodes.map(\.op)
        #expect(earlierOps.filter { $0 == .convGradInput }.count == 1)  // through conv2 only
        #expect(!earlierOps.contains(.convGradWeight))
        #expect(earlier.graph.nodes.filter { $0.op == .softmax }.count == 1)  // probabilities kept, not differentiated
    }

    @Test func probabilityScoresDifferFromLogitScores() throws {
        let model = try TestNets.gapNet()
        let images = TestNets.images(count: 2)
        let logits = try GradientQuery(model: model, targets: ["features"], batch: 2).run(images, classes: .given([0, 1]))
        let probs = try GradientQuery(model: model, targets: ["features"], batch: 2, options: .init(score: .probabilities))
            .run(images, classes: .given([0, 1]))
        #expect(probs.logits == logits.probabilities)
        #expect(probs.targets[0].gradient != logits.targets[0].gradient)
    }

    @Test func badClassesAndImagesAreErrors() throws {
        let query = try GradientQuery(model: try TestNets.gapNet(), targets: ["features"], batch: 2)
        #expect(throws: GradCAMError.self) { try query.run(TestNets.images(count: 2), classes: .given([0, 3])) }
        #expect(throws: GradCAMError.self) { try query.run(TestNets.images(count: 2), classes: .given([0])) }
        #expect(throws: GradCAMError.self) { try query.run(TestNets.images(count: 3)) }
    }
}

import Autodiff
import Foundation
import GraphIR
import Models
import Testing

/// Runs training steps of a `TrainingGraph` with the reference interpreter, applying
/// the state updates on the host as a runtime would.
struct ReferenceTrainer {
    var training: TrainingGraph
    var step = 0

    /// One step; returns the loss and every value of the run.
    mutating func run(_ feeds: [String: RefTensor]) throws -> (loss: Double, env: [RefTensor?]) {
        var all = feeds
        all["learning_rate"] = .scalar(Double(training.optimizer.learningRate.rate(atStep: step)))
        let env = try ReferenceInterpreter(graph: training.graph).run(feeds: all)
        for u in training.updates {
            let t = try #require(env[u.newValue.index])
            training.graph[u.state].data = training.graph[u.state].type.dtype == .int64
                ? Tensor(shape: t.shape, int64s: t.data.map { Int64($0) }) : Tensor(t)
        }
        step += 1
        return (try #require(env[training.loss.index]).data[0], env)
    }

    func data(_ name: String) throws -> [Double] {
        let v = try #require(training.graph.value(named: name))
        return try #require(training.graph[v].data).floatValues.map(Double.init)
    }
}

@Suite("Training graph")
struct TrainingGraphTests {
    /// logits = x @ w with x = [[1.5]] and two weights, one-hot label class 0.
    func twoParameterModel() throws -> (Graph, ValueID) {
        var t = OpGraph("two-params")
        let x = t.input("x", [1, 1])
        let w = t.parameter("w", [1, 2])
        t.graph[w].data = Tensor(shape: [1, 2], floats: [0.2, -0.3])
        let logits = try t.node(.matMul, "logits", [x, w])
        t.graph.outputs = [logits]
        return (t.graph, logits)
    }

    @Test("one Adam step equals the hand-computed Keras update (tol 1e-6)")
    func adamStepByHand() throws {
        let (model, logits) = try twoParameterModel()
        var trainer = ReferenceTrainer(training: try TrainingGraph.build(model: model, logits: logits, optimizer: .adam(learningRate: 0.1)))
        let feeds = ["x": RefTensor(shape: [1, 1], data: [1.5]), "labels": RefTensor(shape: [1, 2], data: [1, 0])]
        let (loss, _) = try trainer.run(feeds)
        // By hand: z = 1.5 * w = [0.3, -0.45]; p = softmax(z); dL/dz = p - y; dL/dw = 1.5 * (p - y).
        let w = [0.2, -0.3], z = w.map { 1.5 * $0 }
        let e = z.map { exp($0) }, p = e.map { $0 / e.reduce(0, +) }
        #expect(abs(loss - -log(p[0])) < 1e-6)
        let g = [1.5 * (p[0] - 1), 1.5 * p[1]]
        let (b1, b2, eps, lr) = (0.9, 0.999, 1e-7, 0.1)
        let m = g.map { (1 - b1) * $0 }, v = g.map { (1 - b2) * $0 * $0 }
        let lrT = lr * (1 - b2).squareRoot() / (1 - b1)
        let expected = (0..<2).map { w[$0] - lrT * m[$0] / (v[$0].squareRoot() + eps) }
        let updated = try trainer.data("w")
        for i in 0..<2 {
            #expect(abs(updated[i] - expected[i]) < 1e-6, "w[\(i)]: \(updated[i]) vs \(expected[i])")
            // The first Adam step moves each weight by about lr, against its gradient's sign.
            #expect(abs(abs(updated[i] - w[i]) - lr) < 1e-3)
        }
        #expect(try trainer.data("optimizer/w/m").enumerated().allSatisfy { abs($1 - m[$0]) < 1e-7 })
        #expect(try trainer.data("optimizer/iterations") == [1])
        #expect(abs(try trainer.data("optimizer/beta1_power")[0] - 0.9) < 1e-7)
    }

    @Test("SGD with momentum: velocity = 0.9 v - lr g; w += velocity, over two steps")
    func sgdMomentum() throws {
        let (model, logits) = try twoParameterModel()
        var trainer = ReferenceTrainer(training: try TrainingGraph.build(
            model: model, logits: logits, optimizer: .sgd(learningRate: 0.5, momentum: 0.9)))
        let feeds = ["x": RefTensor(shape: [1, 1], data: [1.5]), "labels": RefTensor(shape: [1, 2], data: [0, 1])]
        var w = [0.2, -0.3], velocity = [0.0, 0.0]
        for _ in 0..<2 {
            let e = w.map { exp(1.5 * $0) }, p = e.map { $0 / e.reduce(0, +) }
            let g = [1.5 * p[0], 1.5 * (p[1] - 1)]
            velocity = (0..<2).map { 0.9 * velocity[$0] - 0.5 * g[$0] }
            w = (0..<2).map { w[$0] + velocity[$0] }
            _ = try trainer.run(feeds)
        }
        let got = try trainer.data("w")
        #expect(zip(got, w).allSatisfy { abs($0 - $1) < 1e-6 }, "\(got) vs \(w)")
    }

    @Test("class weights scale each sample's cross-entropy (Keras class_weight, divided by N)")
    func classWeightedLoss() throws {
        let (model, logits) = try twoParameterModel()
        let training = try TrainingGraph.build(model: model, logits: logits, loss: .crossEntropy(classWeights: [1, 3]))
        let feeds = ["x": RefTensor(shape: [1, 1], data: [1.5]), "labels": RefTensor(shape: [1, 2], data: [0, 1]),
                     "learning_rate": .scalar(0.001)]
        let loss = try ReferenceInterpreter(graph: training.graph).value(training.loss, feeds: feeds).data[0]
        let e = [0.3, -0.45].map { exp($0) }
        #expect(abs(loss - 3 * -log(e[1] / (e[0] + e[1]))) < 1e-6)
    }

    @Test("a model ending in Softmax is trained from the Softmax's input (stable cross-entropy)")
    func softmaxOutputUsesLogits() throws {
        let model = try TinyNets.tinyCNN(inputSize: 8, batch: .known(2), weights: .seeded(3))
        let predictions = try #require(model.value(named: "predictions"))
        let training = try TrainingGraph.build(model: model, logits: predictions)
        #expect(training.graph[training.logits].name == "predictions/logits")
        let logSoftmax = try #require(training.graph.node(named: "loss/log_softmax"))
        #expect(training.graph[logSoftmax].inputs == [training.logits])
    }

    @Test("tiny-resnet: the loss falls over 20 Adam steps on a fixed batch; BN moving statistics follow Keras momentum")
    func lossDecreases() throws {
        let model = try TinyNets.tinyResNet(inputSize: 8, batch: .known(4), weights: .seeded(11))
        let logits = try #require(model.value(named: "predictions/logits"))
        var trainer = ReferenceTrainer(training: try TrainingGraph.build(model: model, logits: logits,
                                                                         optimizer: .adam(learningRate: 0.01)))
        var rng = TestRandom(5)
        let feeds = ["input_1": rng.tensor([4, 3, 8, 8]), "labels": RefTensor(shape: [4, 2], data: [1, 0, 0, 1, 0, 1, 1, 0])]
        let (first, env) = try trainer.run(feeds)
        // After one step: moving_mean = 0 * 0.99 + batch_mean * 0.01 for conv1_bn.
        let convID = try #require(model.value(named: "conv1_conv"))
        let conv = try #require(env[convID.index])
        let batchMean = ReferenceInterpreter(graph: model).channelMoments(conv).mean
        let moving = try trainer.data("conv1_bn/moving_mean")
        for c in 0..<8 { #expect(abs(moving[c] - 0.01 * batchMean[c]) < 1e-6) }
        var losses = [first]
        for _ in 1..<20 { losses.append(try trainer.run(feeds).loss) }
        #expect(losses.last! < 0.5 * losses.first!, "losses: \(losses)")
        #expect(zip(losses, losses.dropFirst()).filter { $1 > $0 }.count <= 3, "mostly decreasing: \(losses)")
    }

    @Test("frozen BN layers stay in inference mode and frozen parameters get no gradient or state")
    func frozenParameters() throws {
        let model = try TinyNets.tinyResNet(inputSize: 8, batch: .known(2), weights: .seeded(11))
        let logits = try #require(model.value(named: "predictions/logits"))
        let frozen = Set(["conv1_conv/kernel", "conv1_conv/bias", "conv1_bn/gamma", "conv1_bn/beta"])
        let trainable = Set(model.parameters.filter { model[$0].trainable && !frozen.contains(model[$0].name) })
        let training = try TrainingGraph.build(model: model, logits: logits, trainable: trainable)
        let g = training.graph
        let bn1ID = try #require(g.node(named: "conv1_bn")), bn2ID = try #require(g.node(named: "conv2_block1_1_bn"))
        let bn1 = g[bn1ID], bn2 = g[bn2ID]
        #expect(bn1.attributes.int("training_mode") == nil && bn1.outputs.count == 1)
        #expect(bn2.attributes.int("training_mode") == 1 && bn2.outputs.count == 3)
        for name in frozen {
            #expect(g.value(named: "grad/\(name)") == nil)
            #expect(g.value(named: "optimizer/\(name)/m") == nil)
            #expect(g.value(named: "\(name):updated") == nil)
        }
        // Nothing differentiates the frozen stem: no backward op reads conv1's nodes' gradients.
        #expect(!g.nodes.contains { $0.name.hasPrefix("grad/conv1_") })
        #expect(training.updates.count == 1 + 2 + 3 * trainable.count + 2 * 4)
    }

    @Test("learning-rate schedules: constant, step (staircase) and cosine decay")
    func schedules() {
        #expect(LearningRateSchedule.constant(0.1).rate(atStep: 50) == 0.1)
        let step = LearningRateSchedule.step(initial: 0.1, factor: 0.5, every: 10)
        #expect(step.rate(atStep: 9) == 0.1)
        #expect(abs(step.rate(atStep: 10) - 0.05) < 1e-7)
        #expect(abs(step.rate(atStep: 25) - 0.025) < 1e-7)
        let cosine = LearningRateSchedule.cosine(initial: 1, decaySteps: 100, alpha: 0.1)
        #expect(cosine.rate(atStep: 0) == 1)
        #expect(abs(cosine.rate(atStep: 50) - 0.55) < 1e-6)
        #expect(abs(cosine.rate(atStep: 100) - 0.1) < 1e-6)
        #expect(abs(cosine.rate(atStep: 500) - 0.1) < 1e-6)
    }
}

import Foundation
import GraphIR

/// The training loss.
public enum TrainingLoss: Sendable, Equatable {
    /// Keras `categorical_crossentropy` with `class_weight`, computed stably from logits.
    ///
    /// Labels are one-hot (or soft) `[N, K]` float rows, as Keras takes them. The loss is
    /// `-(1/N) * sum_n sum_k w_k * y_nk * log_softmax(z_n)_k` (w = 1 without weights).
    ///
    /// Keras semantics, and where this differs: Keras's CCE takes probabilities, clips
    /// them to [1e-7, 1 - 1e-7] and takes the log; we differentiate log-softmax of the
    /// logits instead (the same value away from the clip, without the clip's vanishing
    /// gradient). Keras turns `class_weight` into a per-sample weight `w[argmax(y_n)]` and
    /// divides the weighted sum by the batch size N (not by the sum of weights, unlike
    /// ONNX SoftmaxCrossEntropyLoss's "mean"); for one-hot labels that equals the formula
    /// above. For soft labels Keras would weight the whole row by `w[argmax]`.
    case crossEntropy(classWeights: [Float]? = nil)
}

/// A learning rate as a function of the step (0-based count of updates done so far),
/// computed on the host and fed to the graph as the `learning_rate` input.
public enum LearningRateSchedule: Sendable, Equatable, ExpressibleByFloatLiteral {
    case constant(Float)
    /// `initial * factor^(step / every)` (integer division): Keras `ExponentialDecay`
    /// with `staircase=True`.
    case step(initial: Float, factor: Float, every: Int)
    /// Keras `CosineDecay`: `initial * ((1 - alpha) * 0.5 * (1 + cos(pi * min(step, decaySteps) / decaySteps)) + alpha)`.
    case cosine(initial: Float, decaySteps: Int, alpha: Float = 0)

    public init(floatLiteral value: Float) { self = .constant(value) }

    /// The learning rate for the update that follows `step` completed updates.
    public func rate(atStep step: Int) -> Float {
        switch self {
        case .constant(let lr):
            return lr
        case .step(let initial, let factor, let every):
            return initial * pow(factor, Float(max(0, step) / max(1, every)))
        case .cosine(let initial, let decaySteps, let alpha):
            let t = Double(min(max(0, step), max(1, decaySteps))) / Double(max(1, decaySteps))
            let cosine = 0.5 * (1 + cos(Double.pi * t))
            return initial * Float((1 - Double(alpha)) * cosine + Double(alpha))
        }
    }
}

/// The parameter update rule, with Keras's defaults and update formulas.
public enum Optimizer: Sendable, Equatable {
    /// Keras Adam: `m = b1 m + (1 - b1) g`, `v = b2 v + (1 - b2) g^2`,
    /// `p -= lr * sqrt(1 - b2^t) / (1 - b1^t) * m / (sqrt(v) + epsilon)` with t the
    /// 1-based step. Epsilon is added to sqrt(v), as Keras does (not to the bias-corrected v).
    case adam(learningRate: LearningRateSchedule = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-7)
    /// Keras SGD: `velocity = momentum * velocity - lr * g; p += velocity` (without
    /// momentum: `p -= lr * g`, and no velocity state).
    case sgd(learningRate: LearningRateSchedule = 0.01, momentum: Float = 0)

    /// The schedule the host evaluates to feed `learning_rate`.
    public var learningRate: LearningRateSchedule {
        switch self {
        case .adam(let lr, _, _, _): return lr
        case .sgd(let lr, _): return lr
        }
    }
}

/// How channel weights are computed from the gradients.
public enum CAMMethod: String, Sendable, CaseIterable {
    /// Grad-CAM (Selvaraju et al.): w_c = mean over positions of dScore/dA_c.
    case gradCAM = "gradcam"
    /// Grad-CAM++ (Chattopadhay et al.): w_c = sum_ij alpha_ij^c ReLU(g_ij^c) with
    /// alpha = g^2 / (2 g^2 + sum_ab A_ab^c g^3), from the exp(score) trick: for
    /// Y = exp(S) and a piecewise-linear network the 2nd and 3rd derivatives of Y are
    /// exp(S) g^2 and exp(S) g^3, the exp(S) cancels in alpha and leaves a positive
    /// per-image factor on w that the normalization removes (pytorch-grad-cam drops it
    /// the same way). alpha is 0 where g is 0.
    case gradCAMPlusPlus = "gradcam++"
}

/// A class-activation map at feature-map resolution: `ReLU(sum_c w_c A_c)` divided by
/// its maximum (plus 1e-8), so values lie in [0, 1].
public struct ClassActivationMap: Sendable, Equatable {
    public var width: Int
    public var height: Int
    /// `height * width` values in [0, 1], row-major.
    public var values: [Float]
    /// True when the map is 0 everywhere (no positive evidence): values are all 0, not NaN.
    public var allZero: Bool
    /// The channel weights w_c that produced it.
    public var weights: [Float]

    public init(width: Int, height: Int, values: [Float], allZero: Bool, weights: [Float] = []) {
        self.width = width
        self.height = height
        self.values = values
        self.allZero = allZero
        self.weights = weights
    }

    /// Row and column of the largest value (the first in row-major order on ties).
    public var peak: (x: Int, y: Int) {
        var best = 0
        for i in values.indices where values[i] > values[best] { best = i }
        return (best % max(width, 1), best / max(width, 1))
    }
}

/// Grad-CAM and Grad-CAM++ from activations and gradients.
public enum GradCAM {
    /// Normalization epsilon: `map / (max + epsilon)`.
    public static let epsilon: Float = 1e-8

    /// The map of image `i` of a query target (`[N, C, H, W]`).
    public static func map(_ target: TargetValues, image i: Int, method: CAMMethod = .gradCAM) throws -> ClassActivationMap {
        guard target.shape.count == 4 else {
            throw GradCAMError(target.name, "a class-activation map needs a 4-D [N, C, H, W] target, found \(target.shape)")
        }
        guard i >= 0, i < target.shape[0] else { throw GradCAMError(target.name, "image \(i) is outside 0..<\(target.shape[0])") }
        let (a, g) = target.image(i)
        return try map(activation: Array(a), gradient: Array(g), channels: target.shape[1],
                       height: target.shape[2], width: target.shape[3], method: method)
    }

    /// The map of one image from its activation and gradient, both `[C, H, W]` row-major.
    public static func map(activation: [Float], gradient: [Float], channels: Int, height: Int, width: Int,
                           method: CAMMethod = .gradCAM) throws -> ClassActivationMap {
        let plane = height * width
        guard channels >= 1, plane >= 1, activation.count == channels * plane, gradient.count == activation.count else {
            throw GradCAMError("map", "activation (\(activation.count)) and gradient (\(gradient.count)) must both be \(channels)x\(height)x\(width)")
        }
        let weights = channelWeights(activation: activation, gradient: gradient, channels: channels, plane: plane, method: method)
        return combine(activation: activation, weights: weights, height: height, width: width)
    }

    /// Per-channel weights w_c (see `CAMMethod`).
    public static func channelWeights(activation: [Float], gradient: [Float], channels: Int, plane: Int,
                                      method: CAMMethod) -> [Float] {
        (0..<channels).map { c in
            let range = (c * plane)..<((c + 1) * plane)
            switch method {
            case .gradCAM:
                var sum: Double = 0
                for p in range { sum += Double(gradient[p]) }
                return Float(sum / Double(plane))
            case .gradCAMPlusPlus:
                var activationSum: Double = 0
                for p in range { activationSum += Double(activation[p]) }
                var w: Double = 0
                for p in range where gradient[p] != 0 {
                    let g = Double(gradient[p]), g2 = g * g
                    let alpha = g2 / (2 * g2 + activationSum * g2 * g + Double(epsilon))
                    w += alpha * max(g, 0)
                }
                return Float(w)
            }
        }
    }

    /// `ReLU(sum_c w_c A_c)`, divided by its max + epsilon.
    public static func combine(activation: [Float], weights: [Float], height: Int, width: Int) -> ClassActivationMap {
        let plane = height * width
        var sum = [Double](repeating: 0, count: plane)
        for (c, w) in weights.enumerated() where w != 0 {
            let base = c * plane
            for p in 0..<plane { sum[p] += Double(w) * Double(activation[base + p]) }
        }
        let rectified = sum.map { max($0, 0) }
        let peak = rectified.max() ?? 0
        guard peak > 0 else {
            return ClassActivationMap(width: width, height: height, values: [Float](repeating: 0, count: plane),
                                      allZero: true, weights: weights)
        }
        let scale = 1 / (peak + Double(epsilon))
        return ClassActivationMap(width: width, height: height, values: rectified.map { Float($0 * scale) },
                                  allZero: false, weights: weights)
    }
}

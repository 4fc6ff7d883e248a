import GraphIR

// TEST-ONLY REFERENCE INTERPRETER: BatchNormalization (inference and training mode) and
// its gradient, per channel over batch and spatial axes.

extension ReferenceInterpreter {
    /// Per-channel population mean and variance of X over all axes but 1.
    func channelMoments(_ x: RefTensor) -> (mean: [Double], variance: [Double]) {
        let c = x.shape[1], plane = x.shape[2...].reduce(1, *), m = Double(x.shape[0] * plane)
        var mean = Array(repeating: 0.0, count: c), sq = mean
        for i in 0..<x.count {
            let ch = (i / plane) % c
            mean[ch] += x.data[i]
        }
        mean = mean.map { $0 / m }
        for i in 0..<x.count {
            let ch = (i / plane) % c
            sq[ch] += (x.data[i] - mean[ch]) * (x.data[i] - mean[ch])
        }
        return (mean, sq.map { $0 / m })
    }

    func batchNorm(_ x: [RefTensor], _ a: Attributes, outputs: Int) throws -> [RefTensor] {
        guard x.count == 5 else { throw ReferenceError("BatchNormalization needs 5 inputs") }
        let (input, scale, bias, mean, variance) = (x[0], x[1], x[2], x[3], x[4])
        let eps = Double(a.float("epsilon") ?? 1e-5)
        let training = (a.int("training_mode") ?? 0) != 0
        let momentum = Double(a.float("momentum") ?? 0.9)
        let c = input.shape[1], plane = input.shape[2...].reduce(1, *)
        let (useMean, useVar) = training ? channelMoments(input) : (mean.data, variance.data)
        var y = input
        for i in 0..<y.count {
            let ch = (i / plane) % c
            y.data[i] = scale.data[ch] * (input.data[i] - useMean[ch]) / (useVar[ch] + eps).squareRoot() + bias.data[ch]
        }
        guard outputs > 1 else { return [y] }
        guard training else { return [y, mean, variance] }
        let runningMean = (0..<c).map { mean.data[$0] * momentum + useMean[$0] * (1 - momentum) }
        let runningVar = (0..<c).map { variance.data[$0] * momentum + useVar[$0] * (1 - momentum) }
        return [y, RefTensor(shape: [c], data: runningMean), RefTensor(shape: [c], data: runningVar)]
    }

    func batchNormGrad(_ x: [RefTensor?], _ a: Attributes) throws -> [RefTensor] {
        guard x.count >= 3, let dy = x[0], let input = x[1], let scale = x[2] else {
            throw ReferenceError("BatchNormalizationGrad needs dY, X, scale")
        }
        let eps = Double(a.float("epsilon") ?? 1e-5)
        let training = (a.int("training_mode") ?? 0) != 0
        let moments: (mean: [Double], variance: [Double])
        if training {
            moments = channelMoments(input)
        } else {
            guard x.count == 5, let mean = x[3], let variance = x[4] else { throw ReferenceError("missing mean/var") }
            moments = (mean.data, variance.data)
        }
        let c = input.shape[1], plane = input.shape[2...].reduce(1, *), m = Double(input.shape[0] * plane)
        let invStd = moments.variance.map { 1 / ($0 + eps).squareRoot() }
        var dScale = Array(repeating: 0.0, count: c), dBias = dScale
        var xhat = input
        for i in 0..<input.count {
            let ch = (i / plane) % c
            xhat.data[i] = (input.data[i] - moments.mean[ch]) * invStd[ch]
            dScale[ch] += dy.data[i] * xhat.data[i]
            dBias[ch] += dy.data[i]
        }
        var dx = input
        for i in 0..<input.count {
            let ch = (i / plane) % c
            var g = dy.data[i]
            if training { g -= dBias[ch] / m + xhat.data[i] * dScale[ch] / m }
            dx.data[i] = scale.data[ch] * invStd[ch] * g
        }
        return [dx, RefTensor(shape: [c], data: dScale), RefTensor(shape: [c], data: dBias)]
    }
}

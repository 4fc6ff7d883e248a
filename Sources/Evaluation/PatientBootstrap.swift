import GraphIR

/// A metric's value on the test set and its bootstrap confidence interval.
public struct MetricEstimate: Sendable, Equatable, Codable {
    /// Nil when the metric is undefined on the test set (e.g. precision with no positive call).
    public var value: Double?
    public var lower: Double?
    public var upper: Double?
    /// Resamples on which the metric was defined (the interval's quantiles are over these).
    public var validResamples: Int

    public init(value: Double?, lower: Double?, upper: Double?, validResamples: Int) {
        self.value = value
        self.lower = lower
        self.upper = upper
        self.validResamples = validResamples
    }
}

/// One scored test image, as the bootstrap needs it.
public struct ScoredSample: Sendable, Equatable {
    public var patient: String
    public var label: Int
    public var predicted: Int
    /// Probability of the positive class.
    public var score: Double

    public init(patient: String, label: Int, predicted: Int, score: Double) {
        self.patient = patient
        self.label = label
        self.predicted = predicted
        self.score = score
    }
}

/// Percentile bootstrap intervals that resample PATIENTS with replacement (each drawn
/// patient brings all of their images), so images of one patient, which are
/// correlated, never count as independent evidence.
public struct PatientBootstrap: Sendable {
    public var resamples: Int
    public var confidence: Double
    public var seed: UInt64

    public init(resamples: Int = 1000, confidence: Double = 0.95, seed: UInt64 = 0) {
        self.resamples = resamples
        self.confidence = confidence
        self.seed = seed
    }

    /// Every metric with its interval. The same patient draws serve every metric, and a
    /// given seed gives the same intervals on every run.
    public func estimate(_ samples: [ScoredSample], metrics: [Metric] = Metric.allCases) -> [Metric: MetricEstimate] {
        var byPatient: [String: [Int]] = [:]
        var patientOrder: [String] = []
        for (i, s) in samples.enumerated() {
            if byPatient[s.patient] == nil { patientOrder.append(s.patient) }
            byPatient[s.patient, default: []].append(i)
        }
        let groups = patientOrder.map { byPatient[$0] ?? [] }
        func values(_ indices: [Int]) -> [Metric: Double] {
            let labels = indices.map { samples[$0].label }
            let predicted = indices.map { samples[$0].predicted }
            let scores = indices.map { samples[$0].score }
            var out: [Metric: Double] = [:]
            for m in metrics { out[m] = m.value(labels: labels, predicted: predicted, scores: scores) }
            return out
        }
        let point = values(Array(samples.indices))
        var draws: [Metric: [Double]] = [:]
        if !groups.isEmpty && resamples > 0 {
            var rng = SeededRandom(seed: seed, stream: "patient-bootstrap")
            for _ in 0..<resamples {
                var indices: [Int] = []
                indices.reserveCapacity(samples.count)
                for _ in 0..<groups.count { indices += groups[Int(rng.next() % UInt64(groups.count))] }
                for (m, v) in values(indices) { draws[m, default: []].append(v) }
            }
        }
        let alpha = (1 - confidence) / 2
        var out: [Metric: MetricEstimate] = [:]
        for m in metrics {
            let sorted = (draws[m] ?? []).sorted()
            out[m] = MetricEstimate(value: point[m], lower: Self.quantile(sorted, alpha),
                                    upper: Self.quantile(sorted, 1 - alpha), validResamples: sorted.count)
        }
        return out
    }

    /// The q-quantile of sorted values with linear interpolation (numpy's default); nil when empty.
    public static func quantile(_ sorted: [Double], _ q: Double) -> Double? {
        guard !sorted.isEmpty else { return nil }
        let position = min(max(q, 0), 1) * Double(sorted.count - 1)
        let low = Int(position.rounded(.down)), high = min(low + 1, sorted.count - 1)
        return sorted[low] + (sorted[high] - sorted[low]) * (position - Double(low))
    }
}

/// Receiver operating characteristic of scores for a binary label (0 negative, else positive).
public enum ROC {
    /// The area under the ROC curve, from ranks (Mann-Whitney U): the probability that a
    /// random positive scores above a random negative, ties counting one half (tied
    /// scores share their mean rank). Nil without both a positive and a negative.
    public static func auc(labels: [Int], scores: [Double]) -> Double? {
        let n = min(labels.count, scores.count)
        let positives = labels.prefix(n).filter { $0 != 0 }.count
        let negatives = n - positives
        guard positives > 0, negatives > 0 else { return nil }
        let order = (0..<n).sorted { scores[$0] < scores[$1] }
        var rankSumOfPositives = 0.0
        var start = 0
        while start < n {
            var end = start
            while end + 1 < n && scores[order[end + 1]] == scores[order[start]] { end += 1 }
            let meanRank = Double(start + end) / 2 + 1  // 1-based ranks start+1 ... end+1
            for k in start...end where labels[order[k]] != 0 { rankSumOfPositives += meanRank }
            start = end + 1
        }
        let p = Double(positives), q = Double(negatives)
        return (rankSumOfPositives - p * (p + 1) / 2) / (p * q)
    }

    /// One point of the curve: false and true positive rates at a threshold.
    public struct Point: Sendable, Equatable, Codable {
        public var falsePositiveRate: Double
        public var truePositiveRate: Double
        /// Scores >= threshold are called positive.
        public var threshold: Double
        public init(falsePositiveRate: Double, truePositiveRate: Double, threshold: Double) {
            self.falsePositiveRate = falsePositiveRate
            self.truePositiveRate = truePositiveRate
            self.threshold = threshold
        }
    }

    /// The curve from (0, 0) to (1, 1), one point per distinct score (descending), so
    /// tied scores make one diagonal step. Empty without both classes.
    public static func curve(labels: [Int], scores: [Double]) -> [Point] {
        let n = min(labels.count, scores.count)
        let positives = labels.prefix(n).filter { $0 != 0 }.count
        let negatives = n - positives
        guard positives > 0, negatives > 0 else { return [] }
        let order = (0..<n).sorted { scores[$0] > scores[$1] }
        var points = [Point(falsePositiveRate: 0, truePositiveRate: 0, threshold: .infinity)]
        var tp = 0, fp = 0, k = 0
        while k < n {
            let threshold = scores[order[k]]
            while k < n && scores[order[k]] == threshold {
                if labels[order[k]] != 0 { tp += 1 } else { fp += 1 }
                k += 1
            }
            points.append(Point(falsePositiveRate: Double(fp) / Double(negatives),
                                truePositiveRate: Double(tp) / Double(positives), threshold: threshold))
        }
        return points
    }
}

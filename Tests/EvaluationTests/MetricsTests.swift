import Evaluation
import Testing

@Suite struct MetricsTests {
    // labels:    1 1 1 1 0 0 0 0 0 0
    // predicted: 1 1 1 0 1 0 0 0 0 0  -> TP 3, FN 1, FP 1, TN 5
    let labels = [1, 1, 1, 1, 0, 0, 0, 0, 0, 0]
    let predicted = [1, 1, 1, 0, 1, 0, 0, 0, 0, 0]

    @Test func confusionMatrixCountsEachDecision() {
        let m = ConfusionMatrix(labels: labels, predicted: predicted)
        #expect(m == ConfusionMatrix(truePositives: 3, falsePositives: 1, trueNegatives: 5, falseNegatives: 1))
        #expect(m.total == 10)
    }

    @Test func ratiosMatchHandComputation() throws {
        let m = ConfusionMatrix(labels: labels, predicted: predicted)
        #expect(abs(try #require(m.accuracy) - 0.8) < 1e-12)        // 8 / 10
        #expect(abs(try #require(m.precision) - 0.75) < 1e-12)      // 3 / 4
        #expect(abs(try #require(m.recall) - 0.75) < 1e-12)         // 3 / 4
        #expect(abs(try #require(m.specificity) - 5.0 / 6) < 1e-12) // 5 / 6
        #expect(abs(try #require(m.f1) - 0.75) < 1e-12)             // 6 / 8
    }

    @Test func undefinedRatiosAreNil() {
        let noPositiveCalls = ConfusionMatrix(labels: [1, 0], predicted: [0, 0])
        #expect(noPositiveCalls.precision == nil)
        #expect(noPositiveCalls.recall == 0)
        let onlyNegatives = ConfusionMatrix(labels: [0, 0], predicted: [0, 0])
        #expect(onlyNegatives.recall == nil)
        #expect(onlyNegatives.f1 == nil)
        #expect(onlyNegatives.specificity == 1)
        #expect(ConfusionMatrix().accuracy == nil)
    }

    @Test func aucCountsPairsRankedCorrectly() throws {
        // positives 0.9, 0.4; negatives 0.5, 0.1: of 4 pairs, 3 ordered right -> 0.75.
        let auc = try #require(ROC.auc(labels: [1, 1, 0, 0], scores: [0.9, 0.4, 0.5, 0.1]))
        #expect(abs(auc - 0.75) < 1e-12)
    }

    @Test func aucCountsTiesAsHalf() throws {
        // positive 0.5 ties negative 0.5 (1/2), beats 0.2 (1); positive 0.8 beats both (2): 3.5 / 4.
        let auc = try #require(ROC.auc(labels: [1, 1, 0, 0], scores: [0.5, 0.8, 0.5, 0.2]))
        #expect(abs(auc - 0.875) < 1e-12)
        let allTied = try #require(ROC.auc(labels: [1, 0, 1, 0], scores: [0.3, 0.3, 0.3, 0.3]))
        #expect(abs(allTied - 0.5) < 1e-12)
    }

    @Test func aucNeedsBothClasses() {
        #expect(ROC.auc(labels: [1, 1], scores: [0.2, 0.9]) == nil)
    }

    @Test func rocCurveStepsThroughEachDistinctScore() {
        let curve = ROC.curve(labels: [1, 1, 0, 0], scores: [0.5, 0.8, 0.5, 0.2])
        let rates = curve.map { [$0.falsePositiveRate, $0.truePositiveRate] }
        #expect(rates == [[0, 0], [0, 0.5], [0.5, 1], [1, 1]])
    }

    @Test func metricValueDispatchesToTheRightFormula() throws {
        let scores = [0.9, 0.8, 0.7, 0.3, 0.6, 0.2, 0.1, 0.1, 0.1, 0.1]
        #expect(Metric.specificity.value(labels: labels, predicted: predicted, scores: scores) == 5.0 / 6)
        // positives 0.9 0.8 0.7 0.3 vs negatives 0.6 0.2 0.1x4: 0.3 loses to 0.6 only -> 23/24.
        let auc = try #require(Metric.rocAUC.value(labels: labels, predicted: predicted, scores: scores))
        #expect(abs(auc - 23.0 / 24) < 1e-12)
    }
}

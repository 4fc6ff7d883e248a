import Evaluation
import Testing

@Suite struct PatientBootstrapTests {
    /// 20 patients, two images each; patient p's images share label p % 2, and the
    /// classifier is wrong on every image of patients 0 and 1.
    static let samples: [ScoredSample] = (0..<20).flatMap { p -> [ScoredSample] in
        let label = p % 2
        let predicted = p < 2 ? 1 - label : label
        return (0..<2).map { _ in
            ScoredSample(patient: "P\(p)", label: label, predicted: predicted, score: predicted == 1 ? 0.8 : 0.2)
        }
    }

    @Test func theSameSeedGivesTheSameIntervals() {
        let a = PatientBootstrap(resamples: 200, seed: 3).estimate(Self.samples)
        let b = PatientBootstrap(resamples: 200, seed: 3).estimate(Self.samples)
        #expect(a == b)
        let c = PatientBootstrap(resamples: 200, seed: 4).estimate(Self.samples)
        #expect(a[.accuracy] != c[.accuracy])
    }

    @Test func intervalsBracketThePointValue() throws {
        let estimates = PatientBootstrap(resamples: 1000, seed: 0).estimate(Self.samples)
        let accuracy = try #require(estimates[.accuracy])
        #expect(accuracy.value == 0.9)  // 36 of 40 images
        let lower = try #require(accuracy.lower), upper = try #require(accuracy.upper)
        #expect(lower < 0.9 && 0.9 <= upper && upper <= 1)
        #expect(lower > 0.6)
        #expect(accuracy.validResamples == 1000)
    }

    @Test func resamplingIsByPatientSoImagesOfOnePatientMoveTogether() throws {
        // One patient with ten wrong images among ten single-image patients that are right:
        // a patient-level resample drops or repeats all ten wrong images at once, so the
        // accuracy swings between 1 (bad patient not drawn) and about 0.2 (drawn 3 times).
        var samples = (0..<10).map { _ in ScoredSample(patient: "bad", label: 1, predicted: 0, score: 0.1) }
        samples += (0..<10).map { ScoredSample(patient: "P\($0)", label: 0, predicted: 0, score: 0.1) }
        let accuracy = try #require(PatientBootstrap(resamples: 1000, seed: 1).estimate(samples, metrics: [.accuracy])[.accuracy])
        #expect(accuracy.value == 0.5)
        let width = try #require(accuracy.upper) - (try #require(accuracy.lower))
        #expect(width > 0.6)  // image-level resampling of 20 images gives about 0.45
    }

    @Test func undefinedMetricsHaveNoInterval() throws {
        let onlyNegatives = [ScoredSample(patient: "A", label: 0, predicted: 0, score: 0.1),
                             ScoredSample(patient: "B", label: 0, predicted: 0, score: 0.3)]
        let auc = try #require(PatientBootstrap(resamples: 50).estimate(onlyNegatives)[.rocAUC])
        #expect(auc.value == nil && auc.lower == nil && auc.validResamples == 0)
    }

    @Test func quantileInterpolatesLinearly() {
        #expect(PatientBootstrap.quantile([1, 2, 3, 4], 0.5) == 2.5)
        #expect(PatientBootstrap.quantile([1, 2, 3, 4], 0) == 1)
        #expect(PatientBootstrap.quantile([], 0.5) == nil)
    }
}

import Foundation
import Testing
@testable import Datasets

@Suite struct DataSummaryTests {
    static let dataset = Dataset(name: "tiny", classNames: ["normal", "abnormal"], samples: [
        Sample(id: "a1", location: .file(path: "a1.png"), label: 0, patientID: "A"),
        Sample(id: "a2", location: .file(path: "a2.png"), label: 1, patientID: "A",
               lesions: [LesionCircle(column: 3, row: 4, radius: 2)]),
        Sample(id: "b1", location: .file(path: "b1.png"), label: 0, patientID: "B"),
        Sample(id: "c1", location: .file(path: "c1.png"), label: 0, patientID: "C"),
        Sample(id: "d1", location: .file(path: "d1.png"), label: 1, patientID: "D"),
    ], notes: ["one thing"])

    @Test func countsPerClassAndPatient() {
        let text = DataSummary.text(for: Self.dataset)
        #expect(text.hasPrefix("dataset tiny: 5 images, 2 classes\n"))
        #expect(text.contains("  normal         3   60.0%\n"))
        #expect(text.contains("  abnormal       2   40.0%\n"))
        #expect(text.contains("patients: 4\n"))
        // Patient A has a normal and an abnormal image: its worst label is abnormal.
        #expect(text.contains("    normal         2   50.0%\n"))
        #expect(text.contains("  images per patient: 1 image x 3, 2 images x 1\n"))
        #expect(text.contains("patients with images of more than one class: 1\n"))
        #expect(text.contains("lesion circles: 1 on 1 images\n"))
        #expect(text.hasSuffix("notes:\n  - one thing\n"))
    }

    @Test func splitTableShowsCountsAndTargets() throws {
        let split = try DataSplit.make(Self.dataset, plan: .kFold(2), seed: 0)
        let text = DataSummary.text(for: Self.dataset, split: split)
        #expect(text.contains("split (seed 0, hash \(split.sampleListHash)):"))
        let counts = split.classCounts(of: Self.dataset)
        let line = try #require(text.split(separator: "\n").first { $0.hasPrefix("  fold1") })
        #expect(line.contains("\(counts[0][0]) (1.5)") && line.contains("\(counts[0][1]) (1.0)"))
    }
}

import Foundation
import Testing
@testable import Datasets

/// The loader on the real MIAS copy (skipped when `shared/data/mias` is absent), cross-checked
/// against the derived `labels_images.csv` and `abnormalities.csv` shipped beside it.
@Suite(.enabled(if: MIASFixture.available, "needs shared/data/mias"))
struct MIASDataTests {
    let directory = MIASFixture.directory ?? URL(fileURLWithPath: "/nonexistent")

    @Test func countsMatchTheDocumentedTotals() throws {
        let dataset = try MIAS.load(directory: directory, task: .threeClass)
        #expect(dataset.samples.count == 322)
        #expect(dataset.classCounts == [207, 63, 52])
        #expect(dataset.patients.count == 161)
        #expect(dataset.notes.isEmpty)
        let mdb144 = try #require(dataset.samples.first { $0.id == "mdb144" })
        #expect(dataset.classNames[mdb144.label] == "malignant")
        // Patient-level worst labels: normal 53, benign 56, malignant 52.
        let worst = dataset.patients.map { dataset.worstLabel(ofSampleIndices: $0.sampleIndices) }
        #expect([0, 1, 2].map { c in worst.filter { $0 == c }.count } == [53, 56, 52])
    }

    @Test func tasksSelectAndRelabelImages() throws {
        let abnormal = try MIAS.load(directory: directory, task: .normalVsAbnormal)
        #expect(abnormal.classCounts == [207, 115])
        let benignMalignant = try MIAS.load(directory: directory, task: .benignVsMalignant)
        #expect(benignMalignant.classCounts == [63, 52])
        #expect(benignMalignant.samples.count == 115)
    }

    @Test func multiRowImagesAndRowsWithoutCoordinates() throws {
        let rows = try MIAS.readAnnotations(directory: directory)
        #expect(rows.count == 330)
        let multi = MIAS.images(from: rows).filter { $0.rows.count > 1 }
        #expect(multi.map(\.reference) == ["mdb005", "mdb132", "mdb144", "mdb223", "mdb226", "mdb239", "mdb249"])
        #expect(multi.map(\.rows.count) == [2, 2, 2, 2, 3, 2, 2])
        let uncoordinated = rows.filter { $0.abnormality != "NORM" && $0.x == nil }
        #expect(uncoordinated.map(\.reference) == ["mdb059", "mdb216", "mdb233", "mdb245"])
        #expect(rows.filter { $0.abnormality != "NORM" }.count == 123)
    }

    @Test func bothAnnotationFormsGiveTheSameRecords() throws {
        let info = try MIAS.parseAnnotations(String(contentsOf: directory.appendingPathComponent("Info.txt"), encoding: .utf8))
        let readme = try MIAS.parseAnnotations(String(contentsOf: directory.appendingPathComponent("README"), encoding: .utf8))
        // The README keeps three `*NOTE 3*` markers that Info.txt drops; all else is equal.
        #expect(readme.compactMap(\.note) == ["*NOTE 3*", "*NOTE 3*", "*NOTE 3*"])
        #expect(readme.map { var r = $0; r.note = nil; return r } == info)
    }

    @Test func labelsAgreeWithDerivedLabelsFile() throws {
        let dataset = try MIAS.load(directory: directory, task: .threeClass)
        let table = try CSVTable(contentsOf: directory.appendingPathComponent("labels_images.csv"))
        let (ref, patient, label, file) = try (table.requireColumn("refnum"), table.requireColumn("patient_id"),
                                                table.requireColumn("label"), table.requireColumn("file"))
        #expect(table.rows.count == dataset.samples.count)
        for (row, sample) in zip(table.rows, dataset.samples) {
            #expect(row[ref] == sample.id)
            #expect(row[patient] == sample.patientID)
            #expect(row[label] == dataset.classNames[sample.label])
            #expect(.file(path: row[file]) == sample.location)
        }
    }

    @Test func lesionCirclesAgreeWithDerivedAbnormalitiesFile() throws {
        let images = MIAS.images(from: try MIAS.readAnnotations(directory: directory))
        let table = try CSVTable(contentsOf: directory.appendingPathComponent("abnormalities.csv"))
        let (ref, x, rowFromTop, radius) = try (table.requireColumn("refnum"), table.requireColumn("x"),
                                                table.requireColumn("row_from_top"), table.requireColumn("radius"))
        let expected = table.rows.filter { !$0[x].isEmpty }.map {
            "\($0[ref]) \($0[x]) \($0[rowFromTop]) \($0[radius])"
        }
        let loaded = images.flatMap { image in
            image.lesions.map { "\(image.reference) \(Int($0.column)) \(Int($0.row)) \(Int($0.radius))" }
        }
        #expect(expected.count == 119)
        #expect(loaded == expected)
    }

    @Test func patientSplitKeepsFilmPairsTogether() throws {
        let dataset = try MIAS.load(directory: directory, task: .threeClass)
        let split = try DataSplit.make(dataset, plan: .trainValidationTest(), seed: 7)
        assertNoPatientInTwoSplits(split, dataset)
        // Measured property: every split holds every class within one image of its target.
        #expect(maxDeviation(split, dataset) <= 1.0 + 1e-9)
    }
}

import Foundation
import Testing
@testable import Datasets

/// CDD-CESM on a small fixture in its published layout: empty placeholder JPGs in the two
/// image folders and the annotation sheet exported as CSV with the quirks of the real export.
@Suite struct CDDCESMTests {
    /// Three patients, both sides, both views, both modalities, plus quirks:
    /// BOM, CRLF, trailing spaces in names and values, a quoted finding with a comma,
    /// an exact duplicate row, and two conflicting rows for P3_R_DM_MLO (benign and malignant).
    static let sheet = "\u{FEFF}Image_name,Patient_ID,Side,Type,Age,Breast density (ACR),BIRADS,Findings,View,Tags,Machine,Pathology Classification/ Follow up\r\n"
        + rows(patient: 1, left: "Normal", right: "Normal")
        + rows(patient: 2, left: "Benign", right: "Normal")
        + rows(patient: 3, left: "Normal", right: "Malignant ")
        + "P2_L_DM_CC,2,L,DM,45,C,3,\"mass, oval, circumscribed\",CC,,Fuji,Benign\r\n"  // duplicate
        + "P3_R_DM_MLO ,3,R,DM,61,B,5,\"mass, irregular\",MLO,,Fuji,Benign\r\n"          // conflicting
        + "P4_L_CM_CC,4,L,CESM,50,B,1,,CC,,Fuji,Normal"                                  // no final newline

    static func rows(patient: Int, left: String, right: String) -> String {
        var text = ""
        for (side, label) in [("L", left), ("R", right)] {
            for type in ["DM", "CM"] {
                for view in ["CC", "MLO"] {
                    let finding = label.hasPrefix("Normal") ? "" : "\"mass, oval, circumscribed\""
                    text += "P\(patient)_\(side)_\(type)_\(view) ,\(patient),\(side),\(type == "DM" ? "DM" : "CESM"),45,C,3,\(finding),\(view),,Fuji,\(label)\r\n"
                }
            }
        }
        return text
    }

    func makeFixture() throws -> URL {
        let dir = try makeTemporaryDirectory("cdd")
        try writeFile(Self.sheet, to: "Radiology-manual-annotations.csv", in: dir)
        for patient in 1...3 {
            for side in ["L", "R"] {
                for view in ["CC", "MLO"] {
                    try writeFile("", to: "Low energy images of CDD-CESM/P\(patient)_\(side)_DM_\(view).jpg", in: dir)
                    if !(patient == 3 && side == "L" && view == "MLO") {  // one subtracted image missing
                        try writeFile("", to: "Subtracted images of CDD-CESM/P\(patient)_\(side)_CM_\(view).jpg", in: dir)
                    }
                }
            }
        }
        try writeFile("", to: "Low energy images of CDD-CESM/P9_L_DM_CC.jpg", in: dir)  // unlabelled
        return dir
    }

    @Test func imageNamesParse() throws {
        let name = try #require(CDDCESM.ImageName(" P12_l_CM_MLO.jpg "))
        #expect(name.patient == 12 && name.side == "L" && name.modality == .subtracted && name.view == "MLO")
        #expect(name.stem == "P12_L_CM_MLO")
        #expect(CDDCESM.ImageName("P12_L_XX_CC") == nil)
        #expect(CDDCESM.ImageName("12_L_DM_CC") == nil)
    }

    @Test func lowEnergyThreeClass() throws {
        let dir = try makeFixture()
        defer { try? FileManager.default.removeItem(at: dir) }
        let dataset = try CDDCESM.load(directory: dir, modality: .lowEnergy, task: .threeClass)
        #expect(dataset.name == "cdd-cesm-dm")
        #expect(dataset.samples.count == 12)
        // P2 left: 2 benign; P3 right: 2 malignant (the conflicting MLO rows keep the worse).
        #expect(dataset.classCounts == [8, 2, 2])
        let mlo = try #require(dataset.samples.first { $0.id == "P3_R_DM_MLO" })
        #expect(dataset.classNames[mlo.label] == "malignant")
        #expect(mlo.patientID == "P3")
        #expect(mlo.location == .file(path: "Low energy images of CDD-CESM/P3_R_DM_MLO.jpg"))
        #expect(Set(dataset.samples.map(\.patientID)) == ["P1", "P2", "P3"])
        #expect(dataset.notes.contains { $0.contains("P3_R_DM_MLO") && $0.contains("worse") })
        #expect(dataset.notes.contains { $0.contains("P9_L_DM_CC") })
    }

    @Test func subtractedTasks() throws {
        let dir = try makeFixture()
        defer { try? FileManager.default.removeItem(at: dir) }
        let three = try CDDCESM.load(directory: dir, modality: .subtracted, task: .threeClass)
        // 11 CM files on disk (P3_L_CM_MLO missing); P4_L_CM_CC is labelled but has no file.
        #expect(three.samples.count == 11)
        #expect(three.samples.allSatisfy { $0.id.contains("_CM_") })
        #expect(three.notes.contains { $0.contains("2 labelled CM images have no file") })
        let cancer = try CDDCESM.load(directory: dir, modality: .subtracted, task: .normalVsMalignant)
        #expect(cancer.classCounts == [7, 2])  // benign left out
        let benignMalignant = try CDDCESM.load(directory: dir, modality: .subtracted, task: .benignVsMalignant)
        #expect(benignMalignant.classCounts == [2, 2])
    }

    @Test func badPathologyNamesTheLine() throws {
        let dir = try makeTemporaryDirectory("cdd-bad")
        defer { try? FileManager.default.removeItem(at: dir) }
        try writeFile("Image_name,Pathology Classification/ Follow up\nP1_L_DM_CC,Normal\nP1_R_DM_CC,Unknown\n",
                      to: "annotations.csv", in: dir)
        try writeFile("", to: "Low energy images of CDD-CESM/P1_L_DM_CC.jpg", in: dir)
        let sheet = dir.appendingPathComponent("annotations.csv")
        #expect(throws: DatasetError.malformed(path: sheet.path, line: 3,
                "pathology 'Unknown' of P1_R_DM_CC is not Normal, Benign or Malignant")) {
            try CDDCESM.load(directory: dir)
        }
    }

    /// The derived subtracted-only copy (`cdd-cesm/labels_cm_images.csv` and 256 x 256 PNGs).
    @Test func derivedSubtractedLayout() throws {
        let dir = try makeTemporaryDirectory("cdd-derived")
        defer { try? FileManager.default.removeItem(at: dir) }
        try writeFile("file,image_name,patient_id,side,view,label\nimages/P1_L_CM_CC.png,P1_L_CM_CC,1,L,CC,normal\nimages/P1_R_CM_CC.png,P1_R_CM_CC,1,R,CC,malignant\nimages/P2_L_CM_MLO.png,P2_L_CM_MLO,2,L,MLO,benign\n",
                      to: "labels_cm_images.csv", in: dir)
        let dataset = try CDDCESM.load(directory: dir, modality: .subtracted, task: .threeClass)
        #expect(dataset.samples.map(\.id) == ["P1_L_CM_CC", "P1_R_CM_CC", "P2_L_CM_MLO"])
        #expect(dataset.samples.map(\.patientID) == ["P1", "P1", "P2"])
        #expect(dataset.samples.map(\.label) == [0, 2, 1])
        #expect(throws: DatasetError.self) { try CDDCESM.load(directory: dir, modality: .lowEnergy) }
    }
}

import Foundation
import Testing
@testable import Datasets

/// The MIAS table parser on small inline excerpts (no data needed).
@Suite struct MIASAnnotationTests {
    @Test func infoTxtFormWithItsTrailingSpaces() throws {
        // Header ends in a space, NORM rows end in a space, the last line has no newline.
        let text = "REFNUM BG CLASS SEVERITY X Y RADIUS \nmdb001 G CIRC B 535 425 197\nmdb003 D NORM \nmdb216 D CALC M"
        let rows = try MIAS.parseAnnotations(text)
        #expect(rows.map(\.reference) == ["mdb001", "mdb003", "mdb216"])
        #expect(rows.map(\.pathology) == [.benign, .normal, .malignant])
        #expect(rows[0].x == 535 && rows[0].y == 425 && rows[0].radius == 197)
        // Origin at the bottom-left: row from the top = 1023 - y; the column is x.
        #expect(rows[0].lesion() == LesionCircle(column: 535, row: 598, radius: 197))
        #expect(rows[1].lesion() == nil && rows[2].lesion() == nil)
        #expect(rows[0].patientNumber == 1 && rows[0].side == "R")
        #expect(rows[1].patientNumber == 2 && rows[1].side == "R")
    }

    @Test func readmeFormSkipsProseAndKeepsNoteMarkers() throws {
        let text = """
            MAMMOGRAPHIC IMAGE ANALYSIS SOCIETY
            5th,6th columns: x,y image-coordinates of centre of abnormality.
            =================================================================

            mdb216 D CALC M *NOTE 3* 
            mdb226 D CALC B 287 610 7
            mdb226 D CALC B 329 550 25

            =================================================================

            """
        let rows = try MIAS.parseAnnotations(text)
        #expect(rows.count == 3)
        #expect(rows[0].note == "*NOTE 3*" && rows[0].x == nil)
        let images = MIAS.images(from: rows)
        #expect(images.map(\.reference) == ["mdb216", "mdb226"])
        #expect(images[1].rows.count == 2 && images[1].lesions.count == 2)
        #expect(images[1].side == "L" && images[1].patientNumber == 113)
    }

    @Test func worstRowLabelsTheImage() throws {
        let rows = try MIAS.parseAnnotations("mdb144 F MISC B 233 994 29\nmdb144 F MISC M 313 540 27\n")
        let image = try #require(MIAS.images(from: rows).first)
        #expect(image.pathology == .malignant)
        #expect(image.lesions == [LesionCircle(column: 233, row: 29, radius: 29),
                                  LesionCircle(column: 313, row: 483, radius: 27)])
    }

    @Test func badRowsAreErrorsThatNameFileAndLine() {
        #expect(throws: DatasetError.malformed(path: "Info.txt", line: 2,
                                               "expected x, y and radius, or none of them in 'mdb002 G CIRC B 522 280'")) {
            try MIAS.parseAnnotations("mdb001 G NORM\nmdb002 G CIRC B 522 280\n", path: "Info.txt")
        }
        #expect(throws: DatasetError.self) { try MIAS.parseAnnotations("mdb001 X NORM\n") }
        #expect(throws: DatasetError.self) { try MIAS.parseAnnotations("mdb001 G CIRC Q 1 2 3\n") }
        #expect(throws: DatasetError.self) { try MIAS.parseAnnotations("mdb001 G CIRC B 1 2000 3\n") }
        #expect(throws: DatasetError.self) { try MIAS.parseAnnotations("no table here\n") }
    }

    @Test func missingImagesBecomeNotes() throws {
        let dir = try makeTemporaryDirectory("mias")
        defer { try? FileManager.default.removeItem(at: dir) }
        try writeFile("mdb001 G CIRC B 535 425 197\nmdb002 G NORM \nmdb003 D NORM \n", to: "Info.txt", in: dir)
        try writeFile("", to: "images/mdb001.png", in: dir)
        try writeFile("", to: "images/mdb002.pgm", in: dir)
        let dataset = try MIAS.load(directory: dir, task: .normalVsAbnormal)
        #expect(dataset.samples.map(\.id) == ["mdb001", "mdb002"])
        #expect(dataset.samples.map(\.label) == [1, 0])
        #expect(dataset.samples[1].location == .file(path: "images/mdb002.pgm"))
        #expect(dataset.notes.count == 1 && dataset.notes[0].hasPrefix("mdb003"))
        #expect(dataset.fileURL(of: dataset.samples[0]) == dir.appendingPathComponent("images/mdb001.png"))
    }
}

import Foundation
import Testing
@testable import Datasets

@Suite struct ManifestTests {
    @Test func csvWithConfigurableColumns() throws {
        let dir = try makeTemporaryDirectory("manifest")
        defer { try? FileManager.default.removeItem(at: dir) }
        try writeFile("Image File,Diagnosis,Subject\na/1.png,cancer,s1\na/2.png,healthy,s1\nb/3.png,healthy,\n",
                      to: "lists/train.csv", in: dir)
        let url = dir.appendingPathComponent("lists/train.csv")
        let dataset = try Manifest.load(csv: url, columns: .init(path: "image_file", label: "diagnosis", patient: "subject"),
                                        classNames: ["healthy", "cancer"])
        #expect(dataset.name == "train")
        #expect(dataset.samples.map(\.label) == [1, 0, 0])
        // An empty patient cell makes the image its own patient.
        #expect(dataset.samples.map(\.patientID) == ["s1", "s1", "b/3.png"])
        // Paths are relative to the CSV's folder.
        #expect(dataset.fileURL(of: dataset.samples[0]) == dir.appendingPathComponent("lists/a/1.png"))
    }

    @Test func labelsOutsideTheGivenClassesAreErrors() throws {
        let dir = try makeTemporaryDirectory("manifest-bad")
        defer { try? FileManager.default.removeItem(at: dir) }
        try writeFile("path,label\nx.png,0\ny.png,2\n", to: "m.csv", in: dir)
        let url = dir.appendingPathComponent("m.csv")
        #expect(throws: DatasetError.malformed(path: url.path, line: 3, "label '2' is not one of [\"0\", \"1\"]")) {
            try Manifest.load(csv: url, classNames: ["0", "1"])
        }
        // Without given classes, the distinct labels sorted become the classes.
        #expect(try Manifest.load(csv: url).classNames == ["0", "2"])
    }

    @Test func classPerSubfolder() throws {
        let dir = try makeTemporaryDirectory("folders")
        defer { try? FileManager.default.removeItem(at: dir) }
        for file in ["normal/a.png", "normal/b.PGM", "normal/notes.txt", "normal/.hidden.png", "tumour/c.jpg"] {
            try writeFile("", to: file, in: dir)
        }
        let dataset = try Manifest.loadFolders(root: dir, name: "folders")
        #expect(dataset.classNames == ["normal", "tumour"])
        #expect(dataset.samples.map(\.id) == ["normal/a.png", "normal/b.PGM", "tumour/c.jpg"])
        #expect(dataset.samples.map(\.label) == [0, 0, 1])
        let reordered = try Manifest.loadFolders(root: dir, classNames: ["tumour", "normal"])
        #expect(reordered.samples.map(\.id) == ["tumour/c.jpg", "normal/a.png", "normal/b.PGM"])
        #expect(reordered.samples.map(\.label) == [0, 1, 1])
        #expect(throws: DatasetError.self) { try Manifest.loadFolders(root: dir, classNames: ["missing"]) }
    }
}

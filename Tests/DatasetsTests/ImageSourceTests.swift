import Foundation
import Imaging
import Testing
@testable import Datasets

/// `FileImageSource` decodes a sample's file with Imaging, resolving relative paths against
/// the dataset root; the catalog hands it out for file datasets and the pixels for synthetic.
@Suite struct ImageSourceTests {
    /// A 3x2 gray ramp written as PNG and as PGM decodes to the same samples from either file.
    @Test func decodesPNGAndPGMRelativeToTheRoot() throws {
        let dir = try makeTemporaryDirectory("image-source")
        defer { try? FileManager.default.removeItem(at: dir) }
        let ramp = try Image(width: 3, height: 2, channels: 1, bytes: [0, 50, 100, 150, 200, 255])
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("images"), withIntermediateDirectories: true)
        try PNG.write(ramp, to: dir.appendingPathComponent("images/a.png").path)
        try PGM.write(ramp, to: dir.appendingPathComponent("b.pgm").path)
        let dataset = Dataset(name: "files", classNames: ["x"], samples: [
            Sample(id: "a", location: .file(path: "images/a.png"), label: 0, patientID: "p1"),
            Sample(id: "b", location: .file(path: dir.appendingPathComponent("b.pgm").path), label: 0, patientID: "p2"),
        ], root: dir)
        let source = FileImageSource()
        for sample in dataset.samples {
            #expect(try source.image(for: sample, in: dataset) == ramp)
        }
    }

    /// A file that is not an image fails with an error naming the file.
    @Test func corruptFileErrorNamesIt() throws {
        let dir = try makeTemporaryDirectory("image-source")
        defer { try? FileManager.default.removeItem(at: dir) }
        try writeFile("not pixels", to: "broken.png", in: dir)
        let dataset = Dataset(name: "files", classNames: ["x"],
                              samples: [Sample(id: "b", location: .file(path: "broken.png"), label: 0, patientID: "p")],
                              root: dir)
        do {
            _ = try FileImageSource().image(for: dataset.samples[0], in: dataset)
            Issue.record("decoding a text file succeeded")
        } catch {
            #expect(String(describing: error).contains("broken.png"))
        }
    }

    @Test func catalogSourcesServeSyntheticPixelsAndDecodeFiles() throws {
        let opened = try DatasetCatalog.open("synthetic", options: .init(synthetic: .init(count: 2, size: 32)))
        let image = try opened.imageSource().image(for: opened.dataset.samples[1], in: opened.dataset)
        #expect(image.channels == 1 && image.width == 32 && image == opened.synthetic?.images[1])

        let files = DatasetCatalog.Opened(dataset: Dataset(name: "f", classNames: ["x"], samples: []))
        #expect(files.imageSource() is FileImageSource)
    }
}

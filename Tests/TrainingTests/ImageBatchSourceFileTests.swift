import Datasets
import Foundation
import Imaging
import Testing
@testable import Training

/// Where the real MIAS copy lives; tests that need it are skipped when it is absent.
enum MIASLocation {
    static let directory: URL? = MIAS.findCopy(above: URL(fileURLWithPath: #filePath))
}

@Suite("ImageBatchSource on image files")
struct ImageBatchSourceFileTests {
    /// A folder with two good 40x30 PNGs and one file that is not an image.
    func folderWithACorruptFile() throws -> (Dataset, URL) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("graphcam-pipeline-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for name in ["a.png", "c.png"] {
            let image = try Image(width: 40, height: 30, channels: 1) { x, y, _ in Float((x * 7 + y * 3) % 256) }
            try PNG.write(image, to: dir.appendingPathComponent(name).path)
        }
        try Data("definitely not a PNG".utf8).write(to: dir.appendingPathComponent("broken.png"))
        let samples = ["a.png", "broken.png", "c.png"].enumerated().map { i, file in
            Sample(id: String(file.dropLast(4)), location: .file(path: file), label: i % 2, patientID: "p\(i)")
        }
        return (Dataset(name: "files", classNames: ["x", "y"], samples: samples, root: dir), dir)
    }

    @Test("a corrupt image fails its batch with an error naming the file, in the background as on demand")
    func corruptFileIsNamed() throws {
        let (dataset, dir) = try folderWithACorruptFile()
        defer { try? FileManager.default.removeItem(at: dir) }
        let source = try ImageBatchSource(dataset: dataset, images: FileImageSource(), sampleIndices: [0, 1, 2],
                                          role: .training(seed: 1), preprocessing: .init(size: 16, squaring: .pad),
                                          loading: .init(prefetchDepth: 2, threads: 2))
        #expect(try source.batch(at: [0, 2], epoch: 1).images.shape == [2, 3, 16, 16])
        func expectNamed(_ body: () throws -> Void) {
            do {
                try body()
                Issue.record("a batch with broken.png succeeded")
            } catch {
                let text = String(describing: error)
                #expect(error is ImageLoadError && text.contains("broken.png") && text.contains("'broken'"), "\(text)")
            }
        }
        expectNamed { _ = try source.batch(at: [2, 1], epoch: 1) }
        source.beginEpoch(1, batches: [[0], [1, 2], [2]])
        #expect(try source.batch(at: [0]).labels == [0])
        expectNamed { _ = try source.batch(at: [1, 2]) }
        // After the failure the rest of the epoch is computed on demand.
        #expect(try source.batch(at: [2]).labels == [0])
        source.endEpoch()
    }

    @Test("pad and crop to square keep the content undistorted")
    func squaring() throws {
        let wide = try Image(width: 8, height: 4, channels: 1) { x, _, _ in Float(x * 10) }
        let padded = try ImagePreprocessing(size: 8, squaring: .pad, padValue: 0).prepare(wide)
        #expect(padded.width == 8 && padded.height == 8)
        #expect(padded[3, 0, 0] == 0 && padded[3, 2, 0] == 30 && padded[3, 7, 0] == 0)
        let cropped = try ImagePreprocessing(size: 4, squaring: .centerCrop).prepare(wide)
        #expect((0..<4).map { cropped[$0, 0, 0] } == [20, 30, 40, 50])
        let stretched = try ImagePreprocessing(size: 4, squaring: .none).prepare(wide)
        #expect((0..<4).map { stretched[$0, 1, 0] } == [5, 25, 45, 65])  // area: pairs of columns averaged
    }

    @Test("MIAS scans (1024x1024 PNG) through the pipeline at 112, caffe-normalized",
          .enabled(if: MIASLocation.directory != nil, "needs shared/data/mias"))
    func miasAt112() throws {
        let directory = try #require(MIASLocation.directory)
        let dataset = try MIAS.load(directory: directory, task: .threeClass)
        let positions = [0, 1, 2, 143]
        let source = try ImageBatchSource(dataset: dataset, images: FileImageSource(), sampleIndices: positions,
                                          role: .evaluation, preprocessing: .init(size: 112, normalization: .caffe),
                                          loading: .init(prefetchDepth: 2, threads: 2))
        source.beginEpoch(1, batches: [[0, 1, 2, 3]])
        let (images, labels) = try source.batch(at: [0, 1, 2, 3])
        source.endEpoch()
        #expect(images.shape == [4, 3, 112, 112])
        #expect(labels == positions.map { dataset.samples[$0].label } && labels.contains(2))
        let values = images.floatValues
        // Gray replicated to RGB, then BGR means subtracted: channel c = gray - mean[c].
        let plane = 112 * 112
        let mean: [Float] = [103.939, 116.779, 123.68]
        for p in stride(from: 0, to: plane, by: 97) {
            let gray = values[p] + mean[0]
            #expect(abs(values[plane + p] - (gray - mean[1])) < 1e-3 && abs(values[2 * plane + p] - (gray - mean[2])) < 1e-3)
            #expect(gray >= -1e-3 && gray <= 255.001)
        }
        // Equal to decoding and area-resizing by hand.
        let url = try #require(dataset.fileURL(of: dataset.samples[143]))
        let byHand = try ImageFile.read(path: url.path).resized(width: 112, height: 112, method: .area)
        #expect(byHand.channels == 1)
        #expect(Array(values[(9 * plane)..<(10 * plane)]) == byHand.pixels.map { $0 - mean[0] })
    }
}

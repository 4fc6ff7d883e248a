import Foundation
@testable import Datasets

/// Where the real MIAS copy lives (`MIAS.findCopy`: `$GRAPHCAM_MIAS`, or a
/// `shared/data/mias` above this file). Tests that need it are skipped when it is absent.
enum MIASFixture {
    static let directory: URL? = MIAS.findCopy(above: URL(fileURLWithPath: #filePath))

    static var available: Bool { directory != nil }
}

/// A fresh empty directory under the system temporary directory.
func makeTemporaryDirectory(_ label: String = "datasets") throws -> URL {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("graphcam-\(label)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Writes `text` to `directory/relativePath`, creating folders on the way.
func writeFile(_ text: String, to relativePath: String, in directory: URL) throws {
    let url = directory.appendingPathComponent(relativePath)
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try Data(text.utf8).write(to: url)
}

/// A dataset of `patients` patients with 1...maxImages images each and random labels,
/// reproducible from `seed`.
func randomDataset(patients: Int, maxImages: Int, classes: Int, seed: UInt64) -> Dataset {
    var rng = SplitMix64(seed: seed)
    var samples: [Sample] = []
    for p in 0..<patients {
        for i in 0..<(1 + rng.nextInt(below: maxImages)) {
            samples.append(Sample(id: "p\(p)-\(i)", location: .file(path: "p\(p)-\(i).png"),
                                  label: rng.nextInt(below: classes), patientID: "p\(p)"))
        }
    }
    return Dataset(name: "random", classNames: (0..<classes).map { "c\($0)" }, samples: samples)
}

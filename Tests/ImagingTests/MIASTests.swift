import Foundation
import Testing
@testable import Imaging

@Suite struct MIASTests {
    /// A real scan from the shared data decodes to the pixels the dataset manifest records.
    @Test func miasScanMatchesManifestChecksum() throws {
        guard let data = sharedDataDirectory() else {
            Issue.record("shared/data/mias not found above \(#filePath); set GRAPHCAM_SHARED")
            return
        }
        let manifest = try String(contentsOfFile: data + "/mias/MANIFEST.csv", encoding: .utf8)
        let row = try #require(manifest.split(separator: "\n").first { $0.hasPrefix("mdb001.png,") })
        let expectedChecksum = try #require(row.split(separator: ",").last.map(String.init))

        let image = try ImageFile.read(path: data + "/mias/images/mdb001.png")
        #expect(image.width == 1024)
        #expect(image.height == 1024)
        #expect(image.channels == 1)
        #expect(sha256Hex(image.bytes()) == expectedChecksum)
    }
}

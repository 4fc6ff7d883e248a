import Foundation
import Testing
@testable import Datasets

/// The DATASET argument of `graphcam data ...`: prefixes select the loader, anything else is a path.
@Suite struct DatasetSpecTests {
    @Test func parsesPrefixesAndPaths() throws {
        #expect(try DatasetSpec(parsing: "synthetic") == .synthetic)
        #expect(try DatasetSpec(parsing: "MIAS") == .mias(path: nil))
        #expect(try DatasetSpec(parsing: "mias:/data/mias") == .mias(path: "/data/mias"))
        #expect(try DatasetSpec(parsing: "cdd-cesm:../cdd") == .cddCESM(path: "../cdd"))
        #expect(try DatasetSpec(parsing: "manifest:list.csv") == .manifest(path: "list.csv"))
        #expect(try DatasetSpec(parsing: "some/folder") == .path("some/folder"))
        #expect(throws: DatasetError.self) { try DatasetSpec(parsing: "manifest:") }
    }

    @Test func defaultMIASComesFromTheEnvironmentOrBesideTheCheckout() {
        #expect(DatasetSpec.defaultMIASDirectory(environment: ["GRAPHCAM_MIAS": "/x/mias"], currentDirectory: "/w/repo").path == "/x/mias")
        #expect(DatasetSpec.defaultMIASDirectory(environment: [:], currentDirectory: "/w/repo").path == "/w/shared/data/mias")
    }

    @Test func opensManifestsAndMissingFoldersFail() throws {
        let dir = try makeTemporaryDirectory("spec")
        defer { try? FileManager.default.removeItem(at: dir) }
        try writeFile("path,label,patient\na.png,x,1\nb.png,y,1\nc.png,y,2\n", to: "list.csv", in: dir)
        let opened = try DatasetCatalog.open(.manifest(path: dir.appendingPathComponent("list.csv").path))
        #expect(opened.dataset.samples.count == 3 && opened.dataset.patients.count == 2)
        #expect(throws: DatasetError.self) {
            try DatasetCatalog.open(.mias(path: nil), defaultMIAS: dir.appendingPathComponent("no-mias"))
        }
        #expect(try DatasetCatalog.open(.synthetic, options: .init(synthetic: .init(count: 4, size: 32))).synthetic != nil)
    }
}

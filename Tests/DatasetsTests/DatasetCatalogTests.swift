import Foundation
import Testing
@testable import Datasets

@Suite struct DatasetCatalogTests {
    @Test func namesAndPathsResolve() throws {
        let options = DatasetCatalog.Options(synthetic: .init(count: 4, size: 32))
        let synthetic = try DatasetCatalog.open("synthetic", options: options)
        #expect(synthetic.dataset.name == "synthetic" && synthetic.synthetic?.images.count == 4)

        let dir = try makeTemporaryDirectory("catalog")
        defer { try? FileManager.default.removeItem(at: dir) }
        try writeFile("", to: "folders/a/1.png", in: dir)
        try writeFile("", to: "folders/b/2.png", in: dir)
        try writeFile("path,label\nfolders/a/1.png,x\n", to: "list.csv", in: dir)
        #expect(try DatasetCatalog.open(dir.appendingPathComponent("folders").path).dataset.classNames == ["a", "b"])
        #expect(try DatasetCatalog.open(dir.appendingPathComponent("list.csv").path).dataset.samples.count == 1)
        #expect(throws: DatasetError.self) { try DatasetCatalog.open(dir.appendingPathComponent("nothing").path) }
    }

    @Test(.enabled(if: MIASFixture.available, "needs shared/data/mias"))
    func miasByName() throws {
        let root = try #require(MIASFixture.directory).deletingLastPathComponent()
        let opened = try DatasetCatalog.open("mias", options: .init(dataRoot: root, task: .normalVsAbnormal))
        #expect(opened.dataset.classCounts == [207, 115])
        #expect(opened.synthetic == nil)
    }
}

import Foundation
import Imaging

/// Resolves the DATASET argument of the command line to a loaded dataset.
///
/// Accepted names: `synthetic`; `mias` and `cdd-cesm` (folders `mias/` and `cdd-cesm/` under
/// the data root); a path to a MIAS or CDD-CESM folder; a path to a manifest `.csv`; or a path
/// to a class-per-subfolder directory.
public enum DatasetCatalog {
    public struct Options: Sendable {
        /// Folder holding `mias/` and `cdd-cesm/` (e.g. `shared/data`).
        public var dataRoot: URL
        public var task: ClassificationTask
        public var modality: CDDCESM.Modality
        public var synthetic: Synthetic.Options
        public var manifestColumns: Manifest.Columns

        public init(dataRoot: URL = URL(fileURLWithPath: "shared/data"), task: ClassificationTask = .threeClass,
                    modality: CDDCESM.Modality = .lowEnergy, synthetic: Synthetic.Options = .init(),
                    manifestColumns: Manifest.Columns = .init()) {
            self.dataRoot = dataRoot
            self.task = task
            self.modality = modality
            self.synthetic = synthetic
            self.manifestColumns = manifestColumns
        }
    }

    /// A loaded dataset; the synthetic one also carries its pixels.
    public struct Opened: Sendable {
        public var dataset: Dataset
        public var synthetic: SyntheticDataset?

        /// The synthetic images serve themselves; file datasets use `fileLoader` (by default
        /// Imaging's PNG/PGM/JPEG decoder).
        public func imageSource(fileLoader: @escaping @Sendable (URL) throws -> Image = FileImageSource.decode) -> any ImageSource {
            if let synthetic { return synthetic }
            return FileImageSource(load: fileLoader)
        }
    }

    public static func open(_ name: String, options: Options = Options()) throws -> Opened {
        let fm = FileManager.default
        switch name.lowercased() {
        case "synthetic":
            let generated = try Synthetic.generate(options.synthetic)
            return Opened(dataset: generated.dataset, synthetic: generated)
        case "mias":
            return Opened(dataset: try MIAS.load(directory: options.dataRoot.appendingPathComponent("mias"), task: options.task))
        case "cdd-cesm", "cddcesm":
            return Opened(dataset: try CDDCESM.load(directory: options.dataRoot.appendingPathComponent("cdd-cesm"),
                                                    modality: options.modality, task: options.task))
        default: break
        }
        let url = URL(fileURLWithPath: name)
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw DatasetError.unsupported("unknown dataset '\(name)': expected synthetic, mias, cdd-cesm, a manifest .csv or a folder")
        }
        if !isDirectory.boolValue {
            return Opened(dataset: try Manifest.load(csv: url, columns: options.manifestColumns))
        }
        let has = { (entry: String) in fm.fileExists(atPath: url.appendingPathComponent(entry).path) }
        if has("Info.txt") || (has("README") && has("images")) {
            return Opened(dataset: try MIAS.load(directory: url, task: options.task))
        }
        if CDDCESM.Modality.allCases.contains(where: { has($0.folderName) }) || has(CDDCESM.derivedLabelsFile) {
            return Opened(dataset: try CDDCESM.load(directory: url, modality: options.modality, task: options.task))
        }
        return Opened(dataset: try Manifest.loadFolders(root: url))
    }
}

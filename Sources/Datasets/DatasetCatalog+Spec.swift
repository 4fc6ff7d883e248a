import Foundation

/// The DATASET argument of the data commands, parsed:
///
/// - `synthetic`
/// - `mias` (the default copy, see `DatasetSpec.defaultMIASDirectory`) or `mias:PATH`
/// - `cdd-cesm:PATH`
/// - `manifest:FILE.csv`
/// - any other text: a path, recognized by `DatasetCatalog.open` (MIAS or CDD-CESM folder,
///   a manifest `.csv`, or a class-per-subfolder folder)
public enum DatasetSpec: Sendable, Equatable {
    case synthetic
    /// nil: the default MIAS copy.
    case mias(path: String?)
    case cddCESM(path: String)
    case manifest(path: String)
    case path(String)

    /// Parses a DATASET argument; throws for an empty path after a prefix.
    public init(parsing text: String) throws {
        func after(_ prefix: String) throws -> String? {
            guard text.lowercased().hasPrefix(prefix) else { return nil }
            let rest = String(text.dropFirst(prefix.count))
            guard !rest.isEmpty else { throw DatasetError.unsupported("dataset '\(text)': a path must follow '\(prefix)'") }
            return rest
        }
        switch text.lowercased() {
        case "synthetic": self = .synthetic; return
        case "mias": self = .mias(path: nil); return
        default: break
        }
        if let path = try after("mias:") { self = .mias(path: path) }
        else if let path = try after("cdd-cesm:") { self = .cddCESM(path: path) }
        else if let path = try after("manifest:") { self = .manifest(path: path) }
        else { self = .path(text) }
    }

    /// The MIAS folder used when none is named: `$GRAPHCAM_MIAS`, else `../shared/data/mias`
    /// relative to `currentDirectory`.
    public static func defaultMIASDirectory(environment: [String: String] = ProcessInfo.processInfo.environment,
                                            currentDirectory: String = FileManager.default.currentDirectoryPath) -> URL {
        if let path = environment["GRAPHCAM_MIAS"], !path.isEmpty { return URL(fileURLWithPath: path) }
        return URL(fileURLWithPath: currentDirectory).appendingPathComponent("../shared/data/mias").standardizedFileURL
    }
}

extension DatasetCatalog {
    /// Opens the dataset a `DatasetSpec` names. `options.task`, `modality`, `synthetic` and
    /// `manifestColumns` apply as for `open(_:options:)`; `options.dataRoot` is not used.
    public static func open(_ spec: DatasetSpec, options: Options = Options(),
                            defaultMIAS: @autoclosure () -> URL = DatasetSpec.defaultMIASDirectory()) throws -> Opened {
        switch spec {
        case .synthetic:
            return try open("synthetic", options: options)
        case .mias(let path):
            let directory = path.map { URL(fileURLWithPath: $0) } ?? defaultMIAS()
            return Opened(dataset: try MIAS.load(directory: directory, task: options.task))
        case .cddCESM(let path):
            return Opened(dataset: try CDDCESM.load(directory: URL(fileURLWithPath: path), modality: options.modality,
                                                    task: options.task))
        case .manifest(let path):
            return Opened(dataset: try Manifest.load(csv: URL(fileURLWithPath: path), columns: options.manifestColumns))
        case .path(let path):
            return try open(path, options: options)
        }
    }
}

import Foundation

extension MIAS {
    /// Finds a MIAS copy (a folder with `Info.txt`): `$GRAPHCAM_MIAS` when set, else the
    /// first `shared/data/mias` in `start` or one of its ancestors (the layout of a
    /// checkout with `../shared` beside it). Nil when there is none on this machine.
    public static func findCopy(above start: URL,
                                environment: [String: String] = ProcessInfo.processInfo.environment) -> URL? {
        var candidates: [URL] = []
        if let path = environment["GRAPHCAM_MIAS"], !path.isEmpty { candidates.append(URL(fileURLWithPath: path)) }
        var dir = start.standardizedFileURL
        while dir.path != "/" {
            candidates.append(dir.appendingPathComponent("shared/data/mias"))
            dir = dir.deletingLastPathComponent()
        }
        return candidates.first { FileManager.default.fileExists(atPath: $0.appendingPathComponent("Info.txt").path) }
    }
}

import Foundation

/// Checkpoints in one directory: `last.ckpt` (the latest epoch), `last.ckpt.prev` (the one
/// before) and `best.ckpt` (the best monitored loss).
///
/// Every write is atomic: the bytes go to `<name>.tmp`, are flushed to disk
/// (`FileHandle.synchronize`, i.e. fsync), and only then renamed over the target, so an
/// interrupted save leaves the previous checkpoint intact. Saving `last.ckpt` first
/// renames the existing one to `last.ckpt.prev`, so a damaged latest file still has a
/// good predecessor.
public struct CheckpointStore {
    public let directory: URL
    public var lastURL: URL { directory.appendingPathComponent("last.ckpt") }
    public var previousURL: URL { directory.appendingPathComponent("last.ckpt.prev") }
    public var bestURL: URL { directory.appendingPathComponent("best.ckpt") }

    public init(directory: URL) throws {
        self.directory = directory
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw TrainingError("cannot create checkpoint directory '\(directory.path)': \(error.localizedDescription)")
        }
    }

    /// Saves `checkpoint` as `last.ckpt`, keeping the former one as `last.ckpt.prev`.
    public func saveLast(_ checkpoint: Checkpoint) throws {
        try CheckpointStore.writeAtomically(checkpoint.encoded(), to: lastURL, keepingPreviousAt: previousURL)
    }

    public func saveBest(_ checkpoint: Checkpoint) throws {
        try CheckpointStore.writeAtomically(checkpoint.encoded(), to: bestURL, keepingPreviousAt: nil)
    }

    /// Reads one checkpoint file; errors name the file.
    public static func load(_ url: URL) throws -> Checkpoint {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw TrainingError("cannot read checkpoint '\(url.path)': \(error.localizedDescription)")
        }
        return try Checkpoint.decode([UInt8](data), file: url.path)
    }

    /// The newest usable checkpoint: `last.ckpt`, or `last.ckpt.prev` when the latest is
    /// damaged (the refusal is passed to `warn`). nil when there is no checkpoint at all.
    ///
    /// - Throws: `TrainingError` naming both files when neither can be used.
    public func loadLatest(warn: (String) -> Void = { _ in }) throws -> Checkpoint? {
        let fm = FileManager.default
        var failures: [String] = []
        for url in [lastURL, previousURL] where fm.fileExists(atPath: url.path) {
            do {
                return try CheckpointStore.load(url)
            } catch {
                failures.append("\(error)")
                warn("\(error); trying the previous checkpoint")
            }
        }
        guard failures.isEmpty else { throw TrainingError(failures.joined(separator: "; ")) }
        return nil
    }

    /// Writes `bytes` to `url` through a synced temporary file and a rename.
    static func writeAtomically(_ bytes: [UInt8], to url: URL, keepingPreviousAt previous: URL?) throws {
        let temporary = url.appendingPathExtension("tmp")
        func fail(_ what: String) -> TrainingError { TrainingError("cannot save checkpoint '\(url.path)': \(what)") }
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil) else { throw fail("cannot create \(temporary.path)") }
        do {
            let handle = try FileHandle(forWritingTo: temporary)
            defer { try? handle.close() }
            try handle.write(contentsOf: Data(bytes))
            try handle.synchronize()
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw fail(error.localizedDescription)
        }
        if let previous, FileManager.default.fileExists(atPath: url.path) {
            guard rename(url.path, previous.path) == 0 else { throw fail("cannot rename it to \(previous.lastPathComponent) (errno \(errno))") }
        }
        guard rename(temporary.path, url.path) == 0 else { throw fail("cannot rename \(temporary.lastPathComponent) (errno \(errno))") }
    }
}

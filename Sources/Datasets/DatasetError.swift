import Foundation

/// Everything that can go wrong reading a dataset or a split; each case names the file at fault.
public enum DatasetError: Error, Equatable, CustomStringConvertible {
    /// A file or directory that should be there is not.
    case missing(path: String)
    /// A table could not be read: `line` is 1-based, 0 when the whole file is at fault.
    case malformed(path: String, line: Int, String)
    /// A dataset broke one of its own invariants.
    case invalid(dataset: String, String)
    /// A split file does not describe the dataset it is used with.
    case splitMismatch(path: String, String)
    /// A request that cannot be met (unknown task, impossible fractions, ...).
    case unsupported(String)

    public var description: String {
        switch self {
        case .missing(let path): return "\(path): not found"
        case .malformed(let path, let line, let message):
            return line > 0 ? "\(path):\(line): \(message)" : "\(path): \(message)"
        case .invalid(let dataset, let message): return "dataset '\(dataset)': \(message)"
        case .splitMismatch(let path, let message): return "\(path): split does not match: \(message)"
        case .unsupported(let message): return message
        }
    }
}

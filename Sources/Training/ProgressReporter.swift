import Foundation

/// How the training loop reports progress.
public enum ProgressMode: Sendable {
    /// A progress bar when standard error is a terminal, plain log lines otherwise.
    case automatic
    /// A one-line bar redrawn in place (loss, accuracy, images/s, ETA).
    case bar
    /// One log line per epoch (and per tenth of an epoch), for logs and CI.
    case lines
    case silent
}

/// Draws the progress of an epoch and logs its summary.
final class ProgressReporter {
    let useBar: Bool
    let silent: Bool
    let write: (String) -> Void
    private var lastLoggedTenth = -1

    init(mode: ProgressMode, write: ((String) -> Void)? = nil) {
        switch mode {
        case .automatic: useBar = isatty(FileHandle.standardError.fileDescriptor) != 0
        case .bar: useBar = true
        case .lines, .silent: useBar = false
        }
        silent = mode == .silent
        self.write = write ?? { FileHandle.standardError.write(Data($0.utf8)) }
    }

    /// After batch `done` of `total` in `epoch`.
    func batch(epoch: Int, epochs: Int, done: Int, total: Int, loss: Double, accuracy: Double, imagesPerSecond: Double,
               secondsLeft: Double) {
        guard !silent, total > 0 else { return }
        let numbers = String(format: "loss %.4f  acc %.3f  %.1f img/s  ETA %@", loss, accuracy, imagesPerSecond,
                             ProgressReporter.clock(secondsLeft))
        if useBar {
            let width = 24, filled = width * done / total
            let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
            write("\r\u{1B}[2Kepoch \(epoch)/\(epochs) [\(bar)] \(done)/\(total)  \(numbers)")
        } else {
            let tenth = 10 * done / total
            if tenth != lastLoggedTenth, tenth < 10 {
                lastLoggedTenth = tenth
                if tenth > 0 { write("epoch \(epoch)/\(epochs) batch \(done)/\(total)  \(numbers)\n") }
            }
        }
    }

    func epochEnd(_ m: EpochMetrics, epochs: Int, note: String) {
        lastLoggedTenth = -1
        guard !silent else { return }
        var line = String(format: "epoch %d/%d  loss %.4f  acc %.3f", m.epoch, epochs, m.trainLoss, m.trainAccuracy)
        if let vl = m.validationLoss, let va = m.validationAccuracy { line += String(format: "  val_loss %.4f  val_acc %.3f", vl, va) }
        line += String(format: "  lr %.3g  %.1fs", m.learningRate, m.seconds) + note
        write((useBar ? "\r\u{1B}[2K" : "") + line + "\n")
    }

    func message(_ text: String) {
        guard !silent else { return }
        write((useBar ? "\r\u{1B}[2K" : "") + text + "\n")
    }

    static func clock(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "--:--" }
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }
}

import ArgumentParser
import Datasets
import Foundation
import Imaging
import Training

struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Inspect datasets, write patient-level splits, and time the image loader.",
        discussion: """
            DATASET is one of: synthetic | mias (default copy: $GRAPHCAM_MIAS, else ../shared/data/mias) | \
            mias:PATH | cdd-cesm:PATH | manifest:FILE.csv | a folder (MIAS, CDD-CESM or one subfolder per class).
            """,
        subcommands: [Summary.self, Split.self, Bench.self])

    /// How to open DATASET: the arguments every data subcommand shares.
    struct DatasetOptions: ParsableArguments {
        @Argument(help: "synthetic | mias[:PATH] | cdd-cesm:PATH | manifest:FILE.csv | folder path")
        var dataset: String

        @Option(help: "Classification task: \(ClassificationTask.allCases.map(\.rawValue).joined(separator: ", ")).")
        var task: String = ClassificationTask.threeClass.rawValue

        @Option(help: "CDD-CESM images: DM (low energy) or CM (subtracted).")
        var modality: String = CDDCESM.Modality.lowEnergy.rawValue

        @Option(help: "Manifest column holding the image path.")
        var pathColumn: String = "path"

        @Option(help: "Manifest column holding the class label.")
        var labelColumn: String = "label"

        @Option(help: "Manifest column grouping images by patient ('' for none: each image its own patient).")
        var patientColumn: String = "patient"

        @Option(help: "Synthetic dataset: number of images.")
        var syntheticCount: Int = 400

        @Option(help: "Synthetic dataset: image side in pixels.")
        var syntheticSize: Int = 128

        @Option(help: "Synthetic dataset: generator seed.")
        var syntheticSeed: UInt64 = 0

        func open() throws -> DatasetCatalog.Opened {
            guard let task = ClassificationTask(rawValue: task) else {
                throw ValidationError("--task '\(task)': expected one of \(ClassificationTask.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard let modality = CDDCESM.Modality(rawValue: modality.uppercased()) else {
                throw ValidationError("--modality '\(modality)': expected DM or CM")
            }
            let options = DatasetCatalog.Options(
                task: task, modality: modality,
                synthetic: .init(count: syntheticCount, size: syntheticSize, seed: syntheticSeed),
                manifestColumns: .init(path: pathColumn, label: labelColumn,
                                       patient: patientColumn.isEmpty ? nil : patientColumn))
            return try DatasetCatalog.open(DatasetSpec(parsing: dataset), options: options)
        }
    }

    struct Summary: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print counts per class and per patient, and per split with --split-file or --seed.")

        @OptionGroup var source: DatasetOptions

        @Option(help: "A split file written by `graphcam data split`.")
        var splitFile: String?

        @Option(help: "Make a 60/20/20 patient-level split with this seed and summarize it.")
        var seed: UInt64?

        func validate() throws {
            if splitFile != nil && seed != nil { throw ValidationError("give --split-file or --seed, not both") }
        }

        func run() throws {
            try reportingErrors {
                let dataset = try source.open().dataset
                var split: DataSplit?
                if let splitFile {
                    split = try DataSplit.read(from: URL(fileURLWithPath: splitFile), for: dataset)
                } else if let seed {
                    split = try DataSplit.make(dataset, plan: .trainValidationTest(), seed: seed)
                }
                let text = DataSummary.text(for: dataset, split: split)
                print(text, terminator: text.hasSuffix("\n") ? "" : "\n")
            }
        }
    }

    struct Split: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a seeded, patient-level, class-stratified train/validation/test split as JSON.")

        @OptionGroup var source: DatasetOptions

        @Option(help: "Seed of the split.")
        var seed: UInt64

        @Option(help: "Fractions train,validation,test.")
        var fractions: String = "0.6,0.2,0.2"

        @Option(name: .shortAndLong, help: "Output JSON file.")
        var output: String

        func run() throws {
            try reportingErrors {
                let parts = fractions.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
                guard parts.count == 3, let train = parts[0], let validation = parts[1], let test = parts[2] else {
                    throw ValidationError("--fractions '\(fractions)': expected three numbers, e.g. 0.6,0.2,0.2")
                }
                let dataset = try source.open().dataset
                let split = try DataSplit.make(dataset, plan: .trainValidationTest(train, validation, test), seed: seed)
                try split.write(to: URL(fileURLWithPath: output), for: dataset)
                let counts = split.plan.names.map { "\($0) \(split.sampleIndices(in: $0, of: dataset).count)" }
                printErr("wrote \(output): \(dataset.samples.count) images of \(dataset.patients.count) patients, "
                         + counts.joined(separator: ", "))
            }
        }
    }

    struct Bench: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Time the image loader: decode + resize (+ augment) from disk, no cache, through the background producer.")

        @OptionGroup var source: DatasetOptions

        @Option(help: "Output side in pixels.")
        var size: Int = 112

        @Option(help: "Images per batch.")
        var batch: Int = 16

        @Flag(help: "Apply the study's augmentation (flips, rotation, shear), as for the training split.")
        var augment = false

        @Option(help: "Worker threads preparing one batch.")
        var threads: Int = 1

        @Option(help: "Batches prepared ahead.")
        var prefetch: Int = 2

        @Option(help: "Stop after this many batches (default: one pass over the dataset).")
        var batches: Int?

        @Option(help: "Input normalization: caffe, torch, unit, tf, raw.")
        var normalization: String = "caffe"

        func run() throws {
            try reportingErrors {
                guard size > 0, batch > 0, threads > 0, prefetch >= 0 else {
                    throw ValidationError("--size, --batch and --threads must be positive, --prefetch >= 0")
                }
                guard let normalization = InputNormalization.named(normalization) else {
                    throw ValidationError("--normalization '\(normalization)': expected caffe, torch, unit, tf or raw")
                }
                let opened = try source.open()
                let dataset = opened.dataset
                let loader = try ImageBatchSource(
                    dataset: dataset, images: opened.imageSource(), sampleIndices: Array(dataset.samples.indices),
                    role: augment ? .training(seed: 1) : .evaluation,
                    preprocessing: ImagePreprocessing(size: size, normalization: normalization),
                    loading: .init(cachesPreparedImages: false, prefetchDepth: prefetch, threads: threads))
                let available = loader.count / batch
                let count = min(batches ?? available, available)
                guard count > 0 else { throw ValidationError("\(dataset.name) has \(loader.count) images, fewer than one batch of \(batch)") }
                let plan = (0..<count).map { b in Array((b * batch)..<((b + 1) * batch)) }
                let started = Date()
                loader.beginEpoch(1, batches: plan)
                defer { loader.endEpoch() }
                for indices in plan { _ = try loader.batch(at: indices) }
                let seconds = Date().timeIntervalSince(started)
                let images = count * batch
                print("loader: \(dataset.name), \(images) images in \(count) batches of \(batch), \(size)x\(size), "
                      + (augment ? "augmented" : "not augmented") + ", \(threads) thread(s), prefetch \(prefetch), no cache")
                print(String(format: "  %.2f s, %.1f images/s, %.1f ms per batch", seconds, Double(images) / seconds,
                             1000 * seconds / Double(count)))
            }
        }
    }
}

/// Runs `body`, turning library errors into a message on stderr and exit status 1 (argument
/// errors keep the parser's usage output).
fileprivate func reportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as ValidationError {
        throw error
    } catch {
        printErr("error: \(error)")
        throw ExitCode.failure
    }
}

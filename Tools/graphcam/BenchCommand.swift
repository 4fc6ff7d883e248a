import ArgumentParser
import Foundation
import GraphIR
import Models
import Runtime
import Training

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Time inference (or, with --train, training steps) of a model: time per batch, images/s, memory.",
        discussion: """
            GFLOPS count 2 x the multiply-accumulates of the graph as written (before BN \
            folding and fusion), divided by the median time. Peak RSS is the process's \
            getrusage maximum, so it includes compiling the program.

            --train (zoo models only): builds the training graph with the --freeze recipe \
            (Adam, cross-entropy), compiles it and times whole steps (forward, backward, \
            update) on one random batch, e.g. \
            graphcam bench resnet50-modified --train --freeze last10+bn --batch 16 --size 112
            """)

    @Argument(help: "Zoo name (seeded weights) or model file (.onnx, .xml, .gir).")
    var model: String

    @Option(help: "Batch size.")
    var batch: Int = 1

    @Option(help: "Image side in pixels (zoo: default the entry's; files: for symbolic spatial dims).")
    var size: Int?

    @Option(help: "Worker threads for our kernels and for OpenBLAS (default: all cores).")
    var threads: Int?

    @Option(help: "Unmeasured runs before timing.")
    var warmup: Int = 2

    @Option(help: "Measured runs.")
    var iterations: Int = 10

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    @Flag(help: "Time training steps instead of inference (zoo models).")
    var train = false

    @Option(help: "With --train: what trains (none = everything, head, lastN, lastN+bn).")
    var freeze: String = "last10+bn"

    @Flag(help: "Time each step too: print the slowest steps and the time per kernel path.")
    var profile = false

    @Flag(help: "With --profile: list every step in schedule order, not only the slowest.")
    var profileAll = false

    @OptionGroup var compile: CompileFlags

    func validate() throws {
        guard batch >= 1 else { throw ValidationError("--batch must be at least 1") }
        guard iterations >= 1 else { throw ValidationError("--iterations must be at least 1") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        if train {
            guard Zoo.names.contains(model) else {
                throw ValidationError("--train needs a zoo model (\(Zoo.names.joined(separator: ", "))), got \(model)")
            }
            guard TrainableRecipe(parsing: freeze) != nil else {
                throw ValidationError("--freeze must be none, head, lastN or lastN+bn, got \(freeze)")
            }
        }
    }

    func run() throws {
        if let threads { MachineInfo.setThreadCount(threads) }
        if train { return try runTraining() }
        var source = try ModelSource(model, size: size)
        let shapes = try source.shapes(batch: batch, size: size)
        let macs = try Program.specialized(source.graph, inputShapes: shapes).summary.totalMACs
        let feeds = try ModelSource.randomInputs(shapes, graph: source.graph)
        let compileStart = DispatchTime.now().uptimeNanoseconds
        let program = try Program.compile(source.takeGraph(), inputShapes: shapes, options: compile.compileOptions)
        let compileMs = Double(DispatchTime.now().uptimeNanoseconds - compileStart) / 1e6
        let timings = try program.benchmark(feeds, warmup: warmup, iterations: iterations)
        let report = BenchReport(model: source.description, batch: batch, inputs: shapes, program: program,
                                 macs: macs, compileMs: compileMs, timings: timings)
        print(json ? try report.json() : report.text())
        if profile {
            print(ProfileReport(steps: try program.profile(feeds, warmup: 1, iterations: iterations),
                                everyStep: profileAll).text())
        }
    }
}

extension BenchCommand {
    func runTraining() throws {
        let entry = try Zoo.entry(named: model)
        guard let recipe = TrainableRecipe(parsing: freeze) else { throw ValidationError("bad --freeze \(freeze)") }
        let graph = try entry.graph(inputSize: size, weights: .seeded(0))
            .settingTrainable(recipe, backboneOutput: entry.featureLayer)
        var benchmark = TrainingBenchmark(batch: batch, warmup: warmup, iterations: iterations,
                                          optimize: !compile.noOptimize)
        benchmark.profile = profile
        let result = try benchmark.run(model: graph)
        let report = TrainBenchReport(model: "\(model) (zoo, seeded weights)", freeze: freeze,
                                      size: size ?? entry.defaultInputSize, result: result)
        print(json ? try report.json() : report.text())
        if profile { print(ProfileReport(steps: result.profile, everyStep: profileAll).text()) }
    }
}

/// What `graphcam bench --train` prints.
struct TrainBenchReport {
    var model: String
    var freeze: String
    var size: Int
    var result: TrainingBenchmark.Result

    var peakRSS: Int { MachineInfo.peakResidentBytes }

    func text() -> String {
        let r = result
        func f(_ x: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", x) }
        return """
            machine: \(MachineInfo.summaryLine)
            model: \(model), training \(freeze) (Adam, cross-entropy); batch \(r.batch), \(size)x\(size); \
            \(r.stepCount) steps, built and compiled in \(f(r.compileSeconds, 1)) s
            trainable parameters: \(r.trainableParameters)
            seconds per step: median \(f(r.secondsPerStep, 3)), min \(f(r.timings.min / 1000, 3)) \
            (\(r.timings.milliseconds.count) steps); \(f(r.imagesPerSecond)) images/s; last loss \(f(Double(r.lastLoss), 4))
            memory: peak RSS \(MemoryStats.megabytes(peakRSS)); planned \(MemoryStats.megabytes(r.plannedBytes)) = \
            arena \(MemoryStats.megabytes(r.memory.arenaBytes)) + model parameters \(MemoryStats.megabytes(r.modelParameterBytes)) \
            + optimizer state \(MemoryStats.megabytes(r.optimizerStateBytes))\
            \(r.memory.weightsBytes == r.modelParameterBytes + r.optimizerStateBytes ? "" : " (weights region \(MemoryStats.megabytes(r.memory.weightsBytes)))")
            """
    }

    func json() throws -> String {
        let r = result
        let object: [String: Any] = [
            "machine": MachineInfo.summaryLine, "cpu": MachineInfo.cpuModel, "cores": MachineInfo.activeCores,
            "threads": MachineInfo.workerThreads, "blas_threads": MachineInfo.blasThreads,
            "model": model, "freeze": freeze, "batch": r.batch, "size": size, "steps": r.stepCount,
            "compile_seconds": r.compileSeconds, "seconds_per_step": r.secondsPerStep,
            "min_seconds_per_step": r.timings.min / 1000, "times_ms": r.timings.milliseconds,
            "images_per_second": r.imagesPerSecond, "trainable_parameters": r.trainableParameters,
            "last_loss": Double(r.lastLoss), "peak_rss_bytes": peakRSS, "peak_rss_mb": Double(peakRSS) / 1_048_576,
            "planned_bytes": r.plannedBytes, "arena_bytes": r.memory.arenaBytes, "weights_bytes": r.memory.weightsBytes,
            "model_parameter_bytes": r.modelParameterBytes, "optimizer_state_bytes": r.optimizerStateBytes,
        ]
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }
}

/// What `graphcam bench` prints.
struct BenchReport {
    var model: String
    var batch: Int
    var inputs: [String: [Int]]
    var program: Program
    var macs: Int
    var compileMs: Double
    var timings: BenchmarkTimings

    var imagesPerSecond: Double { timings.median > 0 ? Double(batch) * 1000 / timings.median : 0 }
    var gflops: Double { timings.median > 0 ? 2 * Double(macs) / (timings.median * 1e6) : 0 }
    var peakRSS: Int { MachineInfo.peakResidentBytes }

    func text() -> String {
        let shapes = inputs.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        let stats = program.memoryStats
        func f(_ x: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", x) }
        return """
            machine: \(MachineInfo.summaryLine)
            model: \(model); \(shapes); \(program.options.optimize ? "optimized" : "not optimized"), \
            \(program.stepCount) steps, compiled in \(f(compileMs, 0)) ms
            time per batch of \(batch): median \(f(timings.median, 2)) ms, min \(f(timings.min, 2)) ms \
            (\(timings.milliseconds.count) runs)
            throughput: \(f(imagesPerSecond)) images/s, \(f(gflops)) GFLOPS (\(f(Double(macs) / 1e9, 2)) GMACs per batch)
            memory: peak RSS \(MemoryStats.megabytes(peakRSS)), \(stats.formatted())
            """
    }

    func json() throws -> String {
        let stats = program.memoryStats
        let object: [String: Any] = [
            "machine": MachineInfo.summaryLine, "cpu": MachineInfo.cpuModel, "cores": MachineInfo.activeCores,
            "threads": MachineInfo.workerThreads, "blas_threads": MachineInfo.blasThreads,
            "model": model, "batch": batch, "inputs": inputs, "optimized": program.options.optimize,
            "steps": program.stepCount, "compile_ms": compileMs,
            "median_ms": timings.median, "min_ms": timings.min, "times_ms": timings.milliseconds,
            "images_per_second": imagesPerSecond, "gflops": gflops, "macs": macs,
            "peak_rss_bytes": peakRSS, "arena_bytes": stats.arenaBytes, "naive_bytes": stats.naiveBytes,
            "weights_bytes": stats.weightsBytes,
        ]
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }
}

import ArgumentParser
import Foundation
import GraphIR
import Runtime

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Time inference of a model: ms per batch, images/s, GFLOPS, peak RSS and arena size.",
        discussion: """
            GFLOPS count 2 x the multiply-accumulates of the graph as written (before BN \
            folding and fusion), divided by the median time. Peak RSS is the process's \
            getrusage maximum, so it includes compiling the program.
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

    @OptionGroup var compile: CompileFlags

    func validate() throws {
        guard batch >= 1 else { throw ValidationError("--batch must be at least 1") }
        guard iterations >= 1 else { throw ValidationError("--iterations must be at least 1") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
    }

    func run() throws {
        if let threads { MachineInfo.setThreadCount(threads) }
        let source = try ModelSource(model, size: size)
        let shapes = try source.shapes(batch: batch, size: size)
        let macs = try Program.specialized(source.graph, inputShapes: shapes).summary.totalMACs
        let compileStart = DispatchTime.now().uptimeNanoseconds
        let program = try Program.compile(source.graph, inputShapes: shapes, options: compile.compileOptions)
        let compileMs = Double(DispatchTime.now().uptimeNanoseconds - compileStart) / 1e6
        let feeds = try ModelSource.randomInputs(shapes, graph: source.graph)
        let timings = try program.benchmark(feeds, warmup: warmup, iterations: iterations)
        let report = BenchReport(model: source.description, batch: batch, inputs: shapes, program: program,
                                 macs: macs, compileMs: compileMs, timings: timings)
        print(json ? try report.json() : report.text())
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

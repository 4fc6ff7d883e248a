import Dispatch
import Foundation
import Kernels

/// kernel-bench: times `Conv.forward` (bias + ReLU epilogue, as a fused Conv runs) on the
/// distinct convolution shapes of the zoo models, and a large SGEMM for reference.
///
///     kernel-bench [--models resnet50,resnet50-pytorch,vgg16,mobilenetv2] [--batches 1,16] [--size 112]
///                  [--reps 3] [--compare im2col,winograd2,winograd4,broadcast] [--threads N] [--quiet]
///                  [--no-gemm] [--gemm-shapes MxNxK,...] [--only depthwise,...] [--regions]
///                  [--match "96->96 k3 s2"]
///
/// `--compare` times every listed algorithm that can run a shape besides the plan's own choice
/// ("auto"), and prints totals for auto and for the best per shape. `--threads` sets both our
/// workers and OpenBLAS threads (1 gives steadier numbers on a shared machine).
struct Options {
    var models = ["resnet50", "vgg16", "mobilenetv2"]
    var batches = [1, 16]
    var size = 112
    var reps = 3
    var compare: [Conv.Algorithm] = []
    var threads: Int?
    var quiet = false
    var gemm = true
    /// Time a parallel region on the worker pool and on GCD instead (`--regions`).
    var regions = false
    /// Time only shapes whose planned algorithm is listed (all when empty).
    var only: [Conv.Algorithm] = []
    /// Time only shapes whose label contains this text (e.g. "96->96 k3 s2").
    var match: String?
    /// Extra SGEMM shapes `MxNxK` to time (the conv GEMMs in isolation); a suffix `tn`, `nt`
    /// or `tt` transposes A and / or B (the training GEMMs).
    var gemmShapes: [(dims: [Int], transA: Bool, transB: Bool)] = []

    init(_ arguments: [String]) {
        var rest = arguments.makeIterator()
        while let flag = rest.next() {
            switch flag {
            case "--models": models = (rest.next() ?? "").split(separator: ",").map(String.init)
            case "--batches": batches = (rest.next() ?? "").split(separator: ",").compactMap { Int($0) }
            case "--size": size = Int(rest.next() ?? "") ?? size
            case "--reps": reps = max(1, Int(rest.next() ?? "") ?? reps)
            case "--compare": compare = (rest.next() ?? "").split(separator: ",").compactMap { Conv.Algorithm(rawValue: String($0)) }
            case "--threads": threads = Int(rest.next() ?? "")
            case "--quiet": quiet = true
            case "--no-gemm": gemm = false
            case "--regions": regions = true
            case "--match": match = rest.next()
            case "--only": only = (rest.next() ?? "").split(separator: ",").compactMap { Conv.Algorithm(rawValue: String($0)) }
            case "--gemm-shapes":
                gemmShapes = (rest.next() ?? "").split(separator: ",").compactMap { spec in
                    let transposes = spec.suffix(2).allSatisfy { $0 == "t" || $0 == "n" } ? String(spec.suffix(2)) : "nn"
                    let dims = spec.dropLast(transposes == "nn" && !spec.hasSuffix("nn") ? 0 : 2)
                        .split(separator: "x").compactMap { Int($0) }
                    guard dims.count == 3 else { return nil }
                    return (dims, transposes.first == "t", transposes.last == "t")
                }
            default: print("unknown flag \(flag)"); exit(2)
            }
        }
    }
}

func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) * 1e-9 }

/// Best-of-`reps` seconds of `body` after one warm-up call (the machine is shared, so the
/// minimum is the least noisy estimate).
func bestTime(reps: Int, _ body: () throws -> Void) rethrows -> Double {
    try body()
    var best = Double.infinity
    for _ in 0..<reps {
        let start = now()
        try body()
        best = min(best, now() - start)
    }
    return best
}

func filled(_ count: Int, seed: UInt32) -> [Float] {
    var state = seed | 1
    return (0..<count).map { _ in
        state ^= state << 13; state ^= state >> 17; state ^= state << 5
        return Float(state % 2001) / 1000 - 1
    }
}

func benchConv(_ params: ConvParams, plan: Conv.Plan, options: Options) throws -> (seconds: Double, flops: Double) {
    let batch = params.batch
    let input = filled(batch * params.inputCountPerImage, seed: 1)
    let weight = filled(params.weightCount, seed: 2).map { $0 * 0.1 }
    let bias = filled(params.outChannels, seed: 3)
    var output = [Float](repeating: 0, count: batch * params.outputCountPerImage)
    var workspace = [Float](repeating: 0, count: max(plan.workspaceCount, 1))
    let packed = Conv.PackedWeights(plan, weight: weight)
    let seconds = try bestTime(reps: options.reps) {
        try output.withUnsafeMutableBufferPointer { y in
            try workspace.withUnsafeMutableBufferPointer { w in
                try Conv.forward(plan, input: input, weight: weight, packed: packed, bias: bias,
                                 output: y.baseAddress!, workspace: w.baseAddress,
                                 epilogue: ConvEpilogue(activation: .relu))
            }
        }
    }
    let macs = Double(batch * params.outChannels * params.outSpatial.reduce(1, *))
        * Double(params.inChannels / params.group * params.kernel.reduce(1, *))
    return (seconds, 2 * macs)
}

/// GFLOPS of `Gemm.compute` for an `m x n x k` product.
func benchGemm(m: Int, n: Int, k: Int, transA: Bool = false, transB: Bool = false, reps: Int) throws -> Double {
    let a = filled(m * k, seed: 4), b = filled(k * n, seed: 5)
    var c = [Float](repeating: 0, count: m * n)
    let seconds = try bestTime(reps: reps) {
        try Gemm.compute(transA: transA, transB: transB, m: m, n: n, k: k, alpha: 1, a: a, b: b,
                         beta: 0, c: .none, y: &c)
    }
    return 2 * Double(m * n * k) / seconds / 1e9
}

let options = Options(Array(CommandLine.arguments.dropFirst()))
if let threads = options.threads {
    Parallel.setThreadCount(threads)
    Parallel.setBLASThreadCount(threads)
}
print("cores \(ProcessInfo.processInfo.activeProcessorCount), BLAS threads \(Parallel.blasThreadCount), "
      + "GEMM \(CPUFeatures.usesAVX512GEMM ? "AVX-512 kernels" : "OpenBLAS")")
if options.regions {
    benchRegions()
    exit(0)
}
if options.gemm {
    print(String(format: "sgemm 2048^3: %.1f GFLOPS", try benchGemm(m: 2048, n: 2048, k: 2048, reps: options.reps)))
}
for shape in options.gemmShapes {
    let (d, transA, transB) = shape
    let gflops = try benchGemm(m: d[0], n: d[1], k: d[2], transA: transA, transB: transB, reps: options.reps)
    print(String(format: "sgemm %dx%dx%d%@: %.1f GFLOPS", d[0], d[1], d[2],
                 transA || transB ? " " + (transA ? "t" : "n") + (transB ? "t" : "n") : "", gflops))
}
var summary: [String] = []
for model in options.models {
    guard let layers = ModelShapes.layers(model, size: options.size) else {
        print("unknown model \(model)"); exit(2)
    }
    for batch in options.batches {
        print("\n== \(model) \(options.size)x\(options.size) batch \(batch)")
        var autoSeconds = 0.0, bestSeconds = 0.0, totalFlops = 0.0
        for (shape, count) in ModelShapes.distinct(layers) {
            let params = shape.params(batch: batch)
            let plan = try Conv.Plan(params)
            if !options.only.isEmpty, !options.only.contains(plan.algorithm) { continue }
            if let match = options.match, !shape.label.contains(match) { continue }
            let auto = try benchConv(params, plan: plan, options: options)
            var line = shape.label.padding(toLength: 34, withPad: " ", startingAt: 0)
                + String(format: " x%-2d %-10@ %8.3f ms %6.1f GF", count, plan.algorithm.rawValue,
                         auto.seconds * 1e3, auto.flops / auto.seconds / 1e9)
            var best = auto.seconds
            for algorithm in options.compare where algorithm != plan.algorithm {
                guard let other = try? Conv.Plan(params, algorithm: algorithm) else { continue }
                let r = try benchConv(params, plan: other, options: options)
                best = min(best, r.seconds)
                line += String(format: " | %@ %.3f ms %.1f GF", algorithm.rawValue, r.seconds * 1e3, r.flops / r.seconds / 1e9)
            }
            autoSeconds += auto.seconds * Double(count)
            bestSeconds += best * Double(count)
            totalFlops += auto.flops * Double(count)
            if !options.quiet { print(line) }
        }
        var line = String(format: "%@ b%d: %.1f ms, %.2f GFLOP, %.1f GFLOPS", model, batch,
                           autoSeconds * 1e3, totalFlops / 1e9, totalFlops / autoSeconds / 1e9)
        if !options.compare.isEmpty {
            line += String(format: " (best per shape: %.1f ms, %.1f GFLOPS)", bestSeconds * 1e3, totalFlops / bestSeconds / 1e9)
        }
        print("TOTAL " + line)
        summary.append(line)
    }
}
print("\nSummary:")
summary.forEach { print("  " + $0) }

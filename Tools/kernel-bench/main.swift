import Dispatch
import Foundation
import Kernels

/// kernel-bench: times `Conv.forward` (bias + ReLU epilogue, as a fused Conv runs) on the
/// distinct convolution shapes of the zoo models, and a large SGEMM for reference.
///
///     kernel-bench [--models resnet50,vgg16,mobilenetv2] [--batches 1,16] [--size 112]
///                  [--reps 3] [--algorithm im2col|pointwise|depthwise|winograd...] [--quiet]
struct Options {
    var models = ["resnet50", "vgg16", "mobilenetv2"]
    var batches = [1, 16]
    var size = 112
    var reps = 3
    var algorithm: String?
    var quiet = false
    var gemm = true

    init(_ arguments: [String]) {
        var rest = arguments.makeIterator()
        while let flag = rest.next() {
            switch flag {
            case "--models": models = (rest.next() ?? "").split(separator: ",").map(String.init)
            case "--batches": batches = (rest.next() ?? "").split(separator: ",").compactMap { Int($0) }
            case "--size": size = Int(rest.next() ?? "") ?? size
            case "--reps": reps = max(1, Int(rest.next() ?? "") ?? reps)
            case "--algorithm": algorithm = rest.next()
            case "--quiet": quiet = true
            case "--no-gemm": gemm = false
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

func benchConv(_ shape: ConvShape, batch: Int, options: Options) throws -> (seconds: Double, flops: Double, algorithm: String) {
    let params = shape.params(batch: batch)
    let plan: Conv.Plan
    if let name = options.algorithm, let forced = Conv.Algorithm(rawValue: name),
       let candidate = try? Conv.Plan(params, algorithm: forced) {
        plan = candidate
    } else {
        plan = try Conv.Plan(params)
    }
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
    return (seconds, 2 * macs, plan.algorithm.rawValue)
}

func benchGemm(_ n: Int, reps: Int) throws -> Double {
    let a = filled(n * n, seed: 4), b = filled(n * n, seed: 5)
    var c = [Float](repeating: 0, count: n * n)
    let seconds = try bestTime(reps: reps) {
        try Gemm.compute(transA: false, transB: false, m: n, n: n, k: n, alpha: 1, a: a, b: b,
                         beta: 0, c: .none, y: &c)
    }
    return 2 * Double(n * n * n) / seconds / 1e9
}

let options = Options(Array(CommandLine.arguments.dropFirst()))
print("cores \(ProcessInfo.processInfo.activeProcessorCount), BLAS threads \(Parallel.blasThreadCount)")
if options.gemm {
    print(String(format: "sgemm 2048^3: %.1f GFLOPS", try benchGemm(2048, reps: options.reps)))
}
var summary: [String] = []
for model in options.models {
    guard let layers = ModelShapes.layers(model, size: options.size) else {
        print("unknown model \(model)"); exit(2)
    }
    for batch in options.batches {
        print("\n== \(model) \(options.size)x\(options.size) batch \(batch)")
        var totalSeconds = 0.0, totalFlops = 0.0
        for (shape, count) in ModelShapes.distinct(layers) {
            let r = try benchConv(shape, batch: batch, options: options)
            totalSeconds += r.seconds * Double(count)
            totalFlops += r.flops * Double(count)
            if !options.quiet {
                let line = shape.label.padding(toLength: 36, withPad: " ", startingAt: 0)
                print(String(format: "%@ x%-2d %-10@ %8.3f ms %6.1f GFLOPS", line, count,
                             r.algorithm, r.seconds * 1e3, r.flops / r.seconds / 1e9))
            }
        }
        let line = String(format: "%@ b%d: %.1f ms, %.2f GFLOP, %.1f GFLOPS", model, batch,
                          totalSeconds * 1e3, totalFlops / 1e9, totalFlops / totalSeconds / 1e9)
        print("TOTAL " + line)
        summary.append(line)
    }
}
print("\nSummary:")
summary.forEach { print("  " + $0) }

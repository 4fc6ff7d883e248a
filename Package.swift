// swift-tools-version: 6.0
import PackageDescription

/// Numeric kernels are optimized even in debug builds: unit tests run real
/// convolutions, and -Onone makes those loops 20-50x slower.
let optimizedInDebug: [SwiftSetting] = [.unsafeFlags(["-O"], .when(configuration: .debug))]

let package = Package(
    name: "GraphCAM",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "graphcam", targets: ["graphcam"]),
        .library(name: "GraphIR", targets: ["GraphIR"]),
        .library(name: "GraphIO", targets: ["GraphIO"]),
        .library(name: "Runtime", targets: ["Runtime"]),
        .library(name: "Models", targets: ["Models"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // C libraries, each behind a one-header shim, used only at the edges.
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng",
                       providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CJPEG", pkgConfig: "libjpeg",
                       providers: [.apt(["libjpeg-dev", "libturbojpeg0-dev"])]),
        .systemLibrary(name: "CLibXML2", pkgConfig: "libxml-2.0",
                       providers: [.apt(["libxml2-dev"])]),
        // glibc's thread-affinity calls (no library to link).
        .systemLibrary(name: "CThreads"),
        // AVX-512 masked stores for KernelsAVX512 (a header of intrinsics, no library).
        .systemLibrary(name: "CMaskedStore"),

        // Protobuf wire format; knows nothing about ONNX.
        .target(name: "ProtobufWire"),
        // The graph IR: values, nodes, shapes, DSL builder, verifier, text format. Foundation only.
        .target(name: "GraphIR"),
        // ONNX import/export and the XML graph store.
        .target(name: "GraphIO", dependencies: ["GraphIR", "ProtobufWire", "CLibXML2"]),
        // Graph-to-graph passes: folding, fusion, dead-code elimination, memory planning.
        .target(name: "GraphOpt", dependencies: ["GraphIR"]),
        // Reverse-mode differentiation as a graph transform, and training graphs.
        .target(name: "Autodiff", dependencies: ["GraphIR"]),
        // Inner loops compiled for AVX-512; Kernels calls them only after checking the CPU.
        .target(name: "KernelsAVX512", dependencies: ["CMaskedStore"],
                swiftSettings: [.unsafeFlags(["-O", "-Xcc", "-mavx512f", "-Xcc", "-mavx512dq", "-Xcc", "-mfma"]),
                                .swiftLanguageMode(.v5)]),
        // CPU kernels on raw buffers; no knowledge of the IR.
        .target(name: "Kernels", dependencies: ["CBLAS", "CThreads", "KernelsAVX512"],
                swiftSettings: optimizedInDebug + [.swiftLanguageMode(.v5)]),
        // Compiles a Graph into a Program and runs it.
        .target(name: "Runtime", dependencies: ["GraphIR", "GraphOpt", "Kernels"],
                swiftSettings: optimizedInDebug + [.swiftLanguageMode(.v5)]),
        // Pixels: PNG/PGM/JPEG decode and encode, resize, augmentation, colormaps.
        .target(name: "Imaging", dependencies: ["CPNG", "CJPEG"],
                swiftSettings: optimizedInDebug),
        // MIAS, CDD-CESM, manifests, patient-level splits, the synthetic default dataset.
        .target(name: "Datasets", dependencies: ["Imaging"]),
        // The training loop, checkpoints, metrics.
        .target(name: "Training", dependencies: ["GraphIR", "Autodiff", "GraphOpt", "Runtime", "Datasets"]),
        // Grad-CAM and Grad-CAM++ over gradient queries; heatmaps, overlays, localization scores.
        .target(name: "GradCAM", dependencies: ["GraphIR", "Autodiff", "GraphOpt", "Runtime", "Imaging"]),
        // Metrics with bootstrap intervals, the end-to-end experiment and its report.
        .target(name: "Evaluation", dependencies: ["GraphIR", "Models", "Training", "GradCAM", "Datasets", "Imaging", "Autodiff"]),
        // The model zoo, declared with the DSL (Keras layer names).
        .target(name: "Models", dependencies: ["GraphIR"]),

        .executableTarget(
            name: "graphcam",
            dependencies: [
                "GraphIR", "GraphIO", "GraphOpt", "Autodiff", "Runtime", "Models",
                "Imaging", "Datasets", "Training", "GradCAM", "Evaluation",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Tools/graphcam"),
        // Times Conv.forward on the zoo's convolution shapes (see Tools/kernel-bench).
        .executableTarget(name: "kernel-bench", dependencies: ["Kernels"], path: "Tools/kernel-bench"),
        // libFuzzer entry point for the protobuf/ONNX decoder (see README, "Fuzzing").
        .executableTarget(
            name: "onnx-fuzz",
            dependencies: ["GraphIO", "ProtobufWire"],
            path: "Tools/fuzz",
            exclude: ["README.md", "make-corpus.sh"],
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]),

        .testTarget(name: "ProtobufWireTests", dependencies: ["ProtobufWire"]),
        .testTarget(name: "GraphIRTests", dependencies: ["GraphIR"]),
        .testTarget(name: "GraphIOTests", dependencies: ["GraphIO", "Models"]),
        .testTarget(name: "GraphOptTests", dependencies: ["GraphOpt", "Models", "Runtime"]),
        .testTarget(name: "AutodiffTests", dependencies: ["Autodiff", "Models", "Runtime"],
                    swiftSettings: optimizedInDebug),
        .testTarget(name: "ImagingTests", dependencies: ["Imaging"], swiftSettings: optimizedInDebug),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets", "Imaging"]),
        .testTarget(name: "TrainingTests", dependencies: ["Training", "Models"], swiftSettings: optimizedInDebug),
        .testTarget(name: "GradCAMTests", dependencies: ["GradCAM", "Models", "Training", "Datasets"],
                    swiftSettings: optimizedInDebug),
        .testTarget(name: "EvaluationTests", dependencies: ["Evaluation"], swiftSettings: optimizedInDebug),
        .testTarget(name: "KernelsTests", dependencies: ["Kernels"],
                    swiftSettings: optimizedInDebug),
        .testTarget(name: "RuntimeTests", dependencies: ["Runtime", "GraphIO", "Models"],
                    swiftSettings: optimizedInDebug),
        .testTarget(name: "ModelsTests", dependencies: ["Models", "GraphIO"]),
    ]
)

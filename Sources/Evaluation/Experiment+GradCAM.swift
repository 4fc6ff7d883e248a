import Datasets
import Foundation
import GradCAM
import GraphIR
import Imaging
import Training

extension Experiment {
    /// Explains the gallery picks and every test image with annotated lesions, scores
    /// localization on the latter and writes the gallery's PNG triples. The maps explain
    /// the positive class (abnormal), whatever was predicted, so they show where the
    /// model sees evidence of a lesion.
    func explain(_ model: Graph, prepared: PreparedModel, preprocessing: ImagePreprocessing,
                 predictions: [PredictionRecord], data: RunData) throws -> (localization: LocalizationResult?, gallery: [GalleryItem]) {
        let c = configuration
        let byID = Dictionary(data.dataset.samples.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        func lesions(_ p: PredictionRecord) -> [LesionCircle] { byID[p.imageID]?.lesions ?? [] }
        // Gallery: per outcome, images with lesions first, then the most confident.
        var picks: [(outcome: String, record: PredictionRecord)] = []
        for outcome in ["TP", "FP", "TN", "FN"] {
            let matching = predictions.filter { Self.outcome(label: $0.label, predicted: $0.predicted) == outcome }
                .sorted { a, b in
                    let la = !lesions(a).isEmpty, lb = !lesions(b).isEmpty
                    if la != lb { return la }
                    return abs(a.score - 0.5) > abs(b.score - 0.5)
                }
            picks += matching.prefix(c.galleryPerOutcome).map { (outcome, $0) }
        }
        let localized = predictions.filter { !lesions($0).isEmpty }
        var wanted: [String] = []
        for id in picks.map(\.record.imageID) + localized.map(\.imageID) where !wanted.contains(id) { wanted.append(id) }
        guard !wanted.isEmpty else { return (nil, []) }

        // Display-size images and circles.
        var displays: [Image] = [], inputs: [Image] = []
        var circles: [[Circle]] = []
        for id in wanted {
            guard let sample = byID[id] else { throw EvaluationError("test image '\(id)' is not in the dataset") }
            let image = try data.images.image(for: sample, in: data.dataset)
            let scale = min(1, Double(c.displaySize) / Double(max(image.width, image.height)))
            let w = max(1, Int((Double(image.width) * scale).rounded())), h = max(1, Int((Double(image.height) * scale).rounded()))
            displays.append(scale < 1 ? try image.resized(width: w, height: h, method: .area) : image)
            // The model sees exactly the test input (squared, resized as in training).
            inputs.append(try preprocessing.prepare(image))
            circles.append(sample.lesions.map { Circle(x: ($0.column + 0.5) * scale - 0.5, y: ($0.row + 0.5) * scale - 0.5,
                                                       radius: $0.radius * scale) })
        }
        let explainer = try GradCAMExplainer(model: model, target: prepared.entry.featureLayer,
                                             batch: min(8, displays.count), normalization: prepared.normalization)
        let explanations = try explainer.explain(inputs, classes: .given(Array(repeating: 1, count: inputs.count)))

        var hits: [String: Bool] = [:], energies: [String: Double] = [:]
        for (i, id) in wanted.enumerated() where !circles[i].isEmpty {
            let image = displays[i]
            let map = try explanations[i].map.upsampled(width: image.width, height: image.height)
            hits[id] = circles[i].contains { Localization.pointingGame(map, width: image.width, height: image.height, circle: $0) }
            energies[id] = Self.energyInside(map, width: image.width, height: image.height, circles: circles[i])
        }
        var localization: LocalizationResult? = nil
        let scoredIDs = localized.map(\.imageID)
        if !scoredIDs.isEmpty {
            let hitValues = scoredIDs.map { hits[$0] == true ? 1.0 : 0.0 }
            let energyValues = scoredIDs.map { energies[$0] ?? 0 }
            func estimate(_ values: [Double]) -> MetricEstimate {
                let interval = BootstrapInterval.ofMean(values, resamples: c.bootstrapResamples, seed: c.seed)
                return MetricEstimate(value: interval?.mean, lower: interval?.lower, upper: interval?.upper,
                                      validResamples: interval == nil ? 0 : c.bootstrapResamples)
            }
            let allZero = Set(wanted.indices.filter { explanations[$0].map.allZero }.map { wanted[$0] })
            // Per class of the lesion images (e.g. benign vs malignant), each with its own interval.
            var perClass: [String: LocalizationClassResult] = [:]
            for label in Set(localized.map(\.label)) {
                let ids = localized.filter { $0.label == label }.map(\.imageID)
                let name = label < data.dataset.classNames.count ? data.dataset.classNames[label] : "class \(label)"
                perClass[name] = LocalizationClassResult(
                    images: ids.count,
                    pointingGame: estimate(ids.map { hits[$0] == true ? 1.0 : 0.0 }),
                    energyInside: estimate(ids.map { energies[$0] ?? 0 }))
            }
            localization = LocalizationResult(images: scoredIDs.count, pointingGame: estimate(hitValues),
                                              energyInside: estimate(energyValues),
                                              allZeroMaps: scoredIDs.filter { allZero.contains($0) }.count,
                                              perClass: perClass)
        }

        let folder = directory.gradcam.appendingPathComponent(prepared.entry.name)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var gallery: [GalleryItem] = []
        for (outcome, record) in picks {
            guard let i = wanted.firstIndex(of: record.imageID) else { continue }
            let rendering = try explanations[i].map.rendered(onto: displays[i])
            let stem = Self.fileStem(record.imageID)
            let relative = "gradcam/\(prepared.entry.name)/\(stem)"
            try PNG.write(Self.drawing(circles[i], on: rendering.original), to: folder.appendingPathComponent("\(stem)_original.png").path)
            try PNG.write(rendering.heatmap, to: folder.appendingPathComponent("\(stem)_heatmap.png").path)
            try PNG.write(Self.drawing(circles[i], on: rendering.overlay), to: folder.appendingPathComponent("\(stem)_overlay.png").path)
            gallery.append(GalleryItem(outcome: outcome, imageID: record.imageID, label: record.label, predicted: record.predicted,
                                       score: record.score, original: relative + "_original.png",
                                       heatmap: relative + "_heatmap.png", overlay: relative + "_overlay.png",
                                       pointingHit: hits[record.imageID], energyInside: energies[record.imageID],
                                       mapAllZero: explanations[i].map.allZero))
        }
        return (localization, gallery)
    }

    static func outcome(label: Int, predicted: Int) -> String {
        switch (label != 0, predicted != 0) {
        case (true, true): return "TP"
        case (false, true): return "FP"
        case (false, false): return "TN"
        case (true, false): return "FN"
        }
    }

    /// The share of the map's mass inside any of the circles (each pixel counted once).
    static func energyInside(_ map: [Float], width: Int, height: Int, circles: [Circle]) -> Double {
        guard width > 0, map.count == width * height else { return 0 }
        var total = 0.0, inside = 0.0
        for (i, v) in map.enumerated() where v > 0 {
            total += Double(v)
            let x = Double(i % width), y = Double(i / width)
            if circles.contains(where: { $0.contains(x: x, y: y) }) { inside += Double(v) }
        }
        return total > 0 ? inside / total : 0
    }

    /// `image` (RGB) with the circles' outlines drawn in green, two pixels wide.
    static func drawing(_ circles: [Circle], on image: Image) throws -> Image {
        guard !circles.isEmpty, image.channels >= 3 else { return image }
        return try Image(width: image.width, height: image.height, channels: image.channels) { x, y, channel in
            let onOutline = circles.contains { c in
                let d = ((Double(x) - c.x) * (Double(x) - c.x) + (Double(y) - c.y) * (Double(y) - c.y)).squareRoot()
                return abs(d - c.radius) <= 1.0
            }
            guard onOutline, channel < 3 else { return image[x, y, channel] }
            return channel == 1 ? 255 : 0
        }
    }

    /// A file name stem from an image id (letters, digits, '-', '_', '.').
    static func fileStem(_ id: String) -> String {
        String(id.map { $0.isLetter || $0.isNumber || "-_.".contains($0) ? $0 : "_" })
    }
}

import GraphIR
import Imaging

/// One explained image.
public struct CAMExplanation: Sendable {
    /// Index of the image in the list given to `explain`.
    public var index: Int
    public var predicted: Int
    /// The class the map explains.
    public var explainedClass: Int
    /// The score source row (logits by default) and, with a Softmax head, probabilities.
    public var logits: [Float]
    public var probabilities: [Float]?
    /// The map at feature-map resolution.
    public var map: ClassActivationMap
    /// Original, heatmap and overlay at the original image's size.
    public var rendering: CAMRendering
}

/// Images in, class-activation maps and their renderings out: preprocessing (channels,
/// resize to the model input, normalization), batched gradient queries, Grad-CAM or
/// Grad-CAM++, upsampling to each image's own size and coloring.
public final class GradCAMExplainer {
    public let query: GradientQuery
    public let method: CAMMethod
    public let normalization: InputNormalization

    /// - Parameters:
    ///   - target: a layer name (resolved by `TargetResolver`), e.g. `conv5_block3_out`;
    ///     nil takes `TargetResolver.usualTarget` (the input of the last global pooling).
    public init(model: Graph, target: String?, batch: Int, method: CAMMethod = .gradCAM,
                normalization: InputNormalization, options: GradientQuery.Options = .init()) throws {
        guard let name = target ?? TargetResolver.usualTarget(in: model).map({ model[$0].name }) else {
            throw GradCAMError(model.name, "no 4-D activation to explain; name a target layer")
        }
        query = try GradientQuery(model: model, targets: [name], batch: batch, options: options)
        self.method = method
        self.normalization = normalization
    }

    /// The resolved target value name.
    public var targetName: String { query.targetNames[0] }

    /// The model input `[C, H, W]` of one image: its channels converted, resized
    /// (bilinear) and normalized.
    public func inputTensor(_ image: Image) throws -> [Float] {
        let c = query.imageShape[0], h = query.imageShape[1], w = query.imageShape[2]
        let converted = c == 3 && image.channels != 3 ? image.expandedToRGB() : try image.converted(toChannels: c)
        return try converted.resized(width: w, height: h, method: .bilinear).tensorCHW(normalization)
    }

    /// Explains every image, `query.batch` at a time. `classes` of `.given` has one entry
    /// per image. `progress(done, total)` is called after each batch.
    public func explain(_ images: [Image], classes: GradientQuery.Classes = .predicted,
                        progress: ((Int, Int) -> Void)? = nil) throws -> [CAMExplanation] {
        if case .given(let list) = classes, list.count != images.count {
            throw GradCAMError("classes", "\(list.count) classes given for \(images.count) images")
        }
        var out: [CAMExplanation] = []
        var start = 0
        while start < images.count {
            let chunk = Array(images[start..<min(start + query.batch, images.count)])
            var pixels: [Float] = []
            for image in chunk { pixels += try inputTensor(image) }
            let chosen: GradientQuery.Classes
            if case .given(let list) = classes { chosen = .given(Array(list[start..<(start + chunk.count)])) } else { chosen = .predicted }
            let result = try query.run(Tensor(shape: [chunk.count] + query.imageShape, floats: pixels), classes: chosen)
            let k = result.classCount
            for (i, image) in chunk.enumerated() {
                let map = try GradCAM.map(result.targets[0], image: i, method: method)
                out.append(CAMExplanation(index: start + i, predicted: result.predicted[i], explainedClass: result.classes[i],
                                          logits: Array(result.logits[(i * k)..<((i + 1) * k)]),
                                          probabilities: result.probabilities.map { Array($0[(i * k)..<((i + 1) * k)]) },
                                          map: map, rendering: try map.rendered(onto: image)))
            }
            start += chunk.count
            progress?(start, images.count)
        }
        return out
    }
}

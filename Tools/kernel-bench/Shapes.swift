import Kernels

/// One convolution layer shape of a benchmark model (batch supplied at run time).
struct ConvShape: Hashable {
    var inChannels: Int
    var outChannels: Int
    var kernel: Int
    var stride: Int
    var padBegin: Int
    var padEnd: Int
    var spatial: Int
    var group: Int = 1

    func params(batch: Int) -> ConvParams {
        ConvParams(batch: batch, inChannels: inChannels, outChannels: outChannels, group: group,
                   inSpatial: [spatial, spatial], kernel: [kernel, kernel],
                   strides: [stride, stride], padsBegin: [padBegin, padBegin], padsEnd: [padEnd, padEnd])
    }

    var label: String {
        let g = group > 1 ? " g\(group)" : ""
        return "\(inChannels)->\(outChannels) k\(kernel) s\(stride) p\(padBegin)/\(padEnd) @\(spatial)\(g)"
    }
}

/// The convolution layers of the zoo models at a given input size, in network order
/// (hard-coded from the Keras definitions in Sources/Models; repeats are kept, then counted).
enum ModelShapes {
    static func layers(_ model: String, size: Int) -> [ConvShape]? {
        switch model {
        case "resnet50": return resnet50(size)
        case "resnet50-pytorch": return resnet50(size, strideIn3x3: true)
        case "vgg16": return vgg16(size)
        case "mobilenetv2": return mobileNetV2(size)
        default: return nil
        }
    }

    /// Distinct shapes with how often each occurs, in first-seen order.
    static func distinct(_ layers: [ConvShape]) -> [(shape: ConvShape, count: Int)] {
        var order: [ConvShape] = []
        var counts: [ConvShape: Int] = [:]
        for layer in layers {
            if counts[layer] == nil { order.append(layer) }
            counts[layer, default: 0] += 1
        }
        return order.map { ($0, counts[$0]!) }
    }

    /// Keras ResNet50 strides a block's first 1x1 conv; torchvision's (`strideIn3x3`, the
    /// files `Tools/bench` compares with onnxruntime) strides its 3x3 conv instead.
    static func resnet50(_ size: Int, strideIn3x3: Bool = false) -> [ConvShape] {
        var layers = [ConvShape(inChannels: 3, outChannels: 64, kernel: 7, stride: 2, padBegin: 3, padEnd: 3, spatial: size)]
        var spatial = (size + 6 - 7) / 2 + 1      // conv1
        spatial = (spatial + 2 - 3) / 2 + 1       // pool1 (3x3 s2 p1)
        var channels = 64
        for (filters, blocks, stride) in [(64, 3, 1), (128, 4, 2), (256, 6, 2), (512, 3, 2)] {
            for block in 0..<blocks {
                let s = block == 0 ? stride : 1
                let outSpatial = (spatial - 1) / s + 1
                if strideIn3x3 {
                    layers.append(ConvShape(inChannels: channels, outChannels: filters, kernel: 1, stride: 1, padBegin: 0, padEnd: 0, spatial: spatial))
                    layers.append(ConvShape(inChannels: filters, outChannels: filters, kernel: 3, stride: s, padBegin: 1, padEnd: 1, spatial: spatial))
                } else {
                    layers.append(ConvShape(inChannels: channels, outChannels: filters, kernel: 1, stride: s, padBegin: 0, padEnd: 0, spatial: spatial))
                    layers.append(ConvShape(inChannels: filters, outChannels: filters, kernel: 3, stride: 1, padBegin: 1, padEnd: 1, spatial: outSpatial))
                }
                layers.append(ConvShape(inChannels: filters, outChannels: 4 * filters, kernel: 1, stride: 1, padBegin: 0, padEnd: 0, spatial: outSpatial))
                if block == 0 {
                    layers.append(ConvShape(inChannels: channels, outChannels: 4 * filters, kernel: 1, stride: s, padBegin: 0, padEnd: 0, spatial: spatial))
                }
                channels = 4 * filters
                spatial = outSpatial
            }
        }
        return layers
    }

    static func vgg16(_ size: Int) -> [ConvShape] {
        var layers: [ConvShape] = []
        var spatial = size
        var channels = 3
        for (filters, convs) in [(64, 2), (128, 2), (256, 3), (512, 3), (512, 3)] {
            for _ in 0..<convs {
                layers.append(ConvShape(inChannels: channels, outChannels: filters, kernel: 3, stride: 1, padBegin: 1, padEnd: 1, spatial: spatial))
                channels = filters
            }
            spatial /= 2
        }
        return layers
    }

    static func mobileNetV2(_ size: Int) -> [ConvShape] {
        // Stem: "same" padding with stride 2 on an even size pads 0 before, 1 after.
        var layers = [ConvShape(inChannels: 3, outChannels: 32, kernel: 3, stride: 2, padBegin: 0, padEnd: 1, spatial: size)]
        var spatial = size / 2
        var channels = 32
        let blocks = [(16, 1, 1), (24, 2, 6), (24, 1, 6), (32, 2, 6), (32, 1, 6), (32, 1, 6),
                      (64, 2, 6), (64, 1, 6), (64, 1, 6), (64, 1, 6), (96, 1, 6), (96, 1, 6), (96, 1, 6),
                      (160, 2, 6), (160, 1, 6), (160, 1, 6), (320, 1, 6)]
        for (filters, stride, expansion) in blocks {
            let expanded = channels * expansion
            if expansion != 1 {
                layers.append(ConvShape(inChannels: channels, outChannels: expanded, kernel: 1, stride: 1, padBegin: 0, padEnd: 0, spatial: spatial))
            }
            // Stride-2 blocks zero-pad (0 before, 1 after on even sizes) then run a valid conv.
            let (pb, pe) = stride == 1 ? (1, 1) : (spatial % 2 == 0 ? 0 : 1, 1)
            layers.append(ConvShape(inChannels: expanded, outChannels: expanded, kernel: 3, stride: stride, padBegin: pb, padEnd: pe, spatial: spatial, group: expanded))
            spatial = (spatial + pb + pe - 3) / stride + 1
            layers.append(ConvShape(inChannels: expanded, outChannels: filters, kernel: 1, stride: 1, padBegin: 0, padEnd: 0, spatial: spatial))
            channels = filters
        }
        layers.append(ConvShape(inChannels: channels, outChannels: 1280, kernel: 1, stride: 1, padBegin: 0, padEnd: 0, spatial: spatial))
        return layers
    }
}

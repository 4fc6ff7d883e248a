// REFERENCE IMPLEMENTATIONS - naive loops, written for correctness (ONNX semantics) and
// readability, not speed. They let the runtime run whole networks now; the optimized
// kernels of the Kernels module replace them one `StepKernel` case at a time.

/// Naive reference kernels for the heavy ops.
enum ReferenceKernels {
    /// Grouped, strided, dilated, padded 2-D convolution; weights are
    /// [outC, inC/group, kH, kW]; `bias` has outC values.
    static func conv(_ g: ConvGeometry, x: UnsafePointer<Float>, w: UnsafePointer<Float>,
                     bias: UnsafePointer<Float>?, y: UnsafeMutablePointer<Float>) {
        let inPerGroup = g.inChannels / g.group, outPerGroup = g.outChannels / g.group
        for n in 0..<g.batch {
            for oc in 0..<g.outChannels {
                let group = oc / outPerGroup
                for oh in 0..<g.outHeight {
                    for ow in 0..<g.outWidth {
                        var sum: Float = bias?[oc] ?? 0
                        for ic in 0..<inPerGroup {
                            let c = group * inPerGroup + ic
                            for kh in 0..<g.kernelHeight {
                                let ih = oh * g.strideHeight - g.padTop + kh * g.dilationHeight
                                guard ih >= 0, ih < g.inHeight else { continue }
                                for kw in 0..<g.kernelWidth {
                                    let iw = ow * g.strideWidth - g.padLeft + kw * g.dilationWidth
                                    guard iw >= 0, iw < g.inWidth else { continue }
                                    let xv = x[((n * g.inChannels + c) * g.inHeight + ih) * g.inWidth + iw]
                                    let wv = w[((oc * inPerGroup + ic) * g.kernelHeight + kh) * g.kernelWidth + kw]
                                    sum += xv * wv
                                }
                            }
                        }
                        y[((n * g.outChannels + oc) * g.outHeight + oh) * g.outWidth + ow] = sum
                    }
                }
            }
        }
    }

    /// Max pooling. `indices`, when given, receives ONNX's flat index of each maximum into
    /// the input: row-major `(n*C + c)*H*W + h*W + w`, or column-major within the plane
    /// (`h + w*H`) when `storageOrder` is 1. Padding never wins.
    static func maxPool(_ g: PoolGeometry, storageOrder: Int, x: UnsafePointer<Float>,
                        y: UnsafeMutablePointer<Float>, indices: UnsafeMutablePointer<Int64>?) {
        let plane = g.inHeight * g.inWidth
        for nc in 0..<(g.batch * g.channels) {
            for oh in 0..<g.outHeight {
                for ow in 0..<g.outWidth {
                    var best = -Float.infinity, bestIndex = -1
                    for kh in 0..<g.kernelHeight {
                        let ih = oh * g.strideHeight - g.padTop + kh * g.dilationHeight
                        guard ih >= 0, ih < g.inHeight else { continue }
                        for kw in 0..<g.kernelWidth {
                            let iw = ow * g.strideWidth - g.padLeft + kw * g.dilationWidth
                            guard iw >= 0, iw < g.inWidth else { continue }
                            let v = x[nc * plane + ih * g.inWidth + iw]
                            if v > best || bestIndex < 0 {
                                best = v
                                bestIndex = storageOrder == 1 ? ih + iw * g.inHeight : ih * g.inWidth + iw
                            }
                        }
                    }
                    let o = (nc * g.outHeight + oh) * g.outWidth + ow
                    y[o] = best
                    indices?[o] = Int64(nc * plane + max(bestIndex, 0))
                }
            }
        }
    }

    /// Average pooling. With `countIncludePad` the divisor counts window positions inside
    /// the explicitly padded input (not the extra positions ceil_mode adds past the end
    /// padding); without it, only positions inside the input.
    static func averagePool(_ g: PoolGeometry, countIncludePad: Bool, x: UnsafePointer<Float>,
                            y: UnsafeMutablePointer<Float>) {
        let plane = g.inHeight * g.inWidth
        for nc in 0..<(g.batch * g.channels) {
            for oh in 0..<g.outHeight {
                for ow in 0..<g.outWidth {
                    var sum: Float = 0, inside = 0, padded = 0
                    for kh in 0..<g.kernelHeight {
                        let ih = oh * g.strideHeight - g.padTop + kh * g.dilationHeight
                        guard ih < g.inHeight + g.padBottom else { continue }
                        for kw in 0..<g.kernelWidth {
                            let iw = ow * g.strideWidth - g.padLeft + kw * g.dilationWidth
                            guard iw < g.inWidth + g.padRight else { continue }
                            padded += 1
                            guard ih >= 0, ih < g.inHeight, iw >= 0, iw < g.inWidth else { continue }
                            inside += 1
                            sum += x[nc * plane + ih * g.inWidth + iw]
                        }
                    }
                    let divisor = countIncludePad ? padded : inside
                    y[(nc * g.outHeight + oh) * g.outWidth + ow] = divisor > 0 ? sum / Float(divisor) : 0
                }
            }
        }
    }

    static func globalPool(batchChannels: Int, spatial: Int, max isMax: Bool,
                           x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>) {
        for nc in 0..<batchChannels {
            let row = x + nc * spatial
            if isMax {
                var m = -Float.infinity
                for i in 0..<spatial { m = max(m, row[i]) }
                y[nc] = m
            } else {
                var s: Float = 0
                for i in 0..<spatial { s += row[i] }
                y[nc] = s / Float(spatial)
            }
        }
    }

    /// BatchNormalization. Inference uses the given statistics. Training mode normalizes
    /// with the batch mean and biased variance and, when asked, writes the updated running
    /// statistics `running * momentum + batch * (1 - momentum)` (ONNX reference semantics).
    static func batchNorm(_ g: BatchNormGeometry, x: UnsafePointer<Float>, scale: UnsafePointer<Float>,
                          bias: UnsafePointer<Float>, mean: UnsafePointer<Float>, variance: UnsafePointer<Float>,
                          y: UnsafeMutablePointer<Float>, runningMean: UnsafeMutablePointer<Float>?,
                          runningVariance: UnsafeMutablePointer<Float>?) {
        for c in 0..<g.channels {
            var mu = mean[c], sigma2 = variance[c]
            if g.training {
                var s: Double = 0, s2: Double = 0
                for n in 0..<g.batch {
                    let row = x + (n * g.channels + c) * g.spatial
                    for i in 0..<g.spatial { s += Double(row[i]) }
                }
                let count = Double(g.batch * g.spatial)
                let m = s / count
                for n in 0..<g.batch {
                    let row = x + (n * g.channels + c) * g.spatial
                    for i in 0..<g.spatial { let d = Double(row[i]) - m; s2 += d * d }
                }
                let batchMean = Float(m), batchVariance = Float(s2 / count)
                runningMean?[c] = mean[c] * g.momentum + batchMean * (1 - g.momentum)
                runningVariance?[c] = variance[c] * g.momentum + batchVariance * (1 - g.momentum)
                mu = batchMean
                sigma2 = batchVariance
            }
            let k = scale[c] / (sigma2 + g.epsilon).squareRoot()
            let b = bias[c] - mu * k
            for n in 0..<g.batch {
                let base = (n * g.channels + c) * g.spatial
                for i in 0..<g.spatial { y[base + i] = x[base + i] * k + b }
            }
        }
    }

    /// Y = alpha * op(A) * op(B) + beta * C (C broadcast through its strides).
    static func gemm(_ g: GemmGeometry, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
                     c: UnsafePointer<Float>?, y: UnsafeMutablePointer<Float>) {
        for i in 0..<g.m {
            for j in 0..<g.n {
                var sum: Float = 0
                for p in 0..<g.k {
                    let av = g.transA ? a[p * g.m + i] : a[i * g.k + p]
                    let bv = g.transB ? b[j * g.k + p] : b[p * g.n + j]
                    sum += av * bv
                }
                var v = g.alpha * sum
                if let c, let s = g.cStrides { v += g.beta * c[i * s.row + j * s.column] }
                y[i * g.n + j] = v
            }
        }
    }

    /// Batched matrix product with precomputed (broadcast) batch offsets.
    static func matMul(_ g: MatMulGeometry, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
                       y: UnsafeMutablePointer<Float>) {
        for batch in g.aOffsets.indices {
            let pa = a + g.aOffsets[batch], pb = b + g.bOffsets[batch], py = y + batch * g.m * g.n
            for i in 0..<g.m {
                for j in 0..<g.n {
                    var sum: Float = 0
                    for p in 0..<g.k { sum += pa[i * g.k + p] * pb[p * g.n + j] }
                    py[i * g.n + j] = sum
                }
            }
        }
    }
}

import Foundation
import Testing
import GraphIR
@testable import GraphIO

@Suite("ONNX import of conformance models", .enabled(if: Conformance.isAvailable))
struct ONNXConformanceImportTests {
    func load(_ test: String, inputShapes: [String: [Int]]? = nil, inputValues: [String: Tensor] = [:]) throws -> Graph {
        try ONNXImporter.load(url: try Conformance.model(test), inputShapes: inputShapes, inputValues: inputValues)
    }

    @Test("Conv with strides and padding keeps its attributes and infers [1,1,4,3]")
    func convStridesPadding() throws {
        let g = try load("node/test_conv_with_strides_padding")
        let conv = try #require(g.nodes.first)
        #expect(conv.op == .conv)
        #expect(conv.attributes.ints("strides") == [2, 2])
        #expect(conv.attributes.ints("pads") == [1, 1, 1, 1])
        #expect(conv.attributes.ints("kernel_shape") == [3, 3])
        #expect(g.inputs.map { g[$0].name } == ["x", "W"])
        #expect(g[g.outputs[0]].type == TensorType(.float32, [1, 1, 4, 3]))
    }

    @Test("MaxPool with pads infers the padded output: 28 + 2 + 2 - 3 + 1 = 30")
    func maxPoolPads() throws {
        let g = try load("node/test_maxpool_2d_pads")
        #expect(g.nodes.map(\.op) == [.maxPool])
        #expect(g.nodes[0].attributes.ints("pads") == [2, 2, 2, 2])
        #expect(g[g.outputs[0]].type == TensorType(.float32, [1, 3, 30, 30]))
    }

    @Test("Softmax opset 13 keeps axis 1 as one node")
    func softmaxAxis1() throws {
        let g = try load("node/test_softmax_axis_1")
        #expect(g.nodes.count == 1)
        #expect(g.nodes[0].op == .softmax && g.nodes[0].attributes.int("axis") == 1)
        #expect(g[g.outputs[0]].type == TensorType(.float32, [3, 4, 5]))
    }

    @Test("opset-6 LogSoftmax on the last axis becomes axis -1 without reshapes")
    func legacyLogSoftmaxLastAxis() throws {
        let g = try load("pytorch-converted/test_log_softmax_dim3")
        #expect(g.nodes.map(\.op) == [.logSoftmax])
        #expect(g.nodes[0].attributes.int("axis") == -1)
    }

    @Test("Reshape to a shape fed as an input: typed from the declared output, static once the value is given")
    func reshapeShapeInput() throws {
        let test = "node/test_reshape_reduced_dims"
        let loose = try load(test)
        #expect(loose.type(of: "reshaped") == TensorType(.float32, [2, 12]))
        let shape = try Conformance.input(test, 1)
        let g = try load(test, inputShapes: ["data": [2, 3, 4], "shape": [2]], inputValues: ["shape": shape])
        #expect(g.type(of: "reshaped") == TensorType(.float32, [2, 12]))
        #expect(g[try #require(g.value(named: "shape"))].data == shape)
    }

    @Test("Clip opset 13 takes bounds as inputs; opset 6 min/max attributes become constant inputs")
    func clipForms() throws {
        let modern = try load("node/test_clip")
        #expect(modern.nodes[0].inputs.count == 3)
        let legacy = try load("pytorch-operator/test_operator_clip")
        let clip = try #require(legacy.nodes.first)
        #expect(clip.op == .clip && clip.attributes.isEmpty)
        let lo = try #require(clip.inputs[1]), hi = try #require(clip.inputs[2])
        #expect(legacy[lo].role == .constant && legacy[lo].data == .scalar(-0.5))
        #expect(legacy[hi].data == .scalar(0.5))
    }

    @Test("opset-6 ReduceMean axes and Pad pads attributes become operand inputs")
    func legacyOperands() throws {
        let mean = try load("pytorch-operator/test_operator_reduced_mean")
        let rm = try #require(mean.nodes.first)
        #expect(rm.attributes.int("keepdims") == 0 && rm.attributes.ints("axes") == nil)
        #expect(mean[try #require(rm.inputs[1])].data == .int64Vector([2]))
        #expect(mean[mean.outputs[0]].type == TensorType(.float32, [1, 2, 4]))

        let pad = try load("pytorch-operator/test_operator_pad")
        let p = try #require(pad.nodes.first)
        #expect(p.attributes.string("mode") == "reflect")
        #expect(pad[try #require(p.inputs[1])].data == .int64Vector([0, 0, 0, 2, 0, 0, 1, 3]))
        #expect(pad[pad.outputs[0]].type == TensorType(.float32, [1, 1, 3, 9]))
    }

    @Test("IR v3 graph inputs with initializers become trainable parameters with data")
    func initializersAsParameters() throws {
        let g = try load("pytorch-converted/test_Conv2d")
        #expect(g.inputs.map { g[$0].name } == ["0"])
        let w = try #require(g.value(named: "1"))
        #expect(g[w].role == .parameter && g[w].trainable)
        #expect(g[w].data?.shape == [4, 3, 3, 2])
        #expect(g.type(of: "3") == TensorType(.float32, [2, 4, 5, 4]))
    }

    @Test("Dropout (opset 11) and Unsqueeze with an axes input (opset 25) import as in the file")
    func passThrough() throws {
        let d = try load("node/test_dropout_default_old")
        #expect(d.nodes.map(\.op) == [.dropout])
        let u = try load("node/test_unsqueeze_two_axes")
        #expect(u.nodes.map(\.op) == [.unsqueeze] && u.nodes[0].inputs.count == 2)
    }

    @Test("every conformance model imports with its declared output types, except unsupported Resize")
    func allModels() throws {
        var imported = 0
        for test in Conformance.allTests {
            let url = try Conformance.model(test)
            if test.contains("resize") {
                let e = try #require(throws: ONNXImportError.self) { try ONNXImporter.load(url: url) }
                #expect(e.message.contains("unsupported operator 'Resize'"), "\(test)")
                continue
            }
            let g: Graph
            do { g = try ONNXImporter.load(url: url) } catch {
                Issue.record("\(test): \(error)")
                continue
            }
            let declared = try ONNXModelProto(decoding: Array(try Data(contentsOf: url))).graph.outputs
            for (id, vi) in zip(g.outputs, declared) where vi.dims != nil {
                let want = vi.dims!.map { d -> Dim in
                    if case .value(let v) = d { return .known(Int(v)) }
                    if case .param(let p) = d { return .symbolic(p) }
                    return .symbolic("?")
                }
                #expect(g[id].type.shape == Shape(want), "\(test): output \(vi.name)")
            }
            imported += 1
        }
        #expect(imported > 300)
    }
}

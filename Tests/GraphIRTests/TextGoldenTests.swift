import Testing
@testable import GraphIR

@Suite("Text format: golden output")
struct TextGoldenTests {
    @Test func residualGraphPrintsOneLinePerDeclarationAndNode() throws {
        let g = try TestGraphs.residual()
        // Declarations sit where their values were defined; parameters print no data,
        // constants print theirs; the omitted Conv bias is `_`.
        let expected = """
            graph tiny_resnet {
              input %image : f32[N,3,8,8]
              param %conv1/kernel : f32[4,3,3,3] trainable
              %conv1 = Conv(%image, %conv1/kernel, _) {pads=[1,1,1,1]} : f32[N,4,8,8]
              param %bn1/gamma : f32[4] trainable
              param %bn1/beta : f32[4] trainable
              param %bn1/moving_mean : f32[4] frozen
              param %bn1/moving_variance : f32[4] frozen
              %bn1 = BatchNormalization(%conv1, %bn1/gamma, %bn1/beta, %bn1/moving_mean, %bn1/moving_variance) {epsilon=0.001} : f32[N,4,8,8]
              %relu1 = Relu(%bn1) : f32[N,4,8,8]
              param %conv2/kernel : f32[4,4,1,1] trainable
              param %conv2/bias : f32[4] trainable
              %conv2 = Conv(%relu1, %conv2/kernel, %conv2/bias) : f32[N,4,8,8]
              %add = Add(%relu1, %conv2) : f32[N,4,8,8]
              %out = Relu(%add) : f32[N,4,8,8]
              %pool = MaxPool(%out) {kernel_shape=[2,2], strides=[2,2]} : f32[N,4,4,4]
              const %flat_shape : i64[2] = [0,-1]
              %flatten = Reshape(%pool, %flat_shape) : f32[N,64]
              param %dense/kernel : f32[10,64] trainable
              param %dense/bias : f32[10] trainable
              %dense = Gemm(%flatten, %dense/kernel, %dense/bias) {transB=1} : f32[N,10]
              %probs = Softmax(%dense) {axis=-1} : f32[N,10]
              output %probs
            }

            """
        #expect(g.textDescription == expected)
    }

    @Test func multiOutputNodeWithItsOwnNameAndQuotedNames() throws {
        var b = GraphBuilder(name: "pool net")
        let x = b.input("in 0", TensorType(.float32, [.symbolic("batch size"), 2, 4, 4]))
        try b.node(.maxPool, "pool node", [x], ["kernel_shape": .ints([2, 2]), "strides": .ints([2, 2])],
                   outputNames: ["y", "y:1"])
        b.output(ValueID(1))
        b.output(ValueID(2))
        let expected = """
            graph "pool net" {
              input %"in 0" : f32["batch size",2,4,4]
              %y, %y:1 = MaxPool(%"in 0") {kernel_shape=[2,2], strides=[2,2]} : f32["batch size",2,2,2], i64["batch size",2,2,2] @"pool node"
              output %y
              output %y:1
            }

            """
        #expect(b.graph.textDescription == expected)
    }

    @Test func attributeValuesOfEveryKind() {
        #expect(Graph.attributeText(.int(-3)) == "-3")
        #expect(Graph.attributeText(.float(1)) == "1.0")
        #expect(Graph.attributeText(.float(1e-5)) == "1e-05")
        #expect(Graph.attributeText(.float(-.infinity)) == "-inf")
        #expect(Graph.attributeText(.string("a \"b\"\n")) == #""a \"b\"\n""#)
        #expect(Graph.attributeText(.ints([])) == "ints[]")
        #expect(Graph.attributeText(.floats([0.5, 2])) == "[0.5,2.0]")
        #expect(Graph.attributeText(.strings(["x", "y z"])) == #"["x","y z"]"#)
        #expect(Graph.attributeText(.tensor(.int64Vector([0, -1]))) == "tensor<i64[2]>[0,-1]")
        #expect(Graph.attributeText(.tensor(.scalar(0.25))) == "tensor<f32[]>[0.25]")
    }
}

import Testing
@testable import GraphIR

@Suite("Graph summary")
struct SummaryTests {
    @Test func countsParametersAndMACsOfTheResidualNet() throws {
        let s = try TestGraphs.residual().specialized(["N": 16]).summary
        // conv1 4*3*3*3 + bn gamma/beta 4+4 + conv2 4*4 + 4 + dense 10*64 + 10; BN statistics are frozen.
        #expect(s.trainableParameters == 108 + 8 + 16 + 4 + 640 + 10)
        #expect(s.frozenParameters == 8)
        #expect(s.trainableBytes == 786 * 4 && s.frozenBytes == 32)
        // conv1: 16*4*8*8 outputs x 3*3*3; conv2: 4096 x 4; dense: 16 x 10 x 64.
        let macs = Dictionary(uniqueKeysWithValues: s.rows.map { ($0.node, $0.macs) })
        #expect(macs["conv1"] == 4096 * 27)
        #expect(macs["conv2"] == 4096 * 4)
        #expect(macs["dense"] == 16 * 10 * 64)
        #expect(macs["relu1"] == 0)
        #expect(s.totalMACs == 110_592 + 16_384 + 10_240)
        #expect(s.nodesWithUnknownMACs == 0)
        #expect(s.opCounts.map { "\($0.op.rawValue) \($0.count)" }
                == ["Conv 2", "Relu 2", "Add 1", "BatchNormalization 1", "Gemm 1", "MaxPool 1", "Reshape 1", "Softmax 1"])
        #expect(s.rows.first { $0.node == "bn1" }?.parameterElements == 16)
    }

    @Test func symbolicShapesLeaveMACsUnknown() throws {
        let s = try TestGraphs.residual().summary
        #expect(s.nodesWithUnknownMACs == 3)
        #expect(s.totalMACs == 0)
        #expect(s.formatted().contains("MACs: 0 (+ 3 nodes with symbolic shapes)"))
    }

    @Test func groupedConvAndBatchedMatMul() throws {
        var b = GraphBuilder(name: "g")
        let x = b.input("x", f32(1, 8, 5, 5))
        let w = b.parameter("w", shape: [8, 2, 3, 3], initializer: .zeros)
        _ = try b.add(.conv, "conv", [x, w], ["group": .int(4)])
        let a = b.input("a", f32(2, 4, 3))
        let m = b.input("m", f32(3, 5))
        _ = try b.add(.matMul, "mm", [a, m])
        let rows = b.graph.summary.rows
        #expect(rows[0].macs == 8 * 3 * 3 * (2 * 3 * 3))  // out elements x Cin/group x kernel
        #expect(rows[1].macs == 2 * 4 * 5 * 3)
    }

    @Test func formattedTableIsAligned() throws {
        let text = try TestGraphs.convRelu().summary.formatted()
        let expected = """
            Graph conv_relu: 2 nodes
            Node  Op    Output        Params  MACs
            ----  ----  ------------  ------  ----
            conv  Conv  f32[1,8,2,2]     216   864
            relu  Relu  f32[1,8,2,2]       0     0
            Parameters: 216 (0.00 MiB)
              trainable: 216 (0.00 MiB)
              frozen:    0 (0.00 MiB)
            MACs: 864
            Ops: Conv 1, Relu 1

            """
        #expect(text == expected)
        #expect(GraphSummary.grouped(25_557_032) == "25,557,032")
        #expect(GraphSummary.megabytes(25_557_032 * 4) == "97.49 MiB")
    }
}

@Suite("Summary of fused graphs")
struct FusedSummaryTests {
    /// A FusedConv does the same multiply-accumulates as the Conv it replaced.
    @Test func fusedConvCountsItsMACs() throws {
        var b = GraphBuilder(name: "fused")
        let x = b.input("x", TensorType(.float32, Shape([1, 3, 8, 8])))
        let w = b.parameter("w", shape: [4, 3, 3, 3], initializer: .zeros)
        let y = try b.add(.fusedConv, "y", [x, w], ["pads": .ints([1, 1, 1, 1]), "activation": .string("Relu")])
        b.output(y)
        // 4 x 8 x 8 outputs, each 3 x 3 x 3 products.
        #expect(b.graph.summary.totalMACs == 4 * 8 * 8 * 27)
    }
}

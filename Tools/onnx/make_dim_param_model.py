#!/usr/bin/env python3
"""Writes a small ONNX model with a dynamic batch (dim_param "batch") using onnx.helper.

The graph is what PyTorch exports for conv -> relu -> global pool -> flatten -> fc with
a dynamic batch: the flatten is a Shape -> Gather -> Unsqueeze -> Concat -> Reshape
subgraph. GraphIOTests runs this (when Python with onnx is available) and checks that
the importer keeps the symbolic batch and specializes it away when given input shapes.

usage: make_dim_param_model.py OUT.onnx
"""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def main(out_path: str) -> None:
    rng = np.random.default_rng(7)
    weights = [
        numpy_helper.from_array(rng.standard_normal((8, 3, 3, 3)).astype(np.float32), "conv.weight"),
        numpy_helper.from_array(rng.standard_normal((8,)).astype(np.float32), "conv.bias"),
        numpy_helper.from_array(rng.standard_normal((4, 8)).astype(np.float32), "fc.weight"),
        numpy_helper.from_array(rng.standard_normal((4,)).astype(np.float32), "fc.bias"),
        numpy_helper.from_array(np.array(0, dtype=np.int64), "zero"),
        numpy_helper.from_array(np.array([0], dtype=np.int64), "axes0"),
        numpy_helper.from_array(np.array([-1], dtype=np.int64), "minus_one"),
    ]
    nodes = [
        helper.make_node("Conv", ["input", "conv.weight", "conv.bias"], ["conv_out"], name="/conv/Conv",
                         pads=[1, 1, 1, 1], kernel_shape=[3, 3]),
        helper.make_node("Relu", ["conv_out"], ["relu_out"], name="/relu/Relu"),
        helper.make_node("GlobalAveragePool", ["relu_out"], ["pool_out"], name="/pool/GlobalAveragePool"),
        helper.make_node("Shape", ["pool_out"], ["shape"], name="/Shape"),
        helper.make_node("Gather", ["shape", "zero"], ["batch"], name="/Gather", axis=0),
        helper.make_node("Unsqueeze", ["batch", "axes0"], ["batch1"], name="/Unsqueeze"),
        helper.make_node("Concat", ["batch1", "minus_one"], ["target"], name="/Concat", axis=0),
        helper.make_node("Reshape", ["pool_out", "target"], ["flat"], name="/Reshape"),
        helper.make_node("Gemm", ["flat", "fc.weight", "fc.bias"], ["logits"], name="/fc/Gemm", transB=1),
    ]
    graph = helper.make_graph(
        nodes, "dim_param_cnn",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch", 3, 6, 6])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", 4])],
        initializer=weights)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="make_dim_param_model")
    model.ir_version = 8
    onnx.checker.check_model(model, full_check=True)
    onnx.save(model, out_path)


if __name__ == "__main__":
    main(sys.argv[1])

#!/usr/bin/env python3
"""A reference runner with GraphCAM's runner interface, backed by onnxruntime (CPU).

Usage:
    .venv/bin/python Tools/onnx/ort_runner.py --model M.onnx --inputs in_0.pb [in_1.pb ...] \\
        --outputs-to DIR [--optimization all|extended|basic|disable] [--threads N]

input_K.pb (a serialized TensorProto) feeds the K-th graph input that is not an initializer;
DIR/output_K.pb receives the K-th graph output. Useful as a peer for check_networks.py and
onnx-conformance/check.py, e.g.
    check_networks.py --out /tmp/nets --runner 'python Tools/onnx/ort_runner.py --model {model} --inputs {inputs} --outputs-to {outdir}'
Errors name the file at fault and exit with status 1.
"""
import argparse
import os
import sys

import onnx
from onnx import numpy_helper

LEVELS = ("disable", "basic", "extended", "all")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True)
    ap.add_argument("--inputs", nargs="*", default=[])
    ap.add_argument("--outputs-to", required=True)
    ap.add_argument("--optimization", choices=LEVELS, default="all")
    ap.add_argument("--threads", type=int, default=0, help="intra-op threads (0: onnxruntime's default)")
    a = ap.parse_args(argv)

    import onnxruntime as ort
    so = ort.SessionOptions()
    so.graph_optimization_level = {
        "disable": ort.GraphOptimizationLevel.ORT_DISABLE_ALL, "basic": ort.GraphOptimizationLevel.ORT_ENABLE_BASIC,
        "extended": ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED, "all": ort.GraphOptimizationLevel.ORT_ENABLE_ALL,
    }[a.optimization]
    if a.threads:
        so.intra_op_num_threads = a.threads
    so.log_severity_level = 3
    try:
        sess = ort.InferenceSession(a.model, so, providers=["CPUExecutionProvider"])
    except Exception as e:
        sys.exit(f"ort_runner: cannot load model {a.model}: {e}")
    graph_inputs = [i.name for i in sess.get_inputs()]
    if len(a.inputs) != len(graph_inputs):
        sys.exit(f"ort_runner: {a.model} has {len(graph_inputs)} inputs ({', '.join(graph_inputs)}), "
                 f"got {len(a.inputs)} input files")
    feeds = {}
    for name, path in zip(graph_inputs, a.inputs):
        t = onnx.TensorProto()
        try:
            with open(path, "rb") as f:
                t.ParseFromString(f.read())
            feeds[name] = numpy_helper.to_array(t)
        except Exception as e:
            sys.exit(f"ort_runner: cannot read input {path} as a TensorProto: {e}")
    try:
        outs = sess.run(None, feeds)
    except Exception as e:
        sys.exit(f"ort_runner: running {a.model} failed: {e}")
    os.makedirs(a.outputs_to, exist_ok=True)
    for k, (meta, y) in enumerate(zip(sess.get_outputs(), outs)):
        with open(os.path.join(a.outputs_to, f"output_{k}.pb"), "wb") as f:
            f.write(numpy_helper.from_array(y, meta.name).SerializeToString())
    return 0


if __name__ == "__main__":
    sys.exit(main())

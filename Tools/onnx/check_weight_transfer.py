#!/usr/bin/env python3
"""Check `graphcam zoo export --weights` on tf2onnx-layout (Keras) files: the zoo network with the
file's weights copied onto it must compute what onnxruntime computes with the file itself.

Usage:
    .venv/bin/python Tools/onnx/check_weight_transfer.py [--out /tmp/wt_nets] [--size 64]
        [--models resnet50,mobilenetv2,efficientnetb0] [--graphcam .build/release/graphcam]

For each model it writes the Keras-style ONNX file with make_networks.py (seeded random
weights, include_top, 1000 classes; MobileNetV2's BatchNorms folded into its convolutions as
tf2onnx does), exports the zoo graph with `--classes 1000 --weights model.onnx`, runs it with
`graphcam run` on the file's NHWC input transposed to NCHW, and compares the predictions with
onnxruntime's reference: max|diff| <= 1e-4 * max|ref|. VGG16 is left out: its Keras head
(flatten + two 4096 layers) is not the zoo's GAP + Dense head. Last line: 'N passed, M failed'.
"""
import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np
from onnx import numpy_helper, TensorProto

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def read_pb(path):
    t = TensorProto()
    with open(path, "rb") as f:
        t.ParseFromString(f.read())
    return numpy_helper.to_array(t)


def write_pb(array, name, path):
    with open(path, "wb") as f:
        f.write(numpy_helper.from_array(array, name).SerializeToString())


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default="/tmp/graphcam-weight-transfer")
    ap.add_argument("--size", type=int, default=64)
    ap.add_argument("--models", default="resnet50,mobilenetv2,efficientnetb0")
    ap.add_argument("--graphcam", default=os.path.join(ROOT, ".build/release/graphcam"))
    args = ap.parse_args()
    models = [m for m in args.models.split(",") if m]
    subprocess.run([sys.executable, os.path.join(HERE, "make_networks.py"), "--out", args.out, "--size",
                    str(args.size), "--batch", "1", "--models", ",".join(models), "--styles", "keras"],
                   check=True, stdout=subprocess.DEVNULL)
    passed = failed = 0
    for model in models:
        case = os.path.join(args.out, f"{model}-keras")
        with tempfile.TemporaryDirectory() as work:
            exported = os.path.join(work, f"{model}.xml")
            export = subprocess.run([args.graphcam, "zoo", "export", model, "--input-size", str(args.size),
                                     "--classes", "1000", "--weights", os.path.join(case, "model.onnx"),
                                     "-o", exported], capture_output=True, text=True)
            if export.returncode != 0:
                print(f"FAIL {model}: export: {export.stderr.strip()}")
                failed += 1
                continue
            transfer = export.stderr.strip().split("weights from ")[-1]
            nhwc = read_pb(os.path.join(case, "batch1", "input_0.pb"))
            write_pb(np.ascontiguousarray(nhwc.transpose(0, 3, 1, 2)), "input_1", os.path.join(work, "input.pb"))
            outdir = os.path.join(work, "out")
            run = subprocess.run([args.graphcam, "run", "--model", exported, "--inputs", os.path.join(work, "input.pb"),
                                  "--outputs-to", outdir], capture_output=True, text=True)
            if run.returncode != 0:
                print(f"FAIL {model}: run: {run.stderr.strip()}")
                failed += 1
                continue
            actual = read_pb(os.path.join(outdir, "output_0.pb")).reshape(-1)
            reference = read_pb(os.path.join(case, "batch1", "output_0.pb")).reshape(-1)
            diff = float(np.max(np.abs(actual - reference)))
            scale = float(np.max(np.abs(reference)))
            ok = actual.shape == reference.shape and diff <= 1e-4 * scale
            passed += ok
            failed += not ok
            print(f"{'ok  ' if ok else 'FAIL'} {model}: max|diff| {diff:.3e}  max|ref| {scale:.4f}  ratio {diff / scale:.2e}"
                  f"  ({transfer})")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

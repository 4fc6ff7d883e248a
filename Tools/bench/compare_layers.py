#!/usr/bin/env python3
"""Per-layer time of onnxruntime and GraphCAM on the same PyTorch-style ResNet50 ONNX file.

    .venv/bin/python Tools/bench/compare_layers.py MODEL.onnx [--batch 16] [--size 112] [--runs 3]

Each run profiles onnxruntime (2 intra-op threads, all graph optimizations, its own
profiler's per-node kernel times) and then `graphcam bench --profile --profile-all`
(per-step times); the engines alternate, and each layer's minimum over the runs is kept.
Layers are grouped by the torchvision names the two engines share (`/layer3/layer3.1/...`):
per stage, the first block and the others, and per block the first 1x1 conv (c1), the 3x3
(c2) and the tail (the last 1x1, the shortcut and the residual add). Prints one line per
group and the sums. Needs a release graphcam (swift build -c release --product graphcam).
"""
import argparse
import collections
import json
import os
import re
import subprocess
import sys
import tempfile

import numpy as np
import onnxruntime as ort

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def group(name):
    """(block, role) for a node or step name such as /layer2/layer2.0/relu_1/Relu."""
    m = re.match(r"/(layer\d)/(layer\d\.\d)/(\w+)", name)
    if not m:
        return (name.split("/")[1] if name.count("/") > 1 else name.strip("/")), ""
    block, role = m.group(2), m.group(3)
    return block, {"relu": "c1", "relu_1": "c2"}.get(role, "tail")


def stage_key(block, role):
    if not role:
        return block
    stage, index = block.split(".")
    return f"{stage}.{'0' if index == '0' else 'n'} {role}"


def profile_ort(model, batch, size, iterations):
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.intra_op_num_threads = 2
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    options.enable_profiling = True
    options.profile_file_prefix = os.path.join(tempfile.gettempdir(), "graphcam-ort-profile")
    session = ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])
    x = np.random.default_rng(1).uniform(-1, 1, (batch, 3, size, size)).astype(np.float32)
    feed = {session.get_inputs()[0].name: x}
    for _ in range(3):
        session.run(None, feed)
    for _ in range(iterations):
        session.run(None, feed)
    path = session.end_profiling()
    with open(path) as f:
        events = json.load(f)
    os.remove(path)
    samples = collections.defaultdict(list)
    for e in events:
        if e.get("cat") == "Node" and e["name"].endswith("_kernel_time"):
            node = e["name"][: -len("_kernel_time")].replace("_output_0_nchwc", "")
            samples[node].append(e["dur"] / 1000.0)
    times = collections.defaultdict(float)
    for node, values in samples.items():
        values = sorted(values[-iterations:])
        times[stage_key(*group(node))] += values[len(values) // 2]
    return times


def profile_graphcam(binary, model, batch, size, iterations):
    out = subprocess.run([binary, "bench", model, "--batch", str(batch), "--size", str(size), "--profile",
                          "--profile-all", "--iterations", str(iterations)],
                         check=True, capture_output=True, text=True).stdout
    times = collections.defaultdict(float)
    for line in out.splitlines():
        m = re.match(r"\s+(/\S+) \[.*?\]\s+([\d.]+) ms", line)
        if m:
            times[stage_key(*group(m.group(1)))] += float(m.group(2))
    return times


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model")
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--size", type=int, default=112)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--iterations", type=int, default=20)
    parser.add_argument("--graphcam", default=os.path.join(ROOT, ".build/release/graphcam"))
    args = parser.parse_args()
    if not os.path.exists(args.graphcam):
        sys.exit(f"error: {args.graphcam} not found; build it with swift build -c release --product graphcam")
    ours, theirs = [], []
    for run in range(args.runs):
        print(f"run {run + 1}/{args.runs}", file=sys.stderr)
        theirs.append(profile_ort(args.model, args.batch, args.size, args.iterations))
        ours.append(profile_graphcam(args.graphcam, args.model, args.batch, args.size, args.iterations))
    keys = sorted(set().union(*theirs, *ours))
    total_ort = total_gc = 0.0
    print(f"{'layers':18s} {'onnxruntime ms':>15s} {'graphcam ms':>12s} {'difference':>11s}")
    for key in keys:
        o = min(t.get(key, 0.0) for t in theirs)
        g = min(t.get(key, 0.0) for t in ours)
        total_ort += o
        total_gc += g
        print(f"{key:18s} {o:15.3f} {g:12.3f} {g - o:+11.3f}")
    print(f"{'sum of minima':18s} {total_ort:15.2f} {total_gc:12.2f} {total_gc - total_ort:+11.2f}")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Throughput and peak memory of `graphcam bench` against onnxruntime on one ONNX file.

Usage:
    .venv/bin/python Tools/bench/compare_ort.py MODEL.onnx --batch 16 [--size 112] \\
        [--rounds 5] [--threads 2] [--warmup 2] [--iterations 10] [--graphcam .build/release/graphcam] [--json]

Each round runs onnxruntime (CPUExecutionProvider, ORT_ENABLE_ALL, intra_op_num_threads =
--threads) and then `graphcam bench MODEL --batch B --size S --threads T --json`, each in a
process of its own, so that the peak RSS (getrusage ru_maxrss of that process) belongs to one
engine. Alternating the two spreads the noise of a shared machine over both. Reported:
the machine line, both throughputs (median over rounds of each round's median ms per batch),
the throughput ratio graphcam/ort (> 1: graphcam is faster) and the peak-RSS ratio
graphcam/ort (< 1: graphcam holds less).

Generate models with Tools/onnx/make_networks.py, e.g.
    make_networks.py --out /tmp/nets112 --size 112 --batch 16 --models resnet50 --styles pytorch
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def ort_worker(a):
    """Runs in a child process: time onnxruntime and print one JSON line."""
    import resource

    import numpy as np
    import onnxruntime as ort

    so = ort.SessionOptions()
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    so.intra_op_num_threads = a.threads
    so.inter_op_num_threads = 1
    so.log_severity_level = 3
    sess = ort.InferenceSession(a.model, so, providers=["CPUExecutionProvider"])
    feeds = {}
    rng = np.random.default_rng(1)
    for inp in sess.get_inputs():
        shape = []
        for axis, d in enumerate(inp.shape):
            if isinstance(d, int):
                shape.append(d)
            elif axis == 0:
                shape.append(a.batch)
            elif a.size:
                shape.append(a.size)
            else:
                sys.exit(f"compare_ort: input {inp.name} has symbolic dim {d} at axis {axis}; pass --size")
        feeds[inp.name] = rng.uniform(-1, 1, size=shape).astype(np.float32)
    for _ in range(a.warmup):
        sess.run(None, feeds)
    times = []
    for _ in range(a.iterations):
        t = time.perf_counter()
        sess.run(None, feeds)
        times.append((time.perf_counter() - t) * 1000)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"median_ms": statistics.median(times), "min_ms": min(times), "times_ms": times,
                      "peak_rss_bytes": peak, "ort_version": ort.__version__}))


def run_json(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"compare_ort: {' '.join(cmd)} failed ({p.returncode}):\n{p.stderr.strip()}")
    return json.loads(p.stdout.strip().splitlines()[-1])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model")
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--size", type=int, default=None, help="image side (default: the file's)")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--iterations", type=int, default=10)
    ap.add_argument("--graphcam", default=os.path.join(ROOT, ".build", "release", "graphcam"))
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    ap.add_argument("--ort-worker", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.ort_worker:
        return ort_worker(a)
    if not os.path.isfile(a.model):
        sys.exit(f"compare_ort: no such model file {a.model}")
    if not os.access(a.graphcam, os.X_OK):
        sys.exit(f"compare_ort: {a.graphcam} is not executable; build it with `swift build -c release --product graphcam`")

    common = ["--batch", str(a.batch), "--threads", str(a.threads), "--warmup", str(a.warmup),
              "--iterations", str(a.iterations)] + (["--size", str(a.size)] if a.size else [])
    ort_cmd = [sys.executable, os.path.abspath(__file__), a.model, "--ort-worker"] + common
    gc_cmd = [a.graphcam, "bench", a.model, "--json"] + common
    ort_runs, gc_runs = [], []
    for r in range(a.rounds):
        ort_runs.append(run_json(ort_cmd))
        gc_runs.append(run_json(gc_cmd))
        print(f"round {r + 1}/{a.rounds}: ort {ort_runs[-1]['median_ms']:.1f} ms, "
              f"graphcam {gc_runs[-1]['median_ms']:.1f} ms", file=sys.stderr)

    ort_ms = statistics.median(x["median_ms"] for x in ort_runs)
    gc_ms = statistics.median(x["median_ms"] for x in gc_runs)
    ort_rss = max(x["peak_rss_bytes"] for x in ort_runs)
    gc_rss = max(x["peak_rss_bytes"] for x in gc_runs)
    result = {
        "model": a.model, "batch": a.batch, "size": a.size, "threads": a.threads, "rounds": a.rounds,
        "machine": gc_runs[0]["machine"], "ort_version": ort_runs[0]["ort_version"],
        "ort_ms": ort_ms, "graphcam_ms": gc_ms,
        "ort_images_per_second": a.batch * 1000 / ort_ms, "graphcam_images_per_second": a.batch * 1000 / gc_ms,
        "throughput_ratio": ort_ms / gc_ms,
        "ort_peak_rss_bytes": ort_rss, "graphcam_peak_rss_bytes": gc_rss, "peak_rss_ratio": gc_rss / ort_rss,
        "graphcam_gflops": statistics.median(x["gflops"] for x in gc_runs),
        "graphcam_arena_bytes": gc_runs[0]["arena_bytes"], "graphcam_weights_bytes": gc_runs[0]["weights_bytes"],
        # Core-to-core round trip each graphcam round measured (ns): ~95 when the VM's two
        # cores share a die, ~380 across dies (then graphcam's multi-pass kernels run slower).
        "core_round_trip_ns": [float(m.group(1)) for m in
                               (re.search(r"core-to-core round trip (\d+) ns", x["machine"]) for x in gc_runs) if m],
    }
    if a.json:
        print(json.dumps(result, sort_keys=True))
        return
    mb = lambda b: f"{b / 1e6:.1f} MB"
    print(f"machine: {result['machine']}")
    print(f"model: {a.model}, batch {a.batch}, {a.threads} threads, {a.rounds} alternating rounds")
    print(f"onnxruntime {result['ort_version']}: {ort_ms:.2f} ms/batch, {result['ort_images_per_second']:.1f} images/s, "
          f"peak RSS {mb(ort_rss)}")
    print(f"graphcam: {gc_ms:.2f} ms/batch, {result['graphcam_images_per_second']:.1f} images/s, "
          f"{result['graphcam_gflops']:.1f} GFLOPS, peak RSS {mb(gc_rss)} (arena {mb(result['graphcam_arena_bytes'])})")
    if result["core_round_trip_ns"]:
        print("core-to-core round trip per round: " + ", ".join(f"{t:.0f}" for t in result["core_round_trip_ns"]) + " ns")
    print(f"throughput ratio graphcam/ort: {result['throughput_ratio']:.2f}")
    print(f"peak RSS ratio graphcam/ort: {result['peak_rss_ratio']:.2f}")


if __name__ == "__main__":
    main()

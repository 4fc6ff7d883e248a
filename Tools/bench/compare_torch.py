#!/usr/bin/env python3
"""One training step of the reference study, graphcam against PyTorch (CPU), same machine.

Usage:
    python3 Tools/bench/compare_torch.py [--rounds 3] [--batch 16] [--size 112] [--freeze last10+bn] \\
        [--threads 2] [--warmup 2] [--iterations 10] [--graphcam .build/release/graphcam] \\
        [--torch-python /work/torchvenv/bin/python] [--json]

Each round runs `graphcam bench resnet50-modified --train --freeze F --batch B --size S --json`
and then Tools/bench/torch_train_step.py --json (ResNet50 Keras layout + Dense(2), Adam,
cross-entropy, the same trainable recipe), each in a process of its own, so that each peak
RSS (getrusage ru_maxrss) belongs to one engine; alternating spreads the noise of a shared
machine over both. Reported: both seconds per step (median over rounds of each round's
median), the ratio graphcam/torch (< 1: graphcam is faster) and the peak-RSS ratio
graphcam/torch (< 1: graphcam holds less).

Needs a release graphcam (swift build -c release --product graphcam) and a Python with
torch (--torch-python); without torch the comparison is skipped with a message (exit 0).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def run_json(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"compare_torch: {' '.join(cmd)} failed ({p.returncode}):\n{p.stderr.strip()}")
    return json.loads(p.stdout.strip().splitlines()[-1])


def torch_available(python):
    if not os.path.exists(python):
        return f"{python} does not exist"
    p = subprocess.run([python, "-c", "import torch; print(torch.__version__)"], capture_output=True, text=True)
    return None if p.returncode == 0 else f"{python} cannot import torch"


def load_average():
    try:
        return os.getloadavg()
    except OSError:
        return None


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="resnet50-modified")
    ap.add_argument("--freeze", default="last10+bn", choices=["last10+bn", "head", "none"])
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--size", type=int, default=112)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--iterations", type=int, default=10)
    ap.add_argument("--graphcam", default=os.path.join(ROOT, ".build", "release", "graphcam"))
    ap.add_argument("--torch-python", default="/work/torchvenv/bin/python")
    ap.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    a = ap.parse_args(argv)

    missing = torch_available(a.torch_python)
    if missing:
        print(f"compare_torch: skipped: {missing} (pass --torch-python with a torch install)")
        return 0
    if not os.path.exists(a.graphcam):
        sys.exit(f"compare_torch: {a.graphcam} not found; build it with swift build -c release --product graphcam")

    graphcam_cmd = [a.graphcam, "bench", a.model, "--train", "--freeze", a.freeze, "--batch", str(a.batch),
                    "--size", str(a.size), "--threads", str(a.threads), "--warmup", str(a.warmup),
                    "--iterations", str(a.iterations), "--json"]
    torch_cmd = [a.torch_python, os.path.join(HERE, "torch_train_step.py"), "--batch", str(a.batch),
                 "--size", str(a.size), "--threads", str(a.threads), "--warmup", str(a.warmup),
                 "--steps", str(a.iterations), "--freeze", a.freeze, "--json"]
    loads = [load_average()]
    gc_runs, torch_runs = [], []
    for r in range(a.rounds):
        print(f"round {r + 1}/{a.rounds}: graphcam", file=sys.stderr)
        gc_runs.append(run_json(graphcam_cmd))
        print(f"round {r + 1}/{a.rounds}: torch", file=sys.stderr)
        torch_runs.append(run_json(torch_cmd))
        loads.append(load_average())

    gc_step = statistics.median(x["seconds_per_step"] for x in gc_runs)
    torch_step = statistics.median(x["seconds_per_step"] for x in torch_runs)
    gc_rss_mb = max(x["peak_rss_bytes"] for x in gc_runs) / 1_048_576
    torch_rss_mb = max(x["peak_rss_mb"] for x in torch_runs)
    result = {
        "machine": gc_runs[0]["machine"], "torch": torch_runs[0]["framework"], "model": a.model,
        "freeze": a.freeze, "batch": a.batch, "size": a.size, "threads": a.threads, "rounds": a.rounds,
        "command": " ".join(graphcam_cmd),
        "load_average_1min": [l[0] for l in loads if l],
        "graphcam_seconds_per_step": gc_step, "torch_seconds_per_step": torch_step,
        "graphcam_rounds": [x["seconds_per_step"] for x in gc_runs],
        "torch_rounds": [x["seconds_per_step"] for x in torch_runs],
        "graphcam_images_per_second": a.batch / gc_step, "torch_images_per_second": a.batch / torch_step,
        "step_time_ratio": gc_step / torch_step,
        "graphcam_min_seconds_per_step": min(x["min_seconds_per_step"] for x in gc_runs),
        "torch_min_seconds_per_step": min(x["min_seconds_per_step"] for x in torch_runs),
        "graphcam_trainable_parameters": gc_runs[0]["trainable_parameters"],
        "torch_trainable_parameters": torch_runs[0]["trainable_parameters"],
        "graphcam_planned_mb": gc_runs[0]["planned_bytes"] / 1_048_576,
        "graphcam_peak_rss_mb": gc_rss_mb, "torch_peak_rss_mb": torch_rss_mb,
        "peak_rss_ratio": gc_rss_mb / torch_rss_mb,
    }
    if a.json:
        print(json.dumps(result))
        return 0
    print("machine:", result["machine"])
    print(f"{a.model}, train {a.freeze}, batch {a.batch}, {a.size}x{a.size}, {a.threads} threads, "
          f"{a.rounds} alternating rounds; 1-min load average during the run: "
          + ", ".join(f"{l:.1f}" for l in result["load_average_1min"]))
    print(f"trainable parameters: graphcam {result['graphcam_trainable_parameters']:,}, "
          f"torch {result['torch_trainable_parameters']:,}")
    print(f"{'engine':<22}{'s/step':>8}{'img/s':>8}{'min s':>8}{'peak RSS':>11}   round medians (s/step)")
    for name, step, fastest, rss, rounds in [
            ("graphcam", gc_step, result["graphcam_min_seconds_per_step"], gc_rss_mb, result["graphcam_rounds"]),
            (result["torch"], torch_step, result["torch_min_seconds_per_step"], torch_rss_mb, result["torch_rounds"])]:
        print(f"{name:<22}{step:>8.3f}{a.batch / step:>8.1f}{fastest:>8.3f}{rss:>9.0f}MB   "
              + ", ".join(f"{x:.3f}" for x in rounds))
    print(f"step time ratio graphcam/torch: {result['step_time_ratio']:.2f} median, "
          f"{result['graphcam_min_seconds_per_step'] / result['torch_min_seconds_per_step']:.2f} fastest steps "
          "(lower is better)")
    print(f"peak RSS ratio graphcam/torch: {result['peak_rss_ratio']:.2f} (graphcam planned "
          f"{result['graphcam_planned_mb']:.0f} MB: arena + weights + optimizer state)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

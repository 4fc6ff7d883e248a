#!/usr/bin/env bash
# The issue's benchmark table: graphcam vs onnxruntime (2 threads each) on the PyTorch-style
# ONNX files at 112x112: ResNet50 b16 and b1, VGG16 b16, MobileNetV2 b16.
#
#   Tools/bench/run_all.sh [NETS_DIR] [ROUNDS]
#
# NETS_DIR (default /tmp/graphcam-bench-nets) is filled by Tools/onnx/make_networks.py when a
# model is missing. Needs .build/release/graphcam (swift build -c release --product graphcam).
# Numbers from a shared machine are noisy: the rounds alternate the engines to spread it.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
PY="${PYTHON:-$ROOT/.venv/bin/python}"
NETS="${1:-/tmp/graphcam-bench-nets}"
ROUNDS="${2:-5}"
for model in resnet50 vgg16 mobilenetv2; do
    if [ ! -f "$NETS/$model-pytorch/model.onnx" ]; then
        "$PY" "$ROOT/Tools/onnx/make_networks.py" --out "$NETS" --size 112 --batch 16 --models "$model" --styles pytorch >&2
    fi
done
results=()
for spec in "resnet50 16" "resnet50 1" "vgg16 16" "mobilenetv2 16"; do
    set -- $spec
    echo "== $1 batch $2" >&2
    if row="$("$PY" "$ROOT/Tools/bench/compare_ort.py" "$NETS/$1-pytorch/model.onnx" --batch "$2" --size 112 \
        --rounds "$ROUNDS" --json)"; then
        results+=("$row")
    else
        echo "!! $1 batch $2 failed; left out of the table" >&2
    fi
done
"$PY" - "${results[@]}" <<'PYEOF'
import json, sys
rows = [json.loads(r) for r in sys.argv[1:]]
print("machine:", rows[0]["machine"])
print(f"{'model':<14}{'batch':>6}{'ort img/s':>11}{'gc img/s':>10}{'ratio':>7}{'ort RSS':>10}{'gc RSS':>9}{'RSS ratio':>10}"
      f"{'core trip ns':>14}")
for r in rows:
    name = r["model"].split("/")[-2].replace("-pytorch", "")
    trips = r.get("core_round_trip_ns") or []
    trip = f"{min(trips):.0f}-{max(trips):.0f}" if trips else "-"
    print(f"{name:<14}{r['batch']:>6}{r['ort_images_per_second']:>11.1f}{r['graphcam_images_per_second']:>10.1f}"
          f"{r['throughput_ratio']:>7.2f}{r['ort_peak_rss_bytes']/1e6:>9.0f}M{r['graphcam_peak_rss_bytes']/1e6:>8.0f}M"
          f"{r['peak_rss_ratio']:>10.2f}{trip:>14}")
PYEOF

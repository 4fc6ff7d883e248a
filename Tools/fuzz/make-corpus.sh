#!/usr/bin/env bash
# Builds a seed corpus for onnx-fuzz from the ONNX conformance node tests: every
# model.onnx and test-data .pb under MAX_BYTES (default 4096), named by test so the
# copies do not collide. Nothing is committed; the default folder is outside the repo.
#
# usage: Tools/fuzz/make-corpus.sh [CORPUS_DIR] [CONFORMANCE_NODE_DIR]
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
corpus="${1:-/tmp/onnx-fuzz-corpus}"
node_dir="${2:-$repo/../shared/onnx-conformance/node}"
[ -d "$node_dir" ] || node_dir=/work/shared/onnx-conformance/node
max_bytes="${MAX_BYTES:-4096}"

if [ ! -d "$node_dir" ]; then
    echo "no conformance tests at $node_dir" >&2
    exit 1
fi
mkdir -p "$corpus"

count=0
for test in "$node_dir"/*/; do
    name="$(basename "$test")"
    for file in "$test"model.onnx "$test"test_data_set_0/*.pb; do
        [ -f "$file" ] || continue
        [ "$(stat -c %s "$file")" -le "$max_bytes" ] || continue
        cp "$file" "$corpus/${name}__$(basename "$file")"
        count=$((count + 1))
    done
done
echo "copied $count seed files from $node_dir into $corpus"

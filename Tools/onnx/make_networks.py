#!/usr/bin/env python3
"""Write ResNet50, VGG16, MobileNetV2 and EfficientNet-B0 ONNX files with seeded random weights,
in torch.onnx (`pytorch`) and tf2onnx (`keras`) layouts, with onnxruntime reference outputs.

Usage:
    .venv/bin/python Tools/onnx/make_networks.py --out /tmp/nets --size 32 --batch 1 16 \\
        [--seed 0] [--models resnet50,vgg16,mobilenetv2,efficientnetb0] [--styles pytorch,keras]

For each (model, style) it writes
    OUT/<model>-<style>/model.onnx
    OUT/<model>-<style>/batch<B>/input_0.pb    seeded random input (TensorProto, graph input name)
    OUT/<model>-<style>/batch<B>/output_0.pb   onnxruntime CPU output, graph optimizations disabled
    OUT/<model>-<style>/meta.json              parameters, sizes and timings (written last)
and prints one line per case with its generation time. The files are large at full width
(ResNet50 ~100 MB, VGG16 ~60 MB at --size 32, ~530 MB at 224): write them to a temporary
directory, never into the repository. Same arguments, same bytes (on one machine; calibration
statistics are rounded so BLAS differences between machines rarely change a weight).

See networks.py for the weights, torch_style.py and keras_style.py for the layouts.
Needs Python 3.8+, numpy, onnx, onnxruntime.
"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import networks  # noqa: E402


def names(text, allowed, what):
    items = [s.strip() for s in text.split(",") if s.strip()]
    bad = [s for s in items if s not in allowed]
    if bad or not items:
        raise argparse.ArgumentTypeError(f"unknown {what} {', '.join(bad) or '(none)'}; expected some of {', '.join(allowed)}")
    return items


def parser(description):
    ap = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True, help="output directory (created)")
    ap.add_argument("--size", type=int, default=32, help="input height = width (default 32, at least 32)")
    ap.add_argument("--batch", type=int, nargs="+", default=[1, 16], help="batch sizes (default 1 16)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--models", type=lambda s: names(s, networks.MODELS, "model"), default=list(networks.MODELS),
                    help="comma-separated (default all: " + ",".join(networks.MODELS) + ")")
    ap.add_argument("--styles", type=lambda s: names(s, networks.STYLES, "style"), default=list(networks.STYLES),
                    help="comma-separated (default all: " + ",".join(networks.STYLES) + ")")
    return ap


def validate(a, ap):
    if a.size < 32:
        ap.error(f"--size {a.size}: these networks need inputs of at least 32 pixels")
    if any(b < 1 for b in a.batch):
        ap.error("--batch sizes must be positive")


def main(argv=None):
    ap = parser(__doc__)
    a = ap.parse_args(argv)
    validate(a, ap)
    t0 = time.monotonic()
    for model in a.models:
        for style in a.styles:
            t = time.monotonic()
            meta = networks.write_case(a.out, model, style, a.size, a.batch, a.seed)
            print(f"{model}-{style}: {meta['nodes']} nodes, {meta['parameters'] / 1e6:.1f} M parameters, "
                  f"{meta['bytes'] / 2**20:.0f} MiB, build {meta['seconds']['build']:.1f} s, "
                  f"reference {meta['seconds']['reference_total']:.1f} s, total {time.monotonic() - t:.1f} s", flush=True)
    print(f"wrote {len(a.models) * len(a.styles)} models to {a.out} in {time.monotonic() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

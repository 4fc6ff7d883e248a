"""Real CNN architectures as ONNX files with seeded random weights, in the layouts real exporters write.

Models: resnet50, vgg16, mobilenetv2, efficientnetb0 (full width, 1000 classes).
Styles: `pytorch` (torch.onnx.export of the torchvision network, opset 17, NCHW; see
torch_style.py) and `keras` (tf2onnx of the keras.applications network, opset 13, NHWC input;
see keras_style.py).

Weights: He-normal convolutions (std sqrt(2 / fan_in)), dense layers N(0, gain / fan_in),
biases U(-0.1, 0.1), BatchNorm gamma U(0.5, 1.5) (times netgraph.RESIDUAL_GAMMA = 0.5 on the
last BatchNorm of a residual branch, as in trained ResNets: without it the stream grows and
the float32 noise floor nears 1e-4) and beta U(-0.1, 0.1). BatchNorm running
statistics are measured on a seeded calibration batch as the graph is built (then perturbed:
mean += U(-0.1, 0.1)*std, var *= U(0.5, 1.5)), the way a trained network's match its data, so
activations stay O(1) at every depth; the classifier is scaled to unit-rms logits on that
batch, so the softmax outputs are not saturated. Everything is
a function of (model, style, size, seed).

Library use (run from this directory or put it on sys.path):
    import networks
    proto = networks.build_model("resnet50", "pytorch", size=32, seed=0)
    meta = networks.write_case("/tmp/nets", "resnet50", "pytorch", size=32, batches=[1, 16], seed=0)
The command-line front end is make_networks.py; check_networks.py runs a runner against the files.
"""
import json
import os
import time

import numpy as np
import onnx
from onnx import numpy_helper

import keras_style
import netgraph
import torch_style

MODELS = ("resnet50", "vgg16", "mobilenetv2", "efficientnetb0")
STYLES = ("pytorch", "keras")
GENERATOR_VERSION = 1
_STYLE = {"pytorch": torch_style, "keras": keras_style}


def _style(style):
    try:
        return _STYLE[style]
    except KeyError:
        raise ValueError(f"unknown style {style!r}; expected one of {', '.join(STYLES)}") from None


def _check(model, style):
    if model not in MODELS:
        raise ValueError(f"unknown model {model!r}; expected one of {', '.join(MODELS)}")
    _style(style)


def input_spec(model, style, size):
    """(input name, per-sample shape, distribution) of the graph input."""
    _check(model, style)
    return _style(style).input_spec(model, size)


def make_input(model, style, size, batch, seed, purpose="test"):
    """The seeded float32 input batch for a case: standard normal, or uniform pixels in
    [0, 255] for the Keras EfficientNet (which rescales and normalizes in the graph)."""
    _, shape, dist = input_spec(model, style, size)
    rng = np.random.default_rng(netgraph.stable_seed("input", purpose, model, style, size, batch, seed))
    if dist == "pixels":
        return rng.uniform(0.0, 255.0, (batch,) + shape).astype(np.float32)
    return rng.standard_normal((batch,) + shape).astype(np.float32)


def calibration_batch(size):
    """Enough samples that the last BatchNorms (spatially (size/32)^2) see about 64 values each."""
    last = max(1, size // 32) ** 2
    return max(2, min(64, -(-64 // last)))


def build_model(model, style, size, seed):
    """The onnx.ModelProto of (model, style) for square inputs of `size` pixels."""
    _check(model, style)
    if size < 32:
        raise ValueError(f"input size {size} is below 32, the smallest these networks accept")
    calibration = None
    if model != "vgg16":  # VGG16 has no BatchNorm to calibrate
        calibration = make_input(model, style, size, calibration_batch(size), seed, purpose="calibration")
    return _style(style).build(model, size, netgraph.stable_seed("weights", model, style, seed), calibration)


def session(path_or_bytes, optimize=False, threads=0):
    """An onnxruntime CPU session; optimize=False disables every graph optimization."""
    import onnxruntime as ort
    so = ort.SessionOptions()
    so.graph_optimization_level = (ort.GraphOptimizationLevel.ORT_ENABLE_ALL if optimize
                                   else ort.GraphOptimizationLevel.ORT_DISABLE_ALL)
    if threads:
        so.intra_op_num_threads = threads
    so.log_severity_level = 3
    return ort.InferenceSession(path_or_bytes, so, providers=["CPUExecutionProvider"])


def case_dir(out, model, style):
    return os.path.join(out, f"{model}-{style}")


def write_tensor(path, array, name):
    with open(path, "wb") as f:
        f.write(numpy_helper.from_array(array, name).SerializeToString())


def read_tensor(path):
    t = onnx.TensorProto()
    with open(path, "rb") as f:
        t.ParseFromString(f.read())
    return numpy_helper.to_array(t)


def write_case(out, model, style, size, batches, seed):
    """Write DIR/<model>-<style>/model.onnx, batch<B>/input_0.pb and the onnxruntime (no graph
    optimizations) reference batch<B>/output_0.pb for each batch size, and meta.json last (its
    presence marks a complete case). Returns the meta dictionary, with timings in seconds."""
    d = case_dir(out, model, style)
    os.makedirs(d, exist_ok=True)
    meta_path = os.path.join(d, "meta.json")
    if os.path.exists(meta_path):
        os.remove(meta_path)
    t0 = time.monotonic()
    proto = build_model(model, style, size, seed)
    t_build = time.monotonic() - t0
    path = os.path.join(d, "model.onnx")
    onnx.save(proto, path)
    in_name = proto.graph.input[0].name
    out_names = [o.name for o in proto.graph.output]
    t1 = time.monotonic()
    sess = session(path)
    ref_seconds = {}
    for b in batches:
        bd = os.path.join(d, f"batch{b}")
        os.makedirs(bd, exist_ok=True)
        x = make_input(model, style, size, b, seed)
        write_tensor(os.path.join(bd, "input_0.pb"), x, in_name)
        t2 = time.monotonic()
        outs = sess.run(None, {in_name: x})
        ref_seconds[str(b)] = round(time.monotonic() - t2, 3)
        for k, (name, y) in enumerate(zip(out_names, outs)):
            write_tensor(os.path.join(bd, f"output_{k}.pb"), y, name)
    meta = {"model": model, "style": style, "size": size, "seed": seed, "batches": list(batches),
            "generator": GENERATOR_VERSION, "input": in_name, "outputs": out_names,
            "opset": proto.opset_import[0].version, "nodes": len(proto.graph.node),
            "parameters": int(sum(np.prod(t.dims) for t in proto.graph.initializer)),
            "bytes": os.path.getsize(path),
            "seconds": {"build": round(t_build, 3), "reference_total": round(time.monotonic() - t1, 3),
                        "reference_run": ref_seconds}}
    with open(meta_path, "w") as f:
        json.dump(meta, f, indent=1)
    return meta


def read_meta(out, model, style):
    try:
        with open(os.path.join(case_dir(out, model, style), "meta.json")) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def is_current(meta, size, seed, batches):
    """Whether a case on disk was written for these parameters by this generator version."""
    return (meta is not None and meta.get("generator") == GENERATOR_VERSION and meta.get("size") == size
            and meta.get("seed") == seed and set(batches) <= set(meta.get("batches", [])))

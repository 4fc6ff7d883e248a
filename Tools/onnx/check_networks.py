#!/usr/bin/env python3
"""Run a runner on the real-network fixtures (make_networks.py) and compare with the references.

Usage:
    .venv/bin/python Tools/onnx/check_networks.py --out /tmp/nets --size 32 --batch 1 16 \\
        --runner '.build/release/graphcam run --model {model} --inputs {inputs} --outputs-to {outdir}'

The cases are generated into --out first, or reused when OUT/<model>-<style>/meta.json says
they were written for the same --size, --seed and batches by the same generator version
(--regenerate forces it). --seed, --models, --styles as in make_networks.py.

The runner template (--runner, or $GRAPHCAM_RUNNER) is the one onnx-conformance/check.py uses,
run under /bin/sh with {model} (model.onnx), {inputs} (batch<B>/input_0.pb, shell-quoted),
{outdir} (an empty directory where the runner writes output_K.pb, one serialized TensorProto
per graph output), {name} (<model>-<style>/batch<B>), {dataset} (the batch<B> directory) and
{testdir} (the <model>-<style> directory). A case passes when the runner exits 0 within
--timeout and, for every output, dtype and shape match and
    max|actual - reference| <= --tolerance (1e-4) * max|reference|.

Before the runner cases, each model gets a self-test case: onnx.checker (full check, with
strict shape inference), onnxruntime with all graph optimizations against the stored reference
(which was computed with none), an independent float64 numpy evaluation of the smallest batch
against it (both within the same tolerance; their ratios show the float32 noise floor), and
finite, non-constant outputs. --no-selftest skips them.

Prints one line per case (name, output, max|diff|, max|ref|, ratio, seconds), and as the last
line exactly 'N passed, M failed'. Exits 1 if any case failed, 2 on usage errors.
"""
import os
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_networks  # noqa: E402
import netgraph  # noqa: E402
import networks  # noqa: E402

import onnx  # noqa: E402
from onnx import numpy_helper  # noqa: E402


def run_cmd(cmd, timeout):
    """Run under /bin/sh in its own process group; kill the whole group on timeout."""
    proc = subprocess.Popen(["/bin/sh", "-c", cmd], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
        return proc.returncode, out, err, False
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        out, err = proc.communicate()
        return None, out, err, True


def last_line(data, limit=200):
    for line in reversed((data or b"").decode("utf-8", "replace").strip().splitlines()):
        if line.strip():
            line = line.strip()
            return line if len(line) <= limit else line[: limit - 3] + "..."
    return ""


def ratio_of(got, ref):
    """(max|diff|, max|ref|, ratio) in float64."""
    d = float(np.max(np.abs(got.astype(np.float64) - ref.astype(np.float64)))) if ref.size else 0.0
    m = float(np.max(np.abs(ref.astype(np.float64)))) if ref.size else 0.0
    return d, m, (d / m if m > 0 else (0.0 if d == 0 else float("inf")))


def compare(got_path, ref_path, tolerance):
    """None and the numbers when within tolerance, else a reason and the numbers (or None)."""
    ref_t, got_t = onnx.TensorProto(), onnx.TensorProto()
    with open(ref_path, "rb") as f:
        ref_t.ParseFromString(f.read())
    if not os.path.isfile(got_path):
        return f"missing {os.path.basename(got_path)}", None
    try:
        with open(got_path, "rb") as f:
            got_t.ParseFromString(f.read())
        got = numpy_helper.to_array(got_t)
    except Exception as e:
        return f"cannot parse {os.path.basename(got_path)} as TensorProto: {type(e).__name__}: {e}", None
    ref = numpy_helper.to_array(ref_t)
    if got_t.data_type != ref_t.data_type:
        return f"dtype {onnx.TensorProto.DataType.Name(got_t.data_type)} != {onnx.TensorProto.DataType.Name(ref_t.data_type)}", None
    if got.shape != ref.shape:
        return f"shape {list(got.shape)} != {list(ref.shape)}", None
    nums = ratio_of(got, ref)
    if not np.all(np.isfinite(got)):
        return "non-finite values", nums
    if not nums[2] <= tolerance:
        return f"ratio {nums[2]:.2e} > {tolerance:g}", nums
    return None, nums


def fmt(nums):
    if nums is None:
        return ""
    d, m, r = nums
    return f"max|diff| {d:.3e}  max|ref| {m:.4g}  ratio {r:.2e}"


def selftest(out, model, style, batches, tolerance):
    """[(ok, detail)] for one model: checker, ORT optimized, float64 numpy, sanity."""
    d = networks.case_dir(out, model, style)
    path = os.path.join(d, "model.onnx")
    onnx.checker.check_model(path, full_check=True)
    proto = onnx.load(path)
    meta = networks.read_meta(out, model, style)
    sess = networks.session(path, optimize=True)
    problems, notes = [], []
    worst = 0.0
    for b in batches:
        bd = os.path.join(d, f"batch{b}")
        x = networks.read_tensor(os.path.join(bd, "input_0.pb"))
        for k, y in enumerate(sess.run(None, {meta["input"]: x})):
            ref = networks.read_tensor(os.path.join(bd, f"output_{k}.pb"))
            if not np.all(np.isfinite(ref)):
                problems.append(f"batch{b} reference output_{k} is not finite")
            elif ref.size > 1 and float(np.std(ref)) == 0.0:
                problems.append(f"batch{b} reference output_{k} is constant")
            worst = max(worst, ratio_of(y, ref)[2])
    notes.append(f"ort-optimized ratio {worst:.2e}")
    if worst > tolerance:
        problems.append(f"onnxruntime with optimizations differs from the reference by ratio {worst:.2e}")
    b = min(batches)
    bd = os.path.join(d, f"batch{b}")
    x = networks.read_tensor(os.path.join(bd, "input_0.pb"))
    f64 = netgraph.evaluate_graph(proto, {meta["input"]: x})
    worst64 = max(ratio_of(y, networks.read_tensor(os.path.join(bd, f"output_{k}.pb")))[2] for k, y in enumerate(f64))
    notes.append(f"float64 batch{b} ratio {worst64:.2e}")
    if worst64 > tolerance:
        problems.append(f"float64 numpy evaluation differs from the reference by ratio {worst64:.2e}")
    return problems, "checker ok; " + "; ".join(notes)


def main(argv=None):
    ap = make_networks.parser(__doc__)
    ap.add_argument("--runner", default=os.environ.get("GRAPHCAM_RUNNER"),
                    help="runner command template (default: $GRAPHCAM_RUNNER); without it only the self-tests run")
    ap.add_argument("--timeout", type=float, default=900, help="seconds per runner invocation (default 900)")
    ap.add_argument("--tolerance", type=float, default=1e-4, help="max|diff| / max|ref| bound (default 1e-4)")
    ap.add_argument("--regenerate", action="store_true", help="write the cases even when current ones exist")
    ap.add_argument("--no-selftest", action="store_true", help="skip the per-model self-tests")
    ap.add_argument("--work-dir", help="where runner outputs go (default: a temporary directory, removed at the end)")
    a = ap.parse_args(argv)
    make_networks.validate(a, ap)
    if a.runner and ("{model}" not in a.runner or "{outdir}" not in a.runner):
        ap.error("the runner template must contain {model} and {outdir}")
    if not a.runner and a.no_selftest:
        ap.error("nothing to do: no --runner and --no-selftest")

    made_work = a.work_dir is None
    work = a.work_dir or tempfile.mkdtemp(prefix="check-networks-")
    passed = failed = 0
    t_all = time.monotonic()
    try:
        for model in a.models:
            for style in a.styles:
                case = f"{model}-{style}"
                meta = networks.read_meta(a.out, model, style)
                if a.regenerate or not networks.is_current(meta, a.size, a.seed, a.batch):
                    t = time.monotonic()
                    meta = networks.write_case(a.out, model, style, a.size, a.batch, a.seed)
                    print(f"gen  {case}: size {a.size}, {meta['parameters'] / 1e6:.1f} M parameters, "
                          f"{time.monotonic() - t:.1f} s", flush=True)
                if not a.no_selftest:
                    t = time.monotonic()
                    try:
                        problems, detail = selftest(a.out, model, style, a.batch, a.tolerance)
                    except Exception as e:
                        problems, detail = [f"{type(e).__name__}: {e}"], ""
                    ok = not problems
                    passed, failed = passed + ok, failed + (not ok)
                    print(f"{'ok  ' if ok else 'FAIL'} selftest {case}  {detail}  {time.monotonic() - t:.2f} s"
                          + ("" if ok else "\n     " + "\n     ".join(problems)), flush=True)
                if not a.runner:
                    continue
                testdir = networks.case_dir(a.out, model, style)
                for b in a.batch:
                    name = f"{case}/batch{b}"
                    ds = os.path.join(testdir, f"batch{b}")
                    outdir = os.path.join(work, case, f"batch{b}")
                    shutil.rmtree(outdir, ignore_errors=True)
                    os.makedirs(outdir)
                    cmd = (a.runner.replace("{model}", shlex.quote(os.path.join(testdir, "model.onnx")))
                           .replace("{inputs}", shlex.quote(os.path.join(ds, "input_0.pb")))
                           .replace("{outdir}", shlex.quote(outdir)).replace("{name}", shlex.quote(name))
                           .replace("{dataset}", shlex.quote(ds)).replace("{testdir}", shlex.quote(testdir)))
                    t = time.monotonic()
                    rc, out, err, timed_out = run_cmd(cmd, a.timeout)
                    secs = time.monotonic() - t
                    lines, ok = [], True
                    if timed_out:
                        ok, lines = False, [f"timeout after {a.timeout:g} s"]
                    elif rc != 0:
                        why = last_line(err) or last_line(out)
                        ok, lines = False, [f"runner exit code {rc}" + (f": {why}" if why else "")]
                    else:
                        for k, out_name in enumerate(meta["outputs"]):
                            why, nums = compare(os.path.join(outdir, f"output_{k}.pb"),
                                                os.path.join(ds, f"output_{k}.pb"), a.tolerance)
                            ok = ok and why is None
                            lines.append(f"{out_name}  {fmt(nums)}" + (f"  ({why})" if why else ""))
                    passed, failed = passed + ok, failed + (not ok)
                    print(f"{'ok  ' if ok else 'FAIL'} {name}  {'; '.join(lines)}  {secs:.2f} s", flush=True)
                    if made_work:
                        shutil.rmtree(outdir, ignore_errors=True)
    finally:
        if made_work:
            shutil.rmtree(work, ignore_errors=True)
    print(f"{passed + failed} cases in {time.monotonic() - t_all:.1f} s", file=sys.stderr)
    sys.stderr.flush()
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())

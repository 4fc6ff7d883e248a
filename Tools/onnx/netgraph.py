"""Graph accumulation, seeded parameters and BatchNorm calibration for the network fixtures.

`Net` collects ONNX nodes and initializers the way an exporter would, and (optionally) runs
every node on a small calibration batch as it is added (`numpy_eval`), so that each
BatchNormalization can take running statistics measured on the data that actually reaches it.
That is what keeps activations O(1) through 50 layers of random weights, like a trained
network's, instead of growing or vanishing geometrically.

Used by networks.py; not a command-line tool.
"""
import zlib

import numpy as np
from onnx import TensorProto, helper, numpy_helper
from numpy.lib.stride_tricks import sliding_window_view


def stable_seed(*parts):
    """A seed derived from the parts (ints and strings), the same on every machine and run."""
    text = "\x1f".join(str(p) for p in parts).encode()
    return zlib.crc32(text) ^ (zlib.crc32(text[::-1]) << 32)


# --- numpy evaluation of the node kinds the builders emit (calibration only) ----------------

def _conv(x, w, b, strides, pads, group):
    x = np.pad(x, ((0, 0), (0, 0), (pads[0], pads[2]), (pads[1], pads[3])))
    n, c, h, wd = x.shape
    o, cg, kh, kw = w.shape
    sh, sw = strides
    ho, wo = (h - kh) // sh + 1, (wd - kw) // sw + 1
    if group == 1:
        if kh == 1 and kw == 1:
            cols = x[:, :, : sh * (ho - 1) + 1: sh, : sw * (wo - 1) + 1: sw].transpose(0, 2, 3, 1).reshape(-1, c)
        else:
            win = sliding_window_view(x, (kh, kw), axis=(2, 3))[:, :, ::sh, ::sw][:, :, :ho, :wo]
            cols = win.transpose(0, 2, 3, 1, 4, 5).reshape(n * ho * wo, c * kh * kw)
        y = (cols @ w.reshape(o, -1).T).reshape(n, ho, wo, o).transpose(0, 3, 1, 2)
    elif group == c and cg == 1 and o == c:
        y = np.zeros((n, c, ho, wo), dtype=x.dtype)
        for i in range(kh):
            for j in range(kw):
                y += x[:, :, i: i + sh * (ho - 1) + 1: sh, j: j + sw * (wo - 1) + 1: sw] * w[None, :, 0, i, j, None, None]
    else:
        raise NotImplementedError(f"numpy Conv with group={group}, weight {w.shape}")
    if b is not None:
        y = y + b[None, :, None, None]
    return np.ascontiguousarray(y, dtype=x.dtype)


def _pool(x, kernel, strides, pads, reduce):
    fill = -np.inf if reduce is np.max else 0.0
    x = np.pad(x, ((0, 0), (0, 0), (pads[0], pads[2]), (pads[1], pads[3])), constant_values=fill)
    win = sliding_window_view(x, tuple(kernel), axis=(2, 3))[:, :, :: strides[0], :: strides[1]]
    return reduce(win, axis=(4, 5)).astype(x.dtype)


def numpy_eval(op, xs, attrs):
    """Evaluate one node with numpy. Covers only what the builders in networks.py emit."""
    a = attrs
    if op == "Constant":
        return numpy_helper.to_array(a["value"])
    if op == "Conv":
        return _conv(xs[0], xs[1], xs[2] if len(xs) > 2 else None, a.get("strides", [1, 1]),
                     a.get("pads", [0, 0, 0, 0]), a.get("group", 1))
    if op == "BatchNormalization":
        x, g, b, m, v = xs
        s = (g / np.sqrt(v + a.get("epsilon", 1e-5)))[None, :, None, None]
        return ((x - m[None, :, None, None]) * s + b[None, :, None, None]).astype(x.dtype)
    if op == "Relu":
        return np.maximum(xs[0], 0)
    if op == "Clip":
        return np.clip(xs[0], xs[1], xs[2])
    if op == "Sigmoid":
        return (1 / (1 + np.exp(-xs[0]))).astype(xs[0].dtype)
    if op in ("Add", "Sub", "Mul", "Div"):
        f = {"Add": np.add, "Sub": np.subtract, "Mul": np.multiply, "Div": np.divide}[op]
        return f(xs[0], xs[1]).astype(xs[0].dtype)
    if op == "MaxPool":
        return _pool(xs[0], a["kernel_shape"], a.get("strides", [1, 1]), a.get("pads", [0, 0, 0, 0]), np.max)
    if op == "AveragePool":
        return _pool(xs[0], a["kernel_shape"], a.get("strides", [1, 1]), a.get("pads", [0, 0, 0, 0]), np.mean)
    if op == "GlobalAveragePool":
        return xs[0].mean(axis=(2, 3), keepdims=True)
    if op == "ReduceMean":
        return xs[0].mean(axis=tuple(a["axes"]), keepdims=bool(a.get("keepdims", 1)))
    if op == "Flatten":
        return xs[0].reshape(xs[0].shape[0], -1)
    if op == "Reshape":
        return xs[0].reshape([int(d) for d in xs[1]])
    if op == "Transpose":
        return np.ascontiguousarray(xs[0].transpose(a["perm"]))
    if op == "Pad":
        p = [int(v) for v in xs[1]]
        r = len(p) // 2
        return np.pad(xs[0], [(p[i], p[i + r]) for i in range(r)])
    if op == "Gemm":
        w = xs[1].T if a.get("transB", 0) else xs[1]
        return (xs[0] @ w + xs[2]).astype(xs[0].dtype)
    if op == "MatMul":
        return xs[0] @ xs[1]
    if op == "Softmax":
        z = xs[0] - xs[0].max(axis=a.get("axis", -1), keepdims=True)
        e = np.exp(z)
        return (e / e.sum(axis=a.get("axis", -1), keepdims=True)).astype(xs[0].dtype)
    if op == "Shape":
        return np.array(xs[0].shape, dtype=np.int64)
    if op == "Gather":
        return np.take(xs[0], xs[1], axis=a.get("axis", 0))
    if op == "Unsqueeze":
        return np.expand_dims(xs[0], tuple(int(v) for v in xs[1]))
    if op == "Concat":
        return np.concatenate(xs, axis=a["axis"])
    raise NotImplementedError(f"numpy evaluation of {op}")


def evaluate_graph(model, feeds, dtype=np.float64):
    """Run a whole ModelProto built by this package with numpy in `dtype` (float64 by default:
    an independent, more accurate reference than any float32 runtime). Returns the graph
    outputs as float32 arrays, in graph order. Batch by batch, one sample at a time, to bound
    the im2col memory at large inputs."""
    inits = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    inits = {k: (v.astype(dtype) if v.dtype.kind == "f" else v) for k, v in inits.items()}
    names = [o.name for o in model.graph.output]
    batch = next(iter(feeds.values())).shape[0]
    results = []
    for n in range(batch):
        values = dict(inits)
        values.update({k: v[n: n + 1].astype(dtype) for k, v in feeds.items()})
        for node in model.graph.node:
            attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
            y = numpy_eval(node.op_type, [values[i] for i in node.input], attrs)
            if y.dtype.kind == "f":
                y = y.astype(dtype)
            values[node.output[0]] = y
        results.append([values[k] for k in names])
    return [np.concatenate([r[k] for r in results]).astype(np.float32) for k in range(len(names))]


# --- the graph accumulator -------------------------------------------------------------------

RESIDUAL_GAMMA = 0.5


class Net:
    """Nodes, initializers and (with a calibration batch) their live numpy values.

    Subclasses decide node and value naming (`node_name`, `value_name`); architecture code
    only calls the layer methods. Every random draw comes from `self.rng` in a fixed order, so
    a (model, style, seed) triple always gives the same weights; calibration statistics are
    rounded to 3 significant digits so BLAS rounding differences between machines do not leak
    into the weights.
    """

    def __init__(self, seed, calibration=None):
        self.rng = np.random.default_rng(seed)
        self.nodes = []
        self.initializers = []
        self.taken = set()
        self.live = None if calibration is None else {}
        self.counter = 0

    # naming ------------------------------------------------------------------------------
    def unique(self, name, sep="_"):
        if name not in self.taken:
            self.taken.add(name)
            return name
        k = 1
        while f"{name}{sep}{k}" in self.taken:
            k += 1
        self.taken.add(f"{name}{sep}{k}")
        return f"{name}{sep}{k}"

    def next_id(self):
        self.counter += 1
        return self.counter

    # primitives --------------------------------------------------------------------------
    def init(self, name, array):
        array = np.asarray(array)
        if array.dtype == np.float64:
            array = array.astype(np.float32)
        self.initializers.append(numpy_helper.from_array(array, name))
        if self.live is not None:
            self.live[name] = array
        return name

    def emit(self, op, inputs, node_name, output, live=None, **attrs):
        """Append a node with one output; evaluate it on the calibration batch when enabled."""
        self.nodes.append(helper.make_node(op, inputs, [output], name=node_name, **attrs))
        if self.live is not None:
            self.live[output] = live if live is not None else numpy_eval(op, [self.live[i] for i in inputs], attrs)
        return output

    def value(self, name):
        return None if self.live is None else self.live[name]

    # parameters --------------------------------------------------------------------------
    def he_conv(self, cout, cin_per_group, k):
        fan_in = cin_per_group * k * k
        return (self.rng.standard_normal((cout, cin_per_group, k, k)) * np.sqrt(2.0 / fan_in)).astype(np.float32)

    def small(self, n, scale=0.1):
        return self.rng.uniform(-scale, scale, n).astype(np.float32)

    def dense_weight(self, cin, cout, relu_follows, x=None):
        """[cin, cout] weights N(0, gain / cin). For the classifier (no ReLU after it) of a
        calibrated net, also divided by the root mean square of its live input `x`, so the
        logits have unit scale on the calibration batch."""
        w = self.rng.standard_normal((cin, cout)) * np.sqrt((2.0 if relu_follows else 1.0) / cin)
        if not relu_follows and x is not None and self.live is not None:
            w /= _round_sig(np.sqrt(np.mean(np.square(self.live[x].astype(np.float64)))) + 1e-12)
        return w.astype(np.float32)

    def bn_params(self, c, conv_out, gamma_scale=1.0):
        """gamma ~ U(0.5, 1.5), beta ~ U(-0.1, 0.1); running mean/var are the calibration
        batch's per-channel statistics of `conv_out` (when calibrating), perturbed by
        mean += U(-0.1, 0.1)*std and var *= U(0.5, 1.5). Without calibration: mean small, var U(0.5, 1.5)."""
        gamma = self.rng.uniform(0.5, 1.5, c) * gamma_scale
        beta = self.rng.uniform(-0.1, 0.1, c)
        mean_jitter = self.rng.uniform(-0.1, 0.1, c)
        var_factor = self.rng.uniform(0.5, 1.5, c)
        if conv_out is None:
            mean, var = np.zeros(c), np.ones(c)
        else:
            mean = conv_out.astype(np.float64).mean(axis=(0, 2, 3))
            var = conv_out.astype(np.float64).var(axis=(0, 2, 3))
            # shrink toward the layer's mean variance: a channel that was nearly constant on
            # the calibration batch must not amplify by orders of magnitude on other inputs
            var = var + 0.05 * var.mean() + 1e-12
            mean, var = _round_sig(mean), _round_sig(var)
        std = np.sqrt(var)
        return [p.astype(np.float32) for p in (gamma, beta, mean + mean_jitter * std, var * var_factor)]

    def conv_params(self, x, cin, cout, k, strides, pads, groups, bias, bn, eps, gamma_scale=1.0):
        """Weights (and calibrated BN parameters) for a convolution of live value `x`.
        Returns (w, b or None, bn list or None, unfolded live output or None)."""
        w = self.he_conv(cout, cin // groups, k)
        b = self.small(cout) if bias else None
        y = None
        if self.live is not None:
            y = _conv(self.live[x], w, b, strides, pads, groups)
        bnp = self.bn_params(cout, y, gamma_scale) if bn else None
        return w, b, bnp, y

    @staticmethod
    def fold(w, b, bnp, eps):
        gamma, beta, mean, var = [p.astype(np.float64) for p in bnp]
        s = gamma / np.sqrt(var + eps)
        wf = w.astype(np.float64) * s[:, None, None, None]
        bf = beta + ((b.astype(np.float64) if b is not None else 0.0) - mean) * s
        return wf.astype(np.float32), bf.astype(np.float32)

    @staticmethod
    def bn_apply(y, bnp, eps):
        if y is None:
            return None
        return numpy_eval("BatchNormalization", [y] + list(bnp), {"epsilon": eps})

    # model -------------------------------------------------------------------------------
    def model(self, graph_name, inputs, outputs, opset, ir_version, producer, producer_version):
        graph = helper.make_graph(self.nodes, graph_name, inputs, outputs, self.initializers)
        m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)],
                              producer_name=producer, producer_version=producer_version)
        m.ir_version = ir_version
        return m


def _round_sig(a, digits=3):
    a = np.asarray(a, dtype=np.float64)
    with np.errstate(divide="ignore"):
        mag = np.where(a == 0, 0, np.floor(np.log10(np.abs(np.where(a == 0, 1, a)))))
    scale = 10.0 ** (digits - 1 - mag)
    return np.round(a * scale) / scale


def tensor_info(name, dims):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, dims)

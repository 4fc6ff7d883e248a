"""torchvision architectures laid out the way torch.onnx.export (opset 17, eval mode) writes them.

Naming follows the exporter: node `/layer1/layer1.0/conv1/Conv` (a scope per module, a
Sequential child named by its qualified name), value `<node>_output_0`, parameters
`layer1.0.conv1.weight`, folded Conv+BatchNorm parameters `onnx::Conv_<n>`, graph input
`input` [batch_size, 3, S, S] and output `output` [batch_size, 1000].

Layouts: ResNet50 and MobileNetV2 with BatchNorm folded into the convolutions (what
`do_constant_folding=True` gives in eval mode), EfficientNet-B0 with separate
BatchNormalization nodes (what `training=TrainingMode.PRESERVE` or no folding gives); ReLU6
as Clip with Constant min/max inputs; SiLU as Sigmoid + Mul; squeeze-excitation as
GlobalAveragePool + 1x1 Convs; heads GlobalAveragePool -> Flatten -> Gemm(transB=1).

VGG16 differs from today's torchvision in two documented ways: the flatten is the older
`x.view(x.size(0), -1)` (exported as Shape -> Gather(0) -> Unsqueeze -> Concat([-1]) ->
Reshape), so one network carries a shape subgraph; and AdaptiveAvgPool2d((7, 7)) is an
AveragePool with kernel = stride = F/7 when the feature map F is a multiple of 7 (input 224:
F = 7, a 1x1 AveragePool and the real 25088-wide classifier), otherwise (smaller inputs, where
torch.onnx cannot export the adaptive pool) a GlobalAveragePool and a 512-wide classifier.
"""
import numpy as np
from onnx import TensorProto, helper

from netgraph import RESIDUAL_GAMMA, Net, tensor_info

OPSET = 17
CLASSES = 1000


def qualified(scope):
    """'/layer1/layer1.0/downsample/downsample.0' -> 'layer1.0.downsample.0'."""
    parts = [p for p in scope.split("/") if p]
    out = []
    for p in parts:
        if out and p.startswith(out[-1] + "."):
            out[-1] = p
        else:
            out.append(p)
    return ".".join(out)


class TorchNet(Net):
    def node(self, scope, op):
        return self.unique(f"{scope}/{op}")

    def emit_op(self, op, inputs, scope, output=None, live=None, **attrs):
        name = self.node(scope, op)
        return self.emit(op, inputs, name, output or f"{name}_output_0", live=live, **attrs)

    def constant(self, scope, array):
        name = self.node(scope, "Constant")
        return self.emit("Constant", [], name, f"{name}_output_0",
                         value=helper.make_tensor(name="", data_type=_dtype(array), dims=array.shape,
                                                  vals=array.flatten().tolist()))

    def conv(self, x, scope, cin, cout, k, stride=1, pad=0, groups=1, bias=False, bn_scope=None,
             fold=True, eps=1e-5, residual=False):
        """Conv (+ BatchNorm, folded into the Conv or as its own node)."""
        pads = [pad] * 4
        w, b, bnp, y = self.conv_params(x, cin, cout, k, (stride, stride), pads, groups, bias, bn_scope is not None, eps,
                                         RESIDUAL_GAMMA if residual else 1.0)
        attrs = dict(dilations=[1, 1], group=groups, kernel_shape=[k, k], pads=pads, strides=[stride, stride])
        if bn_scope is not None and fold:
            wf, bf = self.fold(w, b, bnp, eps)
            inputs = [self.init(f"onnx::Conv_{self.next_id()}", wf), self.init(f"onnx::Conv_{self.next_id()}", bf)]
            return self.emit_op("Conv", [x] + inputs, scope, live=self.bn_apply(y, bnp, eps), **attrs)
        q = qualified(scope)
        inputs = [self.init(f"{q}.weight", w)] + ([self.init(f"{q}.bias", b)] if bias else [])
        out = self.emit_op("Conv", [x] + inputs, scope, live=y, **attrs)
        if bn_scope is None:
            return out
        qb = qualified(bn_scope)
        names = [self.init(f"{qb}.{p}", v) for p, v in zip(("weight", "bias", "running_mean", "running_var"), bnp)]
        return self.emit_op("BatchNormalization", [out] + names, bn_scope, epsilon=eps, momentum=0.9)

    def relu(self, x, scope):
        return self.emit_op("Relu", [x], scope)

    def relu6(self, x, scope):
        lo = self.constant(scope, np.array(0.0, dtype=np.float32))
        hi = self.constant(scope, np.array(6.0, dtype=np.float32))
        return self.emit_op("Clip", [x, lo, hi], scope)

    def silu(self, x, scope):
        s = self.emit_op("Sigmoid", [x], scope)
        return self.emit_op("Mul", [x, s], scope)

    def sigmoid(self, x, scope):
        return self.emit_op("Sigmoid", [x], scope)

    def add(self, a, b, scope):
        return self.emit_op("Add", [a, b], scope)

    def mul(self, a, b, scope):
        return self.emit_op("Mul", [a, b], scope)

    def maxpool(self, x, scope, k, stride, pad):
        return self.emit_op("MaxPool", [x], scope, ceil_mode=0, dilations=[1, 1], kernel_shape=[k, k],
                            pads=[pad] * 4, strides=[stride, stride])

    def avgpool(self, x, scope, k):
        return self.emit_op("AveragePool", [x], scope, ceil_mode=0, count_include_pad=0, kernel_shape=[k, k],
                            pads=[0, 0, 0, 0], strides=[k, k])

    def gap(self, x, scope):
        return self.emit_op("GlobalAveragePool", [x], scope)

    def flatten(self, x, scope=""):
        return self.emit_op("Flatten", [x], scope, axis=1)

    def view_flat(self, x, scope=""):
        """x.view(x.size(0), -1) as torch.onnx exports it."""
        shape = self.emit_op("Shape", [x], scope)
        zero = self.constant(scope, np.array(0, dtype=np.int64))
        n = self.emit_op("Gather", [shape, zero], scope, axis=0)
        axes = self.constant(scope, np.array([0], dtype=np.int64))
        n1 = self.emit_op("Unsqueeze", [n, axes], scope)
        minus1 = self.constant(scope, np.array([-1], dtype=np.int64))
        target = self.emit_op("Concat", [n1, minus1], scope, axis=0)
        return self.emit_op("Reshape", [x, target], scope)

    def gemm(self, x, scope, cin, cout, relu_follows=False, output=None):
        w = self.dense_weight(cin, cout, relu_follows, x).T.copy()  # torch Linear: [out, in]
        q = qualified(scope)
        return self.emit_op("Gemm", [x, self.init(f"{q}.weight", w), self.init(f"{q}.bias", self.small(cout))],
                            scope, output=output, alpha=1.0, beta=1.0, transB=1)


def _dtype(a):
    return {np.dtype(np.float32): TensorProto.FLOAT, np.dtype(np.int64): TensorProto.INT64}[a.dtype]


# --- architectures ---------------------------------------------------------------------------

def resnet50(net, x, size):
    x = net.conv(x, "/conv1", 3, 64, 7, 2, 3, bn_scope="/bn1")
    x = net.relu(x, "/relu")
    x = net.maxpool(x, "/maxpool", 3, 2, 1)
    inplanes = 64
    for li, (planes, blocks, stride) in enumerate([(64, 3, 1), (128, 4, 2), (256, 6, 2), (512, 3, 2)], start=1):
        for bi in range(blocks):
            sc = f"/layer{li}/layer{li}.{bi}"
            s = stride if bi == 0 else 1
            y = net.conv(x, sc + "/conv1", inplanes, planes, 1, bn_scope=sc + "/bn1")
            y = net.relu(y, sc + "/relu")
            y = net.conv(y, sc + "/conv2", planes, planes, 3, s, 1, bn_scope=sc + "/bn2")  # v1.5: stride on the 3x3
            y = net.relu(y, sc + "/relu_1")
            y = net.conv(y, sc + "/conv3", planes, planes * 4, 1, bn_scope=sc + "/bn3", residual=True)
            identity = x
            if bi == 0:
                identity = net.conv(x, sc + "/downsample/downsample.0", inplanes, planes * 4, 1, s,
                                    bn_scope=sc + "/downsample/downsample.1")
            x = net.relu(net.add(y, identity, sc), sc + "/relu_2")
            inplanes = planes * 4
    x = net.flatten(net.gap(x, "/avgpool"))
    return net.gemm(x, "/fc", 2048, CLASSES, output="output")


VGG16_CFG = [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"]


def vgg16(net, x, size):
    cin, i, f = 3, 0, size
    for v in VGG16_CFG:
        if v == "M":
            x = net.maxpool(x, f"/features/features.{i}", 2, 2, 0)
            f //= 2
            i += 1
        else:
            x = net.conv(x, f"/features/features.{i}", cin, v, 3, 1, 1, bias=True)
            x = net.relu(x, f"/features/features.{i + 1}")
            cin, i = v, i + 2
    if f >= 7 and f % 7 == 0:
        x = net.avgpool(x, "/avgpool", f // 7)
        width = 512 * 7 * 7
    else:
        x = net.gap(x, "/avgpool")
        width = 512
    x = net.view_flat(x)
    x = net.relu(net.gemm(x, "/classifier/classifier.0", width, 4096, relu_follows=True), "/classifier/classifier.1")
    x = net.relu(net.gemm(x, "/classifier/classifier.3", 4096, 4096, relu_follows=True), "/classifier/classifier.4")
    return net.gemm(x, "/classifier/classifier.6", 4096, CLASSES, output="output")


MOBILENETV2_CFG = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]


def mobilenetv2(net, x, size):
    x = net.conv(x, "/features/features.0/features.0.0", 3, 32, 3, 2, 1, bn_scope="/features/features.0/features.0.1")
    x = net.relu6(x, "/features/features.0/features.0.2")
    cin, idx = 32, 1
    for t, c, n, s in MOBILENETV2_CFG:
        for i in range(n):
            stride = s if i == 0 else 1
            hidden = cin * t
            sc = f"/features/features.{idx}/conv"
            y, j = x, 0
            if t != 1:
                y = net.conv(y, f"{sc}/conv.0/conv.0.0", cin, hidden, 1, bn_scope=f"{sc}/conv.0/conv.0.1")
                y = net.relu6(y, f"{sc}/conv.0/conv.0.2")
                j = 1
            y = net.conv(y, f"{sc}/conv.{j}/conv.{j}.0", hidden, hidden, 3, stride, 1, groups=hidden,
                         bn_scope=f"{sc}/conv.{j}/conv.{j}.1")
            y = net.relu6(y, f"{sc}/conv.{j}/conv.{j}.2")
            y = net.conv(y, f"{sc}/conv.{j + 1}", hidden, c, 1, bn_scope=f"{sc}/conv.{j + 2}",
                         residual=stride == 1 and cin == c)
            if stride == 1 and cin == c:
                y = net.add(x, y, f"/features/features.{idx}")
            x, cin, idx = y, c, idx + 1
    x = net.conv(x, "/features/features.18/features.18.0", 320, 1280, 1, bn_scope="/features/features.18/features.18.1")
    x = net.relu6(x, "/features/features.18/features.18.2")
    x = net.flatten(net.gap(x, ""))  # nn.functional.adaptive_avg_pool2d(x, (1, 1)); torch.flatten(x, 1)
    return net.gemm(x, "/classifier/classifier.1", 1280, CLASSES, output="output")


# (expand_ratio, kernel, stride, input_channels, out_channels, num_layers): torchvision efficientnet_b0
EFFICIENTNETB0_CFG = [(1, 3, 1, 32, 16, 1), (6, 3, 2, 16, 24, 2), (6, 5, 2, 24, 40, 2), (6, 3, 2, 40, 80, 3),
                      (6, 5, 1, 80, 112, 3), (6, 5, 2, 112, 192, 4), (6, 3, 1, 192, 320, 1)]


def efficientnetb0(net, x, size):
    bn = dict(fold=False, eps=1e-5)
    x = net.conv(x, "/features/features.0/features.0.0", 3, 32, 3, 2, 1, bn_scope="/features/features.0/features.0.1", **bn)
    x = net.silu(x, "/features/features.0/features.0.2")
    for si, (e, k, s, cin, cout, n) in enumerate(EFFICIENTNETB0_CFG, start=1):
        for bi in range(n):
            sc = f"/features/features.{si}/features.{si}.{bi}"
            bin_ = cin if bi == 0 else cout
            stride = s if bi == 0 else 1
            exp = bin_ * e
            y, j = x, 0
            if exp != bin_:
                y = net.conv(y, f"{sc}/block/block.0/block.0.0", bin_, exp, 1, bn_scope=f"{sc}/block/block.0/block.0.1", **bn)
                y = net.silu(y, f"{sc}/block/block.0/block.0.2")
                j = 1
            y = net.conv(y, f"{sc}/block/block.{j}/block.{j}.0", exp, exp, k, stride, (k - 1) // 2, groups=exp,
                         bn_scope=f"{sc}/block/block.{j}/block.{j}.1", **bn)
            y = net.silu(y, f"{sc}/block/block.{j}/block.{j}.2")
            se = f"{sc}/block/block.{j + 1}"
            sq = max(1, bin_ // 4)
            g = net.gap(y, se + "/avgpool")
            g = net.silu(net.conv(g, se + "/fc1", exp, sq, 1, bias=True), se + "/activation")
            g = net.sigmoid(net.conv(g, se + "/fc2", sq, exp, 1, bias=True), se + "/scale_activation")
            y = net.mul(g, y, se)
            y = net.conv(y, f"{sc}/block/block.{j + 2}/block.{j + 2}.0", exp, cout, 1,
                         bn_scope=f"{sc}/block/block.{j + 2}/block.{j + 2}.1",
                         residual=stride == 1 and bin_ == cout, **bn)
            if stride == 1 and bin_ == cout:
                y = net.add(y, x, sc)
            x = y
    x = net.conv(x, "/features/features.8/features.8.0", 320, 1280, 1, bn_scope="/features/features.8/features.8.1", **bn)
    x = net.silu(x, "/features/features.8/features.8.2")
    x = net.flatten(net.gap(x, "/avgpool"))
    return net.gemm(x, "/classifier/classifier.1", 1280, CLASSES, output="output")


ARCHITECTURES = {"resnet50": resnet50, "vgg16": vgg16, "mobilenetv2": mobilenetv2, "efficientnetb0": efficientnetb0}


def build(model, size, seed, calibration):
    """The ModelProto of `model` (a key of ARCHITECTURES) for input size `size`."""
    net = TorchNet(seed, calibration)
    if net.live is not None:
        net.live["input"] = calibration
    out = ARCHITECTURES[model](net, "input", size)
    return net.model(f"main_graph", [tensor_info("input", ["batch_size", 3, size, size])],
                     [tensor_info(out, ["batch_size", CLASSES])], OPSET, 8, "pytorch", "2.3.0")


def input_spec(model, size):
    """(name, shape without batch, distribution) of the graph input."""
    return "input", (3, size, size), "normal"

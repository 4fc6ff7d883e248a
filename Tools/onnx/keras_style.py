"""keras.applications architectures laid out the way tf2onnx (opset 13) writes them.

Naming follows tf2onnx on a Keras model: node `resnet50/conv1_conv/BiasAdd` (model name,
Keras layer name, TensorFlow op), value `<node>:0` (so a ResNet block output is
`resnet50/conv5_block3_out/Relu:0`), parameters `<layer>/.../ReadVariableOp:0`, helper nodes
`<node>__<n>`; graph input `input_1` [unk__N, S, S, 3] (NHWC) followed by a
Transpose(perm 0,3,1,2), graph output `predictions` [unk__M, 1000] (softmax).

Layouts: Keras "same" padding as explicit (asymmetric where TF puts the extra row at the
end) Conv pads, ZeroPadding2D as a Pad node; ResNet50 (v1: stride on the first 1x1, conv
biases) and EfficientNet-B0 with separate BatchNormalization (epsilon 1.001e-5 and 1e-3),
MobileNetV2 with BatchNorm folded into the convolutions; ReLU6 as Clip with initializer
min/max; swish as Sigmoid + Mul; squeeze-excitation as ReduceMean(axes [2,3], keepdims=1),
1x1 Convs and Mul; heads GlobalAveragePool/ReduceMean -> Reshape/Flatten -> MatMul + Add ->
Softmax. VGG16 keeps Keras's Flatten (a Transpose back to NHWC, then Reshape), so its first
dense layer is (S/32)^2 * 512 wide. EfficientNet-B0 keeps its Rescaling (1/255) and
Normalization (ImageNet mean/variance) layers, applied in NHWC before the Transpose; its
input is pixels in [0, 255].
"""
import numpy as np
from onnx import helper

from netgraph import RESIDUAL_GAMMA, Net, numpy_eval, tensor_info

OPSET = 13
CLASSES = 1000


def same_pads(size, k, s):
    """TensorFlow 'same' padding (before, after) for one spatial axis."""
    out = -(-size // s)
    total = max((out - 1) * s + k - size, 0)
    return total // 2, total - total // 2


def correct_pad(size, k):
    """keras.applications imagenet_utils.correct_pad: (before, after) for a stride-2 ZeroPadding2D."""
    adjust = 1 - size % 2
    return k // 2 - adjust, k // 2


def conv_out(size, k, s, before, after):
    return (size + before + after - k) // s + 1


class KerasNet(Net):
    def __init__(self, model_name, seed, calibration):
        super().__init__(seed, calibration)
        self.m = model_name

    def emit_tf(self, op, inputs, layer, tf_op, live=None, **attrs):
        name = self.unique(f"{self.m}/{layer}/{tf_op}" if layer else tf_op, sep="__")
        return self.emit(op, inputs, name, f"{name}:0", live=live, **attrs)

    def const(self, array, stem="const_fold_opt"):
        return self.init(f"{stem}__{self.next_id()}", array)

    def transpose(self, x, perm, after_layer):
        return self.emit_tf("Transpose", [x], None, f"{self.m}/{after_layer}__{self.next_id()}", perm=perm)

    def conv(self, x, layer, cin, cout, k, stride=1, pads=(0, 0, 0, 0), depthwise=False, bias=True,
             bn=None, fold=False, eps=1e-3, residual=False):
        """Conv2D / DepthwiseConv2D (+ BatchNormalization, separate or folded). `pads` is
        (top, left, bottom, right)."""
        groups = cin if depthwise else 1
        pads = [pads[0], pads[1], pads[2], pads[3]]
        w, b, bnp, y = self.conv_params(x, cin, cout, k, (stride, stride), pads, groups, bias, bn is not None, eps,
                                         RESIDUAL_GAMMA if residual else 1.0)
        attrs = dict(dilations=[1, 1], group=groups, kernel_shape=[k, k], pads=pads, strides=[stride, stride])
        tf_op = "depthwise" if depthwise else "Conv2D"
        if bn is not None and fold:
            wf, bf = self.fold(w, b, bnp, eps)
            name = self.unique(f"{self.m}/{layer}/{tf_op}")
            inputs = [self.init(f"{name}_weights_fused_bn", wf), self.init(f"{name}_bias_fused_bn", bf)]
            return self.emit("Conv", [x] + inputs, name, f"{self.m}/{bn}/FusedBatchNormV3:0",
                             live=self.bn_apply(y, bnp, eps), **attrs)
        inputs = [self.init(f"{self.m}/{layer}/{tf_op}/ReadVariableOp:0", w)]
        if bias:
            inputs.append(self.init(f"{self.m}/{layer}/BiasAdd/ReadVariableOp:0", b))
        out = self.emit_tf("Conv", [x] + inputs, layer, "BiasAdd" if bias else tf_op, live=y, **attrs)
        if bn is None:
            return out
        p = f"{self.m}/{bn}"
        names = [self.init(n, v) for n, v in zip(
            (f"{p}/ReadVariableOp:0", f"{p}/ReadVariableOp_1:0",
             f"{p}/FusedBatchNormV3/ReadVariableOp:0", f"{p}/FusedBatchNormV3/ReadVariableOp_1:0"), bnp)]
        return self.emit_tf("BatchNormalization", [out] + names, bn, "FusedBatchNormV3", epsilon=eps, momentum=0.99)

    def relu(self, x, layer):
        return self.emit_tf("Relu", [x], layer, "Relu")

    def relu6(self, x, layer):
        lo = self.const(np.array(0.0, dtype=np.float32), "clip_min")
        hi = self.const(np.array(6.0, dtype=np.float32), "clip_max")
        return self.emit_tf("Clip", [x, lo, hi], layer, "Relu6")

    def swish(self, x, layer):
        s = self.emit_tf("Sigmoid", [x], layer, "Sigmoid")
        return self.emit_tf("Mul", [x, s], layer, "mul")

    def sigmoid(self, x, layer):
        return self.emit_tf("Sigmoid", [x], layer, "Sigmoid")

    def add(self, a, b, layer):
        return self.emit_tf("Add", [a, b], layer, "add")

    def mul(self, a, b, layer):
        return self.emit_tf("Mul", [a, b], layer, "mul")

    def zero_pad(self, x, layer, top, bottom, left=None, right=None):
        left = top if left is None else left
        right = bottom if right is None else right
        pads = self.const(np.array([0, 0, top, left, 0, 0, bottom, right], dtype=np.int64))
        return self.emit_tf("Pad", [x, pads], layer, "Pad", mode="constant")

    def maxpool(self, x, layer, k, stride):
        return self.emit_tf("MaxPool", [x], layer, "MaxPool", kernel_shape=[k, k], pads=[0, 0, 0, 0],
                            strides=[stride, stride])

    def dense(self, x, layer, cin, cout, activation):
        w = self.init(f"{self.m}/{layer}/MatMul/ReadVariableOp:0", self.dense_weight(cin, cout, activation == "relu", x))
        bias = self.init(f"{self.m}/{layer}/BiasAdd/ReadVariableOp:0", self.small(cout))
        y = self.emit_tf("MatMul", [x, w], layer, "MatMul")
        y = self.emit_tf("Add", [y, bias], layer, "BiasAdd")
        if activation == "relu":
            return self.relu(y, layer)
        # the model output keeps the Keras output layer's name
        self.nodes.append(helper.make_node("Softmax", [y], [layer], name=f"{self.m}/{layer}/Softmax", axis=-1))
        if self.live is not None:
            self.live[layer] = numpy_eval("Softmax", [self.live[y]], {"axis": -1})
        return layer


# --- architectures ---------------------------------------------------------------------------

def resnet50(k, x, size):
    eps = 1.001e-5
    x = k.transpose(x, [0, 3, 1, 2], "conv1_pad/Pad")
    x = k.zero_pad(x, "conv1_pad", 3, 3)
    x = k.conv(x, "conv1_conv", 3, 64, 7, 2, bn="conv1_bn", eps=eps)
    x = k.relu(x, "conv1_relu")
    x = k.zero_pad(x, "pool1_pad", 1, 1)
    x = k.maxpool(x, "pool1_pool", 3, 2)
    cin = 64
    for stack, (filters, blocks, stride) in enumerate([(64, 3, 1), (128, 4, 2), (256, 6, 2), (512, 3, 2)], start=2):
        for bi in range(1, blocks + 1):
            p = f"conv{stack}_block{bi}"
            s = stride if bi == 1 else 1
            shortcut = x
            if bi == 1:
                shortcut = k.conv(x, p + "_0_conv", cin, 4 * filters, 1, s, bn=p + "_0_bn", eps=eps)
            y = k.conv(x, p + "_1_conv", cin, filters, 1, s, bn=p + "_1_bn", eps=eps)  # v1: stride on the 1x1
            y = k.relu(y, p + "_1_relu")
            y = k.conv(y, p + "_2_conv", filters, filters, 3, 1, (1, 1, 1, 1), bn=p + "_2_bn", eps=eps)
            y = k.relu(y, p + "_2_relu")
            y = k.conv(y, p + "_3_conv", filters, 4 * filters, 1, bn=p + "_3_bn", eps=eps, residual=True)
            x = k.relu(k.add(shortcut, y, p + "_add"), p + "_out")
            cin = 4 * filters
    x = k.emit_tf("GlobalAveragePool", [x], "avg_pool", "Mean")
    x = k.emit_tf("Reshape", [x, k.const(np.array([-1, 2048], dtype=np.int64))], "avg_pool", "Mean_Squeeze")
    return k.dense(x, "predictions", 2048, CLASSES, "softmax")


def vgg16(k, x, size):
    x = k.transpose(x, [0, 3, 1, 2], "block1_conv1/Conv2D")
    cin, f = 3, size
    for b, (n, c) in enumerate([(2, 64), (2, 128), (3, 256), (3, 512), (3, 512)], start=1):
        for i in range(1, n + 1):
            x = k.relu(k.conv(x, f"block{b}_conv{i}", cin, c, 3, 1, (1, 1, 1, 1)), f"block{b}_conv{i}")
            cin = c
        x = k.maxpool(x, f"block{b}_pool", 2, 2)
        f //= 2
    x = k.transpose(x, [0, 2, 3, 1], "flatten/Reshape")
    width = f * f * 512
    x = k.emit_tf("Reshape", [x, k.const(np.array([-1, width], dtype=np.int64))], "flatten", "Reshape")
    x = k.dense(x, "fc1", width, 4096, "relu")
    x = k.dense(x, "fc2", 4096, 4096, "relu")
    return k.dense(x, "predictions", 4096, CLASSES, "softmax")


# (filters, stride, expansion) for block ids 0..16 of keras.applications.MobileNetV2 (alpha 1.0)
MOBILENETV2_BLOCKS = [(16, 1, 1), (24, 2, 6), (24, 1, 6), (32, 2, 6), (32, 1, 6), (32, 1, 6), (64, 2, 6), (64, 1, 6),
                      (64, 1, 6), (64, 1, 6), (96, 1, 6), (96, 1, 6), (96, 1, 6), (160, 2, 6), (160, 1, 6),
                      (160, 1, 6), (320, 1, 6)]


def mobilenetv2(k, x, size):
    bnkw = dict(fold=True, eps=1e-3, bias=False)
    x = k.transpose(x, [0, 3, 1, 2], "Conv1/Conv2D")
    t, b = same_pads(size, 3, 2)
    x = k.conv(x, "Conv1", 3, 32, 3, 2, (t, t, b, b), bn="bn_Conv1", **bnkw)
    x = k.relu6(x, "Conv1_relu")
    f = conv_out(size, 3, 2, t, b)
    cin = 32
    for block_id, (filters, stride, expansion) in enumerate(MOBILENETV2_BLOCKS):
        p = f"block_{block_id}_" if block_id else "expanded_conv_"
        y = x
        hidden = cin * expansion
        if block_id:
            y = k.conv(y, p + "expand", cin, hidden, 1, bn=p + "expand_BN", **bnkw)
            y = k.relu6(y, p + "expand_relu")
        if stride == 2:
            before, after = correct_pad(f, 3)
            y = k.zero_pad(y, p + "pad", before, after)
            pads = (0, 0, 0, 0)
            f = conv_out(f, 3, 2, before, after)
        else:
            pads = (1, 1, 1, 1)
        y = k.conv(y, p + "depthwise", hidden, hidden, 3, stride, pads, depthwise=True, bn=p + "depthwise_BN", **bnkw)
        y = k.relu6(y, p + "depthwise_relu")
        y = k.conv(y, p + "project", hidden, filters, 1, bn=p + "project_BN",
                   residual=stride == 1 and cin == filters, **bnkw)
        if stride == 1 and cin == filters:
            y = k.add(x, y, p + "add")
        x, cin = y, filters
    x = k.conv(x, "Conv_1", 320, 1280, 1, bn="Conv_1_bn", **bnkw)
    x = k.relu6(x, "out_relu")
    x = k.emit_tf("ReduceMean", [x], "global_average_pooling2d", "Mean", axes=[2, 3], keepdims=0)
    return k.dense(x, "predictions", 1280, CLASSES, "softmax")


# (kernel, repeats, filters_in, filters_out, expand_ratio, strides): keras DEFAULT_BLOCKS_ARGS
EFFICIENTNET_BLOCKS = [(3, 1, 32, 16, 1, 1), (3, 2, 16, 24, 6, 2), (5, 2, 24, 40, 6, 2), (3, 3, 40, 80, 6, 2),
                       (5, 3, 80, 112, 6, 1), (5, 4, 112, 192, 6, 2), (3, 1, 192, 320, 6, 1)]
IMAGENET_MEAN = [0.485, 0.456, 0.406]
IMAGENET_VAR = [0.229 ** 2, 0.224 ** 2, 0.225 ** 2]


def efficientnetb0(k, x, size):
    bnkw = dict(bias=False, eps=1e-3)
    x = k.emit_tf("Mul", [x, k.const(np.array(1 / 255, dtype=np.float32))], "rescaling", "mul")
    x = k.emit_tf("Sub", [x, k.const(np.array(IMAGENET_MEAN, dtype=np.float32))], "normalization", "sub")
    x = k.emit_tf("Div", [x, k.const(np.sqrt(np.array(IMAGENET_VAR)).astype(np.float32))], "normalization", "truediv")
    x = k.transpose(x, [0, 3, 1, 2], "stem_conv_pad/Pad")
    before, after = correct_pad(size, 3)
    x = k.zero_pad(x, "stem_conv_pad", before, after)
    f = conv_out(size, 3, 2, before, after)
    x = k.conv(x, "stem_conv", 3, 32, 3, 2, bn="stem_bn", **bnkw)
    x = k.swish(x, "stem_activation")
    for i, (kern, repeats, fin, fout, expand, strides) in enumerate(EFFICIENTNET_BLOCKS, start=1):
        for j in range(repeats):
            p = f"block{i}{chr(97 + j)}_"
            bin_ = fin if j == 0 else fout
            stride = strides if j == 0 else 1
            filters = bin_ * expand
            y = x
            if expand != 1:
                y = k.swish(k.conv(y, p + "expand_conv", bin_, filters, 1, bn=p + "expand_bn", **bnkw), p + "expand_activation")
            if stride == 2:
                before, after = correct_pad(f, kern)
                y = k.zero_pad(y, p + "dwconv_pad", before, after)
                f = conv_out(f, kern, 2, before, after)
                pads = (0, 0, 0, 0)
            else:
                pads = ((kern - 1) // 2,) * 4
            y = k.conv(y, p + "dwconv", filters, filters, kern, stride, pads, depthwise=True, bn=p + "bn", **bnkw)
            y = k.swish(y, p + "activation")
            se = k.emit_tf("ReduceMean", [y], p + "se_squeeze", "Mean", axes=[2, 3], keepdims=1)
            sq = max(1, int(bin_ * 0.25))
            se = k.swish(k.conv(se, p + "se_reduce", filters, sq, 1), p + "se_reduce")
            se = k.sigmoid(k.conv(se, p + "se_expand", sq, filters, 1), p + "se_expand")
            y = k.mul(y, se, p + "se_excite")
            y = k.conv(y, p + "project_conv", filters, fout, 1, bn=p + "project_bn",
                       residual=stride == 1 and bin_ == fout, **bnkw)
            if stride == 1 and bin_ == fout:
                y = k.add(y, x, p + "add")  # the Dropout before it is the identity at inference
            x = y
    x = k.swish(k.conv(x, "top_conv", 320, 1280, 1, bn="top_bn", **bnkw), "top_activation")
    x = k.emit_tf("GlobalAveragePool", [x], "avg_pool", "Mean")
    x = k.emit_tf("Flatten", [x], "avg_pool", "Mean_Squeeze", axis=1)
    return k.dense(x, "predictions", 1280, CLASSES, "softmax")


ARCHITECTURES = {"resnet50": resnet50, "vgg16": vgg16, "mobilenetv2": mobilenetv2, "efficientnetb0": efficientnetb0}


def model_name(model, size):
    if model == "mobilenetv2":
        return f"mobilenetv2_1.00_{size if size in (96, 128, 160, 192, 224) else 224}"
    return model


def build(model, size, seed, calibration):
    net = KerasNet(model_name(model, size), seed, calibration)
    if net.live is not None:
        net.live["input_1"] = calibration
    out = ARCHITECTURES[model](net, "input_1", size)
    return net.model("tf2onnx", [tensor_info("input_1", ["unk__618", size, size, 3])],
                     [tensor_info(out, ["unk__619", CLASSES])], OPSET, 7, "tf2onnx", "1.16.1 15c810")


def input_spec(model, size):
    dist = "pixels" if model == "efficientnetb0" else "normal"
    return "input_1", (size, size, 3), dist

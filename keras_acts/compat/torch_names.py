"""PyTorch's activations, their arguments and their differences from ours: plain data.

One ``TorchActivation`` row per element-wise activation module of
``torch.nn`` (and ``torch.nn.Identity``), naming its ``torch.nn.functional``
spellings, the keras-acts activation it becomes, how each constructor
argument translates and what behaves differently. ``from_torch``, the name
lookup and the porting page (``docs/porting.md``) all read this table, so
the three cannot disagree.

This module imports nothing from keras_acts and nothing heavy, so that the
table can be read (and the names resolved) without TensorFlow or PyTorch.
"""

from __future__ import annotations

from typing import NamedTuple

REQUIRED = "<required>"
"""Stands for the default of a PyTorch argument that has none."""

# How a PyTorch argument's value becomes ours. The porting page prints these.
RULES = {
    "same": "same name and meaning",
    "renamed": "same meaning, our name",
    "ignored": "ignored: TensorFlow never modifies a tensor in place, the result is the same",
    "deprecated_alias": "PyTorch's deprecated spelling, translated alike",
    "approximate": '"none" -> False, "tanh" -> True',
    "axis": (
        "dim -> axis; with data_format='channels_last', PyTorch's dim 1 (the "
        "channels) becomes -1 and later dims move up one"
    ),
    "prelu_count": (
        "1: one slope shared by all (shared_axes = every axis but the batch); "
        "C: one slope per channel, on dim 1 or, with data_format='channels_last', "
        "the last axis"
    ),
    "prelu_init": "alpha_initializer=keras.initializers.Constant(init), or the learned weight",
    "not_layer_argument": "ignored: Keras places and types weights itself (dtype policy)",
}


class Argument(NamedTuple):
    """One PyTorch constructor argument and how it becomes ours."""

    torch: str
    default: object  # PyTorch's default, or REQUIRED
    ours: str | None  # our keyword, or None when nothing receives it
    rule: str  # a key of RULES


class KinkGradient(NamedTuple):
    """Where our derivative at a kink differs from PyTorch's (both are valid subgradients)."""

    at: str  # the input there: a number, or the argument whose value it is
    ours: str  # our derivative there
    torch: str  # PyTorch's derivative there
    why: str  # whose convention ours follows


class TorchActivation(NamedTuple):
    """One PyTorch activation and its keras-acts counterpart."""

    module: str  # the torch.nn class name
    functional: tuple  # its torch.nn.functional names (in-place variants too)
    ours: str  # our activation name (keras_acts.lookup(ours))
    arguments: tuple  # of Argument: what the constructor takes
    fixed: tuple = ()  # of Argument: what the module sets itself, translated alike
    differences: tuple = ()  # known behaviour differences, one sentence each
    kinks: tuple = ()  # of KinkGradient: derivatives at kinks that differ


def _inplace():
    return Argument("inplace", False, None, "ignored")


def _dim():
    # PyTorch's implicit dim (None) picks an axis from the input's rank at
    # call time and is deprecated there; a layer needs one axis up front.
    return Argument("dim", None, "axis", "axis")


_DIM_NONE = (
    "dim=None (PyTorch's deprecated implicit axis, chosen from the input's rank "
    "at call time) is refused: pass dim explicitly."
)
_FLOAT64_THROUGHOUT = (
    "float64 inputs compute with float64 constants throughout here."
)

TORCH_ACTIVATIONS = (
    TorchActivation(
        "Threshold", ("threshold", "threshold_"), "threshold",
        (
            Argument("threshold", REQUIRED, "threshold", "same"),
            Argument("value", REQUIRED, "default_value", "renamed"),
            _inplace(),
        ),
    ),
    TorchActivation(
        "ReLU", ("relu", "relu_"), "relu", (_inplace(),),
    ),
    TorchActivation(
        "RReLU", ("rrelu", "rrelu_"), "rrelu",
        (
            Argument("lower", 0.125, "lower", "same"),
            Argument("upper", 1.0 / 3.0, "upper", "same"),
            _inplace(),
        ),
        differences=(
            "In training the random slopes come from TensorFlow's generator: the same "
            "distribution, never the same draws as PyTorch.",
        ),
    ),
    TorchActivation(
        "Hardtanh", ("hardtanh", "hardtanh_"), "hard_tanh",
        (
            Argument("min_val", -1.0, "min_val", "same"),
            Argument("max_val", 1.0, "max_val", "same"),
            _inplace(),
            Argument("min_value", None, "min_val", "deprecated_alias"),
            Argument("max_value", None, "max_val", "deprecated_alias"),
        ),
        kinks=(
            KinkGradient("min_val", "1", "0", "TensorFlow's clip_by_value, which Keras's hard_tanh uses"),
            KinkGradient("max_val", "1", "0", "TensorFlow's clip_by_value, which Keras's hard_tanh uses"),
        ),
    ),
    TorchActivation("ReLU6", ("relu6",), "relu6", (_inplace(),)),
    TorchActivation("Sigmoid", ("sigmoid",), "sigmoid", ()),
    TorchActivation(
        "Hardsigmoid", ("hardsigmoid",), "hard_sigmoid", (_inplace(),),
        differences=(
            "PyTorch's float64 backward multiplies by a float32 1/6 (gradients off by "
            "~3e-8 relative); " + _FLOAT64_THROUGHOUT,
        ),
    ),
    TorchActivation("Tanh", ("tanh",), "tanh", ()),
    TorchActivation("SiLU", ("silu",), "silu", (_inplace(),)),
    TorchActivation("Mish", ("mish",), "mish", (_inplace(),)),
    TorchActivation(
        "Hardswish", ("hardswish",), "hard_silu", (_inplace(),),
    ),
    TorchActivation(
        "ELU", ("elu", "elu_"), "elu",
        (Argument("alpha", 1.0, "alpha", "same"), _inplace()),
    ),
    TorchActivation(
        "CELU", ("celu", "celu_"), "celu",
        (Argument("alpha", 1.0, "alpha", "same"), _inplace()),
        differences=(
            "PyTorch's float64 backward for x < 0 differs from exp(x / alpha) by up to "
            "~7e-7 relative, growing with abs(x) (measured: alpha=1.3, x down to -25); "
            + _FLOAT64_THROUGHOUT,
        ),
    ),
    TorchActivation(
        "SELU", ("selu", "selu_"), "selu", (_inplace(),),
        kinks=(
            KinkGradient("0", "scale (1.0507...)", "scale * alpha (1.7581...)",
                         "TensorFlow's native selu gradient, as Keras's selu"),
        ),
    ),
    TorchActivation(
        "GLU", ("glu",), "glu", (Argument("dim", -1, "axis", "axis"),),
        differences=(
            # Not a difference from nn.GLU: the pitfall of porting the gated
            # feed-forwards beside it, whose gate is the other half.
            "nn.GLU and our glu gate with the second half, a * sigmoid(b); the SwiGLU, "
            "GeGLU and ReGLU feed-forwards of transformers gate with the first, "
            "F.silu(gate_proj(x)) * up_proj(x) in LLaMA: port those to "
            "keras_acts.layers.SwiGLU (GeGLU, ReGLU) after one Dense(2 * hidden) whose "
            "kernel is [gate_proj.weight.T, up_proj.weight.T] concatenated on the last "
            "axis, gate first (PyTorch 2.13 has no nn.SwiGLU module for from_torch to "
            "map; examples/transformer_block.py ports one).",
        ),
    ),
    TorchActivation(
        "GELU", ("gelu",), "gelu",
        (Argument("approximate", "none", "approximate", "approximate"),),
    ),
    TorchActivation(
        "Hardshrink", ("hardshrink",), "hard_shrink",
        (Argument("lambd", 0.5, "threshold", "renamed"),),
    ),
    TorchActivation(
        "LeakyReLU", ("leaky_relu", "leaky_relu_"), "leaky_relu",
        (Argument("negative_slope", 0.01, "negative_slope", "same"), _inplace()),
    ),
    TorchActivation("LogSigmoid", ("logsigmoid",), "log_sigmoid", ()),
    TorchActivation(
        "Softplus", ("softplus",), "softplus",
        (
            Argument("beta", 1.0, "beta", "same"),
            Argument("threshold", 20.0, "threshold", "same"),
        ),
    ),
    TorchActivation(
        "Softshrink", ("softshrink",), "soft_shrink",
        (Argument("lambd", 0.5, "threshold", "renamed"),),
    ),
    TorchActivation(
        "PReLU", ("prelu",), "prelu",
        (
            Argument("num_parameters", 1, "shared_axes", "prelu_count"),
            Argument("init", 0.25, "alpha_initializer", "prelu_init"),
            Argument("device", None, None, "not_layer_argument"),
            Argument("dtype", None, None, "not_layer_argument"),
        ),
        kinks=(
            KinkGradient("0", "0", "the slope alpha",
                         "Keras's PReLU, relu(x) - alpha * relu(-x)"),
        ),
        differences=(
            "A module instance brings its learned weight (scalar or one per channel) "
            "as the alpha initializer; the slopes are a Keras weight named alpha, "
            "shaped like the input without the batch axis, with shared_axes "
            "collapsing the shared ones.",
            "PyTorch's channel axis is dim 1: from_torch(..., data_format='channels_last', "
            "input_rank=...) puts the per-channel slopes on the last axis instead.",
        ),
    ),
    TorchActivation("Softsign", ("softsign",), "softsign", ()),
    TorchActivation("Tanhshrink", ("tanhshrink",), "tanh_shrink", ()),
    TorchActivation(
        "Softmin", ("softmin",), "softmin", (_dim(),), differences=(_DIM_NONE,),
    ),
    TorchActivation(
        "Softmax", ("softmax",), "softmax", (_dim(),), differences=(_DIM_NONE,),
    ),
    TorchActivation(
        "Softmax2d", (), "softmax", (),
        fixed=(Argument("dim", -3, "axis", "axis"),),
        differences=(
            "Softmax over the channels of (C, H, W) or (N, C, H, W) inputs: axis=-3, "
            "or -1 with data_format='channels_last'.",
        ),
    ),
    TorchActivation(
        "LogSoftmax", ("log_softmax",), "log_softmax", (_dim(),),
        differences=(_DIM_NONE,),
    ),
    TorchActivation("Identity", (), "linear", ()),
)

# torch.<name> spellings of the same functions (torch.relu, torch.sigmoid, ...).
TORCH_TOP_LEVEL = {
    "relu": "ReLU", "relu_": "ReLU", "rrelu": "RReLU", "rrelu_": "RReLU",
    "sigmoid": "Sigmoid", "sigmoid_": "Sigmoid", "tanh": "Tanh", "tanh_": "Tanh",
    "selu": "SELU", "selu_": "SELU", "celu": "CELU", "celu_": "CELU",
    "threshold": "Threshold", "threshold_": "Threshold",
    "hardshrink": "Hardshrink", "softmax": "Softmax",
    "log_softmax": "LogSoftmax", "prelu": "PReLU",
}

# PyTorch activations that keras-acts has no counterpart for, with why.
TORCH_WITHOUT_COUNTERPART = {
    "MultiheadAttention": "an attention block, not an element-wise activation",
    "gumbel_softmax": "a sampling function (random), not a deterministic activation",
}

_MODULE_PREFIXES = ("torch.nn.modules.activation.", "torch.nn.modules.linear.",
                    "torch.nn.", "nn.")
_FUNCTIONAL_PREFIXES = ("torch.nn.functional.", "nn.functional.", "functional.", "F.")

BY_MODULE = {row.module: row for row in TORCH_ACTIVATIONS}
BY_FUNCTIONAL = {name: row for row in TORCH_ACTIVATIONS for name in row.functional}


def _strip(name, prefixes):
    for prefix in prefixes:
        if name.startswith(prefix):
            return name[len(prefix):]
    return None


def torch_row_for(name: str) -> TorchActivation | None:
    """The row for a PyTorch name, spelled as PyTorch does, or None.

    Accepts ``"Hardswish"``, ``"nn.GELU"``, ``"torch.nn.LeakyReLU"``,
    ``"torch.nn.functional.hardswish"``, ``"F.logsigmoid"``, ``"logsigmoid"``,
    ``"torch.sigmoid"``. Case matters, as in PyTorch: ``"Hardswish"`` is the
    module, ``"hardswish"`` the function, ``"HardSwish"`` neither.
    """
    if not isinstance(name, str):
        return None
    functional = _strip(name, _FUNCTIONAL_PREFIXES)
    if functional is not None:
        return BY_FUNCTIONAL.get(functional)
    module = _strip(name, _MODULE_PREFIXES)
    if module is not None:
        return BY_MODULE.get(module)
    top_level = _strip(name, ("torch.",))
    if top_level is not None:
        return BY_MODULE.get(TORCH_TOP_LEVEL.get(top_level))
    return BY_MODULE.get(name) or BY_FUNCTIONAL.get(name)


def our_name_for_torch(name: str) -> str | None:
    """Our activation name for a PyTorch activation name, or None.

    Only PyTorch's names are read here; a caller that also knows our own
    names (``keras_acts.lookup``) must try those first, so that ours win.
    """
    row = torch_row_for(name)
    return None if row is None else row.ours


def torch_names() -> list:
    """Every PyTorch spelling ``our_name_for_torch`` knows, module names first."""
    names = [row.module for row in TORCH_ACTIVATIONS]
    names += [name for row in TORCH_ACTIVATIONS for name in row.functional]
    names += [f"torch.{name}" for name in TORCH_TOP_LEVEL]
    return names

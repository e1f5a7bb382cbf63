"""PyTorch names and modules, ported: the name table and ``from_torch``.

Two sources of truth for PyTorch's numbers:

- ``tests/fixtures/torch/torch_references.json``: float64 forward and
  gradient recorded once from PyTorch 2.14.1 (CPU wheel) by
  ``make_torch_references.py`` beside it, for every ``torch.nn`` activation
  module with non-default arguments and trained PReLU weights. These tests
  run everywhere, PyTorch or not.
- PyTorch itself, where it is installed: the same cases are rebuilt as real
  modules, converted with ``from_torch(module)`` and compared live.

Gradients agree except at the kinks the table lists (``kinks``: both values
are valid subgradients, ours follow Keras/TensorFlow) and where PyTorch's
float64 backward is less exact than ours (Hardsigmoid, CELU: ``RTOL_GRAD``).
"""

import importlib.util
import inspect
import json
from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf

import keras_acts
from keras_acts.compat import torch_names
from keras_acts.compat.torch import from_torch
from keras_acts.compat.torch import keras_axis
from keras_acts.compat.torch_names import BY_MODULE
from keras_acts.compat.torch_names import REQUIRED
from keras_acts.compat.torch_names import our_name_for_torch

REFERENCES = json.loads(
    (Path(__file__).parent / "fixtures" / "torch" / "torch_references.json").read_text()
)
CASES = {case["id"]: case for case in REFERENCES["cases"]}

# PyTorch's float64 backward of these uses lower-precision constants (see the
# rows' differences); elsewhere both sides agree to float64 rounding.
RTOL_GRAD = {"Hardsigmoid": 1e-7, "CELU": 1e-6}

# Our derivative at the kinks the table lists (times the cotangent).
OUR_KINK_DERIVATIVE = {"Hardtanh": 1.0, "SELU": 1.0507009873554805, "PReLU": 0.0}

# PyTorch (~180 MB) comes into pytest's process with the tests that use it,
# not when the suite collects this module; conftest runs it last.
needs_torch = pytest.mark.skipif(importlib.util.find_spec("torch") is None, reason="PyTorch is not installed")


@pytest.fixture
def torch():
    import torch

    return torch


@pytest.fixture
def float64(policy):
    policy("float64")


def torch_arguments(case):
    kwargs = dict(case["kwargs"])
    if case["weight"] is not None:
        kwargs["weight"] = case["weight"]
    return kwargs


def forward_and_gradient(layer, x, w):
    """Our output and the gradients of sum(w * y) for x and the layer's weights."""
    x = tf.constant(x, dtype=tf.float64)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = layer(x)
        loss = tf.reduce_sum(y * tf.constant(w, dtype=tf.float64))
    grads = tape.gradient(loss, [x, *layer.trainable_weights])
    return np.asarray(y), [np.asarray(g) for g in grads]


def kink_mask(case, x):
    """Where x sits on a kink whose derivative the table lists as differing."""
    row = BY_MODULE[case["module"]]
    mask = np.zeros(x.shape, dtype=bool)
    for kink in row.kinks:
        at = kink.at
        if at in case["kwargs"]:
            value = case["kwargs"][at]
        elif any(argument.torch == at for argument in row.arguments):
            value = next(a.default for a in row.arguments if a.torch == at)
        else:
            value = float(at)
        mask |= x == value
    return mask


def assert_matches_torch(case, y, grads, y_torch, dx_torch, dweight_torch=None):
    x, w = np.array(case["x"]), np.array(case["w"])
    np.testing.assert_allclose(y, y_torch, rtol=1e-12, atol=1e-14)
    mask = kink_mask(case, x)
    rtol = RTOL_GRAD.get(case["module"], 1e-12)
    np.testing.assert_allclose(grads[0][~mask], dx_torch[~mask], rtol=rtol, atol=1e-14)
    if mask.any():
        ours = OUR_KINK_DERIVATIVE[case["module"]] * w[mask]
        np.testing.assert_allclose(grads[0][mask], ours, rtol=1e-12, atol=0)
    if dweight_torch is not None:
        np.testing.assert_allclose(
            grads[1].reshape(-1), np.reshape(dweight_torch, -1), rtol=1e-12, atol=1e-14
        )


# -- recorded PyTorch numbers: run everywhere -----------------------------------


@pytest.mark.parametrize("case_id", sorted(CASES))
def test_matches_recorded_pytorch(case_id, float64):
    case = CASES[case_id]
    x = np.array(case["x"])
    layer = from_torch(case["module"], input_rank=x.ndim, **torch_arguments(case))
    y, grads = forward_and_gradient(layer, x, np.array(case["w"]))
    assert_matches_torch(
        case, y, grads, np.array(case["y"]), np.array(case["dx"]), case.get("dweight")
    )


def test_every_recorded_case_has_a_row_and_every_row_a_case():
    assert {case["module"] for case in CASES.values()} == set(BY_MODULE)


def test_recorded_kinks_are_exercised():
    for module, row in BY_MODULE.items():
        if row.kinks:
            hits = [
                kink_mask(case, np.array(case["x"])).any()
                for case in CASES.values() if case["module"] == module
            ]
            assert any(hits), module


@pytest.mark.parametrize(
    "case_id, perm",
    [("PReLU_channels", (0, 2, 3, 1)), ("Softmax", (0, 2, 1)), ("Softmax2d", (0, 2, 3, 1)),
     ("LogSoftmax", (0, 2, 1)), ("GLU", (0, 2, 1))],
)
def test_channels_last_moves_the_channel_axis(case_id, perm, float64):
    """The same numbers, with PyTorch's dim 1 moved last on the Keras side."""
    case = CASES[case_id]
    x = np.array(case["x"])
    layer = from_torch(
        case["module"], data_format="channels_last", input_rank=x.ndim, **torch_arguments(case)
    )
    w = np.transpose(np.array(case["w"]), perm)
    y, grads = forward_and_gradient(layer, np.transpose(x, perm), w)
    back = np.argsort(perm)
    np.testing.assert_allclose(np.transpose(y, back), case["y"], rtol=1e-12, atol=1e-14)
    dx = np.transpose(grads[0], back)
    mask = kink_mask(case, x)
    np.testing.assert_allclose(dx[~mask], np.array(case["dx"])[~mask], rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize(
    "dim, data_format, rank, axis",
    [(1, "channels_first", 4, 1), (-1, "channels_first", 4, -1), (1, "channels_last", 4, -1),
     (2, "channels_last", 4, 1), (-1, "channels_last", 4, 2), (-1, "channels_last", 2, -1),
     (0, "channels_last", 3, 0), (-3, "channels_last", 4, -1)],
)
def test_keras_axis(dim, data_format, rank, axis):
    assert keras_axis(dim, data_format, rank) == axis


# -- the name table ----------------------------------------------------------------


@pytest.mark.parametrize(
    "name, ours",
    [("Hardswish", "hard_silu"), ("nn.GELU", "gelu"), ("torch.nn.LeakyReLU", "leaky_relu"),
     ("torch.nn.functional.hardswish", "hard_silu"), ("F.logsigmoid", "log_sigmoid"),
     ("logsigmoid", "log_sigmoid"), ("softmin", "softmin"), ("relu6", "relu6"),
     ("leaky_relu_", "leaky_relu"), ("hardtanh", "hard_tanh"), ("Softmax2d", "softmax"),
     ("torch.sigmoid", "sigmoid"), ("nn.functional.tanhshrink", "tanh_shrink"),
     ("torch.nn.modules.activation.Hardshrink", "hard_shrink"), ("Identity", "linear"),
     ("nn.Identity", "linear"), ("SiLU", "silu"), ("F.silu", "silu")],
)
def test_our_name_for_torch(name, ours):
    assert our_name_for_torch(name) == ours


@pytest.mark.parametrize(
    "name",
    ["HardSwish", "hardSwish", "F.Hardswish", "nn.hardswish", "F.linear", "torch.nn.Linear",
     "linear", "MultiheadAttention", "gumbel_softmax", "torch.silu", "", "hard_silu",
     "mish_custom", None, 3],
)
def test_our_name_for_torch_refuses_what_pytorch_does_not_spell_so(name):
    assert our_name_for_torch(name) is None


def test_every_row_names_one_of_our_activations():
    for row in torch_names.TORCH_ACTIVATIONS:
        spec = keras_acts.lookup(row.ours)
        assert spec.name == row.ours
        for argument in (*row.arguments, *row.fixed):
            assert argument.rule in torch_names.RULES, (row.module, argument)


def test_torch_names_never_change_what_our_names_mean():
    """Where a PyTorch spelling is also one of ours, both mean the same activation,
    so trying our names first (ours win) and PyTorch's second is unambiguous."""
    ours = set(keras_acts.names())
    for name in torch_names.torch_names():
        try:
            spec = keras_acts.lookup(name)
        except ValueError:
            continue
        assert spec.name == our_name_for_torch(name), name
    assert ours  # the package lists its names


# -- from_torch by class name: arguments and errors ---------------------------------


def test_pytorch_defaults_apply_not_keras_defaults():
    assert from_torch("LeakyReLU").negative_slope == pytest.approx(0.01)
    assert from_torch("nn.LeakyReLU", negative_slope=0.1, inplace=True).negative_slope == 0.1
    assert from_torch("GELU").approximate is False
    assert from_torch("torch.nn.GELU", approximate="tanh").approximate is True
    assert from_torch("Hardshrink", lambd=0.2).threshold == 0.2
    threshold = from_torch("Threshold", threshold=0.1, value=20.0)
    assert (threshold.threshold, threshold.default_value) == (0.1, 20.0)
    assert from_torch("Hardtanh", min_value=-3.0).min_val == -3.0
    assert from_torch("Softmax", dim=1, name="probs").name == "probs"


@pytest.mark.parametrize(
    "name, kwargs, error, words",
    [("LeakyReLU", {"slope": 0.1}, TypeError, ["slope=0.1", "negative_slope"]),
     ("Threshold", {"threshold": 0.1}, TypeError, ["`value`"]),
     ("GELU", {"approximate": "erf"}, ValueError, ["approximate", "'erf'"]),
     ("Softmax", {}, ValueError, ["dim=None", "dim explicitly"]),
     ("LogSoftmax", {"dim": 1.5}, ValueError, ["dim", "1.5"]),
     ("leaky_relu", {}, ValueError, ["functional", "LeakyReLU"]),
     ("Swish", {}, ValueError, ["Unknown PyTorch activation", "'Swish'"]),
     ("PReLU", {"num_parameters": 3, "weight": [0.1, 0.2]}, ValueError, ["weight", "2 slopes"]),
     ("PReLU", {"num_parameters": 0}, ValueError, ["num_parameters", "0"]),
     ("Identity", {"x": 1}, TypeError, ["x=1", "no arguments"]),
     ("Softplus", {"beta": -1.0}, ValueError, ["beta=-1.0", "Softplus"])],
)
def test_errors_name_the_argument_and_value(name, kwargs, error, words):
    with pytest.raises(error) as raised:
        from_torch(name, **kwargs)
    for word in words:
        assert word in str(raised.value)


def test_layout_arguments_are_checked():
    with pytest.raises(ValueError, match="data_format.*'NHWC'"):
        from_torch("ReLU", data_format="NHWC")
    with pytest.raises(ValueError, match="input_rank.*0"):
        from_torch("ReLU", input_rank=0)
    with pytest.raises(ValueError, match="dim.*rank 2"):
        from_torch("Softmax2d", data_format="channels_last")
    with pytest.raises(TypeError, match="spec=3.5"):
        from_torch(3.5)


def test_converted_prelu_slopes_survive_serialization(float64):
    slopes = [0.1234567890123, -0.2, 0.35]
    layer = from_torch("PReLU", num_parameters=3, weight=slopes, input_rank=4)
    config = keras.saving.serialize_keras_object(layer)
    restored = keras.saving.deserialize_keras_object(json.loads(json.dumps(config)))
    x = -np.ones((1, 3, 2, 2))
    np.testing.assert_array_equal(np.asarray(restored(x)), np.asarray(layer(x)))
    assert np.asarray(restored(x))[0, 0, 0, 0] == -slopes[0]


# -- once the package resolves PyTorch names itself -----------------------------------


@pytest.mark.parametrize(
    "name, ours",
    [("Hardswish", "hard_silu"), ("nn.GELU", "gelu"), ("torch.nn.LeakyReLU", "leaky_relu"),
     ("torch.nn.functional.hardswish", "hard_silu"), ("F.logsigmoid", "log_sigmoid"),
     ("logsigmoid", "log_sigmoid"), ("softmin", "softmin")],
)
def test_get_and_lookup_accept_pytorch_names(name, ours):
    assert keras_acts.lookup(name).name == ours
    assert keras_acts.get(name) is keras_acts.lookup(ours).function


def test_from_torch_is_exported():
    assert keras_acts.from_torch is from_torch


# -- live PyTorch, where installed --------------------------------------------------------


def torch_module(torch, case):
    module = getattr(torch.nn, case["module"])(**case["kwargs"]).double()
    if case["weight"] is not None:
        with torch.no_grad():
            module.weight.copy_(torch.tensor(case["weight"], dtype=torch.float64))
    return module.eval()


def torch_forward_and_gradient(torch, module, x, w):
    x = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    y = module(x * 1.0)  # in-place modules must not overwrite the leaf
    (y * torch.tensor(w, dtype=torch.float64)).sum().backward()
    weight = getattr(module, "weight", None)
    dweight = None if weight is None else weight.grad.numpy()
    return y.detach().numpy(), x.grad.numpy(), dweight


@needs_torch
@pytest.mark.parametrize("case_id", sorted(CASES))
def test_matches_live_pytorch(case_id, float64, torch):
    case = CASES[case_id]
    x, w = np.array(case["x"]), np.array(case["w"])
    module = torch_module(torch, case)
    layer = from_torch(module, input_rank=x.ndim)
    y, grads = forward_and_gradient(layer, x, w)
    assert_matches_torch(case, y, grads, *torch_forward_and_gradient(torch, module, x, w))


@needs_torch
def test_table_covers_every_torch_activation_module(torch):
    listed = set(torch.nn.modules.activation.__all__) | {"Identity"}
    assert listed == set(BY_MODULE) | (set(torch_names.TORCH_WITHOUT_COUNTERPART) & listed)


@needs_torch
def test_table_copies_pytorch_names_and_defaults(torch):
    for row in torch_names.TORCH_ACTIVATIONS:
        parameters = inspect.signature(getattr(torch.nn, row.module).__init__).parameters
        for argument in row.arguments:
            default = parameters[argument.torch].default
            expected = REQUIRED if default is inspect.Parameter.empty else default
            assert argument.default == expected, (row.module, argument.torch)
        for name in row.functional:
            assert callable(getattr(torch.nn.functional, name)), name
    for name, module in torch_names.TORCH_TOP_LEVEL.items():
        assert callable(getattr(torch, name)), name


@needs_torch
def test_from_torch_reads_a_subclassed_module(torch):
    class MyGELU(torch.nn.GELU):
        pass

    assert from_torch(MyGELU(approximate="tanh")).approximate is True
    with pytest.raises(TypeError, match="extra keyword"):
        from_torch(torch.nn.ReLU(), inplace=True)
    with pytest.raises(ValueError, match="Linear has no keras-acts counterpart"):
        from_torch(torch.nn.Linear(2, 2))


def test_table_defaults_match_recorded_pytorch_defaults():
    for module, defaults in REFERENCES["torch_defaults"].items():
        row = BY_MODULE[module]
        assert {a.torch: a.default for a in row.arguments if a.torch in defaults} == {
            name: defaults[name] for name in defaults if name in {a.torch for a in row.arguments}
        }
        assert set(defaults) <= {a.torch for a in row.arguments}, module


def test_porting_page_is_generated_from_the_table():
    from scripts import porting_page

    committed = (Path(__file__).parent.parent / "docs" / "porting.md").read_text()
    assert committed == porting_page.render(), (
        "docs/porting.md is stale: python -m scripts.porting_page > docs/porting.md"
    )
    for row in torch_names.TORCH_ACTIVATIONS:
        assert f"`nn.{row.module}`" in committed
        for note in (*row.differences, *(kink.torch for kink in row.kinks)):
            assert note in committed


def test_example_ports_an_mlp(capsys):
    """The example, run in this process (TensorFlow is loaded already)."""
    import runpy

    example = Path(__file__).parent.parent / "examples" / "port_from_pytorch.py"
    with pytest.raises(SystemExit) as exited:
        runpy.run_path(str(example), run_name="__main__")
    out = capsys.readouterr().out
    assert exited.value.code == 0, out
    assert "outputs match: True" in out
    assert "keras_acts.PReLU" in out

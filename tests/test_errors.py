"""Bad input: clear errors, early, naming the argument and the value."""

import math
import os
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf

from keras_acts import activations as A
from keras_acts import layers as L


@pytest.mark.parametrize("bad", [tf.constant(["a"]), tf.constant([True]), tf.constant([1 + 2j])])
def test_non_real_inputs_name_the_dtype(bad):
    with pytest.raises(TypeError, match=bad.dtype.name):
        A.sigmoid(bad)


@pytest.mark.parametrize(
    "make, name, value",
    [
        (lambda: L.ReLU(max_value=-1.0), "max_value", "-1.0"),
        (lambda: L.ReLU(negative_slope=math.nan), "negative_slope", "nan"),
        (lambda: L.LeakyReLU(negative_slope="0.1"), "negative_slope", "'0.1'"),
        (lambda: L.LeakyReLU(negative_slope=-0.5), "negative_slope", "-0.5"),
        (lambda: L.Step(threshold=math.inf), "threshold", "inf"),
        (lambda: L.Step(straight_through=1), "straight_through", "1"),
        (lambda: L.Softmax(axis=1.5), "axis", "1.5"),
        (lambda: L.Softmax(axis=(1, 1)), "axis", "(1, 1)"),
        (lambda: L.Softmax(axis=()), "axis", "()"),
        (lambda: A.relu(tf.ones(2), max_value=-2.0), "max_value", "-2.0"),
        (lambda: A.step(tf.ones(2), threshold=None), "threshold", "None"),
        (lambda: A.softmax(tf.ones(2), axis="last"), "axis", "'last'"),
    ],
)
def test_invalid_parameters_name_argument_and_value(make, name, value):
    with pytest.raises(ValueError) as info:
        make()
    message = str(info.value)
    assert f"`{name}`" in message and value in message


def test_layer_errors_come_at_construction_not_first_call():
    with pytest.raises(ValueError):
        L.ReLU(max_value=-1.0)  # no input was ever given


def test_wrong_arity_is_a_type_error():
    with pytest.raises(TypeError, match="relu"):
        A.relu(tf.ones(2), 0.0, None, 0.0, 5)
    with pytest.raises(TypeError, match="ReLU"):
        L.ReLU(1.0, 0.0, 0.0, 4.0)
    with pytest.raises(TypeError, match="unexpected"):
        A.tanh(tf.ones(2), slope=1.0)


def test_bad_parameter_leaves_the_layer_unbuilt_and_inputs_untouched():
    x = tf.Variable([-1.0, 2.0])
    with pytest.raises(ValueError):
        A.leaky_relu(x, negative_slope=math.nan)
    np.testing.assert_array_equal(x.numpy(), [-1.0, 2.0])


def test_an_unsupported_keras_backend_is_an_import_error():
    env = dict(os.environ, KERAS_BACKEND="numpy")
    result = subprocess.run(
        [sys.executable, "-c", "import keras_acts"], env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "ImportError" in result.stderr
    assert "'numpy'" in result.stderr and "KERAS_BACKEND" in result.stderr
    assert "tensorflow, jax or torch" in result.stderr


@pytest.mark.parametrize(
    "make, caller",
    [
        (lambda: A.leaky_relu(tf.ones(2), alpha=0.1), "leaky_relu()"),
        (lambda: L.LeakyReLU(alpha=0.1), "LeakyReLU()"),
        (lambda: A.relu(tf.ones(2), alpha=0.1), "relu()"),
    ],
)
def test_keras_2_names_name_ours(make, caller):
    with pytest.raises(TypeError) as info:
        make()
    message = str(info.value)
    assert message.startswith(caller) and "'alpha'" in message
    assert "pass negative_slope=0.1" in message


def test_pytorch_names_name_ours():
    with pytest.raises(TypeError, match="PyTorch's Softmax; here the argument is `axis`"):
        L.Softmax(dim=1)
    with pytest.raises(TypeError, match="pass threshold=0.2"):
        A.hard_shrink(tf.ones(2), lambd=0.2)
    # Where the value means something else under our name, no value is offered.
    with pytest.raises(TypeError, match="`shared_axes`, with a value of its own") as info:
        L.PReLU(num_parameters=3)
    assert "pass" not in str(info.value)
    # A name no library we know uses keeps Python's own error.
    with pytest.raises(TypeError, match="unexpected keyword argument 'slope'"):
        A.leaky_relu(tf.ones(2), slope=0.1)

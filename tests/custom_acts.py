"""A user's own activation, defined through the public API.

Importable by a fresh process (tests put this folder on PYTHONPATH), so that
models using it can be loaded there.
"""

import tensorflow as tf

import keras_acts
from keras_acts.params import Real


def _scaled_tanh_backward(dy, x, y, scale):
    assert x is None, "keep='y' must not keep x"
    s = tf.constant(scale, y.dtype)
    return dy * (s - y * y / s)


@keras_acts.define_activation(
    backward=_scaled_tanh_backward,
    keep="y",
    validators={"scale": Real(min=0.0, min_open=True)},
    formula="scale * tanh(x)",
    package="tests_custom_acts",
)
def scaled_tanh(x, scale=1.7159):
    """scale * tanh(x)."""
    return tf.constant(scale, x.dtype) * tf.tanh(x)


def _gain_backward(dy, x, y, gain):
    assert y is None, "keep='x' must not keep y"
    return dy * gain, dy * x


@keras_acts.define_activation(
    backward=_gain_backward,
    keep="x",
    validators={"gain": keras_acts.params.TensorLike()},
    differentiable=("gain",),
    package="tests_custom_acts",
)
def gain(x, gain):
    """gain * x with a differentiable, broadcastable gain."""
    return gain * x

"""NumPy references for the rows of the element-wise families (rectifiers,
sigmoids, exponentials, gated, shrinkage); see references.py for the fields.

Each ``numpy`` formula is the catalog's definition in float64 NumPy, with the
exact limits at +-inf; each ``plain`` formula is the naive TensorFlow
expression whose autodiff is the second gradient reference.

Rows that Keras also has take only Keras's own parameters here: the shared
drop-in tests call ``keras.activations.<name>(x, **params)``. Our extra
parameters (softplus's beta/threshold, hard_tanh's bounds) are covered in
tests/test_pointwise.py.
"""

import math

import numpy as np
from lazy_tensorflow import tf

from references import Reference

_SQRT2 = math.sqrt(2.0)
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946

_erf = np.vectorize(math.erf, otypes=[np.float64])
_erfc = np.vectorize(math.erfc, otypes=[np.float64])


def _times(a, b):
    """a * b with 0 where b is 0 (the limit of x * f(x) where f vanishes)."""
    with np.errstate(invalid="ignore"):
        return np.where(b == 0, 0.0, a * b)


def _np_sigmoid(x):
    with np.errstate(over="ignore"):
        e = np.exp(-np.abs(x))
        return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _np_softplus_unit(x):
    # log(1 + exp(x)) = max(x, 0) + log1p(exp(-|x|)).
    with np.errstate(invalid="ignore"):
        return np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x)))


def _np_elu(x, alpha=1.0):
    with np.errstate(invalid="ignore", over="ignore"):
        return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0.0)))


def _np_celu(x, alpha=1.0):
    return np.maximum(x, 0.0) + alpha * np.expm1(np.minimum(x, 0.0) / alpha)


def _np_gelu(x, approximate=False):
    if approximate:
        z = math.sqrt(2.0 / math.pi) * (x + 0.044715 * x**3)
        # 0.5 (1 + tanh(z)) == sigmoid(2 z), which does not cancel for x < 0.
        with np.errstate(over="ignore", invalid="ignore"):
            return _times(x, _np_sigmoid(2.0 * z))
    return _times(0.5 * x, _erfc(-x / _SQRT2))


def _plain_gelu(x, approximate=False):
    if approximate:
        z = math.sqrt(2.0 / math.pi) * (x + 0.044715 * x**3)
        return 0.5 * x * (1.0 + tf.tanh(z))
    return 0.5 * x * (1.0 + tf.math.erf(x / _SQRT2))


def _np_softplus(x, beta=1.0, threshold=20.0):
    with np.errstate(invalid="ignore", over="ignore"):
        return np.where(beta * x > threshold, x, _np_softplus_unit(beta * x) / beta)


def _plain_softplus(x, beta=1.0, threshold=20.0):
    return tf.where(beta * x > threshold, x, tf.math.log(1.0 + tf.exp(beta * x)) / beta)


def _np_softsign(x):
    with np.errstate(invalid="ignore"):
        return np.where(np.isinf(x), np.sign(x), x / (1.0 + np.abs(x)))


def _np_squareplus(x, b=4):
    # (x + sqrt(x^2 + b)) / 2, for x < 0 written b / (2 (sqrt(x^2 + b) - x)),
    # with x^2 + b as x^2 (1 + b / x^2) so that nothing overflows.
    a = np.abs(x)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        s = np.where(a > 1.0, a * np.sqrt(1.0 + b / np.maximum(a, 1.0) ** 2), np.sqrt(np.minimum(a, 1.0) ** 2 + b))
        return np.where(x >= 0, (x + s) / 2.0, b / (2.0 * (s - x)))


def _np_sparse_plus(x):
    with np.errstate(invalid="ignore"):
        return np.where(x <= -1.0, 0.0, np.where(x < 1.0, (x + 1.0) ** 2 / 4.0, x))


def _np_hard_sigmoid(x):
    return np.clip(x + 3.0, 0.0, 6.0) / 6.0


def _np_tanh_shrink(x):
    with np.errstate(invalid="ignore"):
        return np.where(np.isinf(x), x, x - np.tanh(x))


def _np_sparse_sigmoid(x):
    return np.where(x <= -1.0, 0.0, np.where(x >= 1.0, 1.0, (x + 1.0) / 2.0))


def _np_threshold(x, threshold, default_value):
    return np.where(x <= threshold, default_value, x)


def _np_soft_shrink(x, threshold=0.5):
    with np.errstate(invalid="ignore"):
        return np.where(
            np.abs(x) <= threshold, 0.0, np.where(x > 0, x - threshold, x + threshold)
        )


def _np_step(x, threshold=0.0, straight_through=False):
    return np.where(np.isnan(x), np.nan, (x > threshold).astype(np.float64))


def _np_relu(x, negative_slope=0.0, max_value=None, threshold=0.0):
    # Keras's semantics, including its branches: a pure leaky relu when only
    # negative_slope is set; otherwise x above threshold (0 at and below it),
    # clipped to [0, max_value], minus the slope times the distance below.
    if negative_slope != 0.0 and max_value is None and threshold == 0.0:
        return np.where(x > 0, x, negative_slope * x)
    if threshold != 0.0:
        positive = np.where(x <= threshold, 0.0, x)
    else:
        positive = np.maximum(x, 0.0)
    if max_value is not None:
        positive = np.clip(positive, 0.0, max_value)
    if negative_slope == 0.0:
        return positive
    return positive - negative_slope * np.maximum(threshold - x, 0.0)


def _plain_relu(x, negative_slope=0.0, max_value=None, threshold=0.0):
    if negative_slope != 0.0 and max_value is None and threshold == 0.0:
        return tf.where(x > 0, x, negative_slope * x)
    positive = tf.where(x > threshold, x, tf.zeros_like(x))
    if max_value is not None:
        positive = tf.clip_by_value(positive, 0.0, max_value)
    return positive - negative_slope * tf.maximum(threshold - x, 0.0)


REFERENCES = [
    Reference(
        "step",
        numpy=_np_step,
        plain=lambda x, threshold=0.0, straight_through=False: tf.cast(
            x > threshold, x.dtype
        ),
        param_sets=[{}, {"threshold": 0.5}, {"threshold": -1.0, "straight_through": True}],
        surrogate=lambda x, threshold=0.0, straight_through=False: (
            (np.abs(x - threshold) <= 1.0).astype(np.float64) if straight_through else None
        ),
        kinks=lambda threshold=0.0, straight_through=False: (
            threshold,
            threshold - 1.0,
            threshold + 1.0,
        ),
    ),
    Reference(
        "sigmoid",
        numpy=_np_sigmoid,
        plain=lambda x: 1.0 / (1.0 + tf.exp(-x)),
    ),
    Reference(
        "tanh",
        numpy=np.tanh,
        plain=lambda x: (tf.exp(x) - tf.exp(-x)) / (tf.exp(x) + tf.exp(-x)),
    ),
    Reference(
        "relu",
        numpy=_np_relu,
        plain=_plain_relu,
        param_sets=[
            {},
            {"negative_slope": 0.1},
            {"max_value": 6.0},
            {"max_value": 1.5, "threshold": 0.5},
            {"negative_slope": 0.3, "max_value": 2.0, "threshold": 0.25},
            {"negative_slope": 0.2, "max_value": 6.0},
            {"threshold": -1.0, "max_value": 3.0},
        ],
        kinks=lambda negative_slope=0.0, max_value=None, threshold=0.0: (
            0.0,
            threshold,
            *(() if max_value is None else (max_value,)),
        ),
    ),
    Reference(
        "leaky_relu",
        numpy=lambda x, negative_slope=0.2: np.where(x > 0, x, negative_slope * x),
        plain=lambda x, negative_slope=0.2: tf.where(x > 0, x, negative_slope * x),
        param_sets=[{}, {"negative_slope": 0.01}, {"negative_slope": 1.7}],
        kinks=lambda negative_slope=0.2: (0.0,),
    ),
    Reference(
        "relu6",
        numpy=lambda x: np.clip(x, 0.0, 6.0),
        plain=lambda x: tf.minimum(tf.maximum(x, 0.0), 6.0),
        kinks=lambda: (0.0, 6.0),
    ),
    Reference(
        "elu",
        numpy=_np_elu,
        plain=lambda x, alpha=1.0: tf.where(x > 0, x, alpha * (tf.exp(x) - 1.0)),
        param_sets=[{}, {"alpha": 0.5}, {"alpha": 2.5}, {"alpha": -0.3}],
        kinks=lambda alpha=1.0: (0.0,),
    ),
    Reference(
        "selu",
        numpy=lambda x: _SELU_SCALE * _np_elu(x, _SELU_ALPHA),
        plain=lambda x: _SELU_SCALE * tf.where(x > 0, x, _SELU_ALPHA * (tf.exp(x) - 1.0)),
        kinks=lambda: (0.0,),
    ),
    Reference(
        "celu",
        numpy=_np_celu,
        plain=lambda x, alpha=1.0: tf.where(x > 0, x, alpha * (tf.exp(x / alpha) - 1.0)),
        param_sets=[{}, {"alpha": 0.5}, {"alpha": 3.0}],
        # Keras's max(x, 0) + min(...) counts both branches at the tie: 2.
        keras_gradient_wrong_at=(0.0,),
    ),
    Reference(
        "threshold",
        numpy=_np_threshold,
        plain=lambda x, threshold, default_value: tf.where(
            x > threshold, x, default_value * tf.ones_like(x)
        ),
        param_sets=[
            {"threshold": 0.0, "default_value": 0.0},
            {"threshold": 1.0, "default_value": -2.0},
            {"threshold": -0.7, "default_value": 5.5},
        ],
        kinks=lambda threshold, default_value: (threshold,),
    ),
    Reference(
        "hard_tanh",
        numpy=lambda x, min_val=-1.0, max_val=1.0: np.clip(x, min_val, max_val),
        plain=lambda x, min_val=-1.0, max_val=1.0: tf.minimum(tf.maximum(x, min_val), max_val),
        kinks=lambda min_val=-1.0, max_val=1.0: (min_val, max_val),
    ),
    Reference(
        "gelu",
        numpy=_np_gelu,
        plain=_plain_gelu,
        param_sets=[{}, {"approximate": True}],
    ),
    Reference(
        "silu",
        numpy=lambda x: _times(x, _np_sigmoid(x)),
        plain=lambda x: x / (1.0 + tf.exp(-x)),
    ),
    Reference(
        "quick_gelu",
        numpy=lambda x: _times(x, _np_sigmoid(1.702 * x)),
        plain=lambda x: x / (1.0 + tf.exp(-1.702 * x)),
    ),
    Reference(
        "mish",
        numpy=lambda x: _times(x, np.tanh(_np_softplus_unit(x))),
        plain=lambda x: x * tf.tanh(tf.math.log(1.0 + tf.exp(x))),
    ),
    Reference(
        "lisht",
        numpy=lambda x: x * np.tanh(x),
        plain=lambda x: x * tf.tanh(x),
    ),
    Reference(
        "softplus",
        numpy=_np_softplus,
        plain=_plain_softplus,
        kinks=lambda beta=1.0, threshold=20.0: (threshold / beta,),
    ),
    Reference(
        "log_sigmoid",
        numpy=lambda x: -_np_softplus_unit(-x),
        plain=lambda x: tf.math.log(1.0 / (1.0 + tf.exp(-x))),
    ),
    Reference(
        "softsign",
        numpy=_np_softsign,
        plain=lambda x: x / (1.0 + tf.abs(x)),
    ),
    Reference(
        "squareplus",
        numpy=_np_squareplus,
        plain=lambda x, b=4: (x + tf.sqrt(x * x + b)) / 2.0,
        param_sets=[{}, {"b": 1}, {"b": 0.25}, {"b": 9.0}],
        # Keras's float16 x + sqrt(x^2 + b) cancels for negative x (~7% off).
        keras_values_wrong_in=("float16",),
    ),
    Reference(
        "sparse_plus",
        numpy=_np_sparse_plus,
        plain=lambda x: tf.where(
            x <= -1.0, tf.zeros_like(x), tf.where(x < 1.0, (x + 1.0) ** 2 / 4.0, x)
        ),
    ),
    Reference(
        "sparse_sigmoid",
        numpy=_np_sparse_sigmoid,
        plain=lambda x: tf.clip_by_value((x + 1.0) / 2.0, 0.0, 1.0),
        kinks=lambda: (-1.0, 1.0),
    ),
    Reference(
        "exponential",
        numpy=lambda x: np.exp(x),
        plain=lambda x: tf.exp(x),
    ),
    Reference(
        "linear",
        numpy=lambda x: np.asarray(x, np.float64),
        plain=lambda x: 1.0 * x,
    ),
    Reference(
        "tanh_shrink",
        numpy=_np_tanh_shrink,
        plain=lambda x: x - tf.tanh(x),
    ),
    Reference(
        "hard_sigmoid",
        numpy=_np_hard_sigmoid,
        plain=lambda x: tf.clip_by_value(x + 3.0, 0.0, 6.0) / 6.0,
        kinks=lambda: (-3.0, 3.0),
    ),
    Reference(
        "hard_silu",
        numpy=lambda x: _times(x, _np_hard_sigmoid(x)),
        plain=lambda x: x * tf.clip_by_value(x + 3.0, 0.0, 6.0) / 6.0,
        kinks=lambda: (-3.0, 3.0),
    ),
    Reference(
        "hard_mish",
        numpy=lambda x: _times(x, 0.5 * np.clip(x + 2.0, 0.0, 2.0)),
        plain=lambda x: 0.5 * x * tf.clip_by_value(x + 2.0, 0.0, 2.0),
        kinks=lambda: (-2.0,),
    ),
    Reference(
        "hard_shrink",
        numpy=lambda x, threshold=0.5: np.where(np.abs(x) <= threshold, 0.0, x),
        plain=lambda x, threshold=0.5: tf.where(tf.abs(x) > threshold, x, tf.zeros_like(x)),
        param_sets=[{}, {"threshold": 1.3}, {"threshold": 0.0}],
        kinks=lambda threshold=0.5: (-threshold, threshold),
    ),
    Reference(
        "soft_shrink",
        numpy=_np_soft_shrink,
        plain=lambda x, threshold=0.5: tf.where(
            x > threshold,
            x - threshold,
            tf.where(x < -threshold, x + threshold, tf.zeros_like(x)),
        ),
        param_sets=[{}, {"threshold": 1.3}, {"threshold": 0.0}],
        kinks=lambda threshold=0.5: (-threshold, threshold),
    ),
    Reference(
        "relu_squared",
        numpy=lambda x: np.maximum(x, 0.0) ** 2,
        plain=lambda x: tf.nn.relu(x) ** 2,
    ),
]

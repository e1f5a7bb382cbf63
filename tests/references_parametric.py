"""NumPy references for the rows of the families learned, normalizers and
gated_units; see references.py for the fields.

prelu, snake, star_relu, rrelu (inference mode), the normalizers softmax,
log_softmax, softmin, sparsemax and glu, and the gated linear units swiglu,
geglu and reglu, each written from the catalog's math.
"""

import math

import numpy as np
from lazy_tensorflow import tf

from references import Reference


def _np_sigmoid(x):
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _np_prelu(x, alpha):
    # slope * x, whose limit at -inf is 0 for a zero slope; NaN stays NaN.
    with np.errstate(invalid="ignore"):
        negative = np.where(alpha == 0, 0.0, alpha * x)
    return np.where(np.isnan(x) | (x > 0), x, negative)


def _np_snake(x, frequency=1.0):
    with np.errstate(invalid="ignore"):
        y = x + np.sin(frequency * x) ** 2 / frequency
    return np.where(np.isinf(x), x, y)


def _np_rrelu(x, lower=1.0 / 8.0, upper=1.0 / 3.0):
    return _np_prelu(x, np.float64((lower + upper) / 2.0))


def _np_log_softmax(x, axis=-1):
    with np.errstate(invalid="ignore", over="ignore"):
        shifted = x - np.max(x, axis=axis, keepdims=True)
        # log(sum) as log1p(sum - 1), sum - 1 summed exactly: the exps below
        # the peak and 1 for each further tie (log of a sum near 1 is only
        # good to 1 ulp of 1, which is all of the peak's value).
        at_peak = shifted == 0
        rest = np.sum(np.where(at_peak, 0.0, np.exp(shifted)), axis=axis, keepdims=True)
        ties = np.sum(at_peak, axis=axis, keepdims=True) - 1.0
        return shifted - np.log1p(rest + ties)


def _np_softmin(x, axis=-1):
    with np.errstate(invalid="ignore", over="ignore"):
        e = np.exp(np.min(x, axis=axis, keepdims=True) - x)
        return e / np.sum(e, axis=axis, keepdims=True)


def _np_sparsemax(x, axis=-1):
    """Projection onto the simplex by sorting (Held et al. / Michelot)."""
    z = np.moveaxis(np.asarray(x, np.float64), axis, -1)
    z_sorted = -np.sort(-z, axis=-1)
    k = np.arange(1, z.shape[-1] + 1, dtype=np.float64)
    cumulative = np.cumsum(z_sorted, axis=-1)
    support = 1.0 + k * z_sorted > cumulative
    k_max = support.sum(axis=-1, keepdims=True)
    tau = (np.take_along_axis(cumulative, k_max - 1, axis=-1) - 1.0) / k_max
    y = np.maximum(z - tau, 0.0)
    y = np.where(np.isnan(z).any(axis=-1, keepdims=True), np.nan, y)
    return np.moveaxis(y, -1, axis)


def _np_glu(x, axis=-1):
    a, b = np.split(x, 2, axis=axis)
    return a * _np_sigmoid(b)


def _np_star_relu(x, scale=1.0, bias=0.0):
    return scale * np.maximum(x, 0.0) ** 2 + bias


# The gated linear units, from "GLU Variants Improve Transformer" (Shazeer,
# 2020): x = [a, b] along axis, gate(a) * b; the gate takes the FIRST half
# (glu above gates the second).
_erfc = np.vectorize(math.erfc, otypes=[np.float64])


def _np_gated(gate):
    def reference(x, axis=-1, **params):
        a, b = np.split(np.asarray(x, np.float64), 2, axis=axis)
        return gate(a, **params) * b

    return reference


def _np_silu(a):
    return a * _np_sigmoid(a)


def _np_gelu(a, approximate=False):
    if approximate:
        # 0.5 (1 + tanh(z)) written as sigmoid(2 z), the same number without
        # the cancellation of 1 + tanh(z) for negative a.
        return a * _np_sigmoid(2.0 * math.sqrt(2.0 / math.pi) * (a + 0.044715 * a**3))
    return 0.5 * a * _erfc(-a / math.sqrt(2.0))


def _plain_gated(gate):
    def plain(x, axis=-1, **params):
        a, b = tf.split(x, 2, axis=axis)
        return gate(a, **params) * b

    return plain


def _plain_gelu(a, approximate=False):
    if approximate:
        return 0.5 * a * (1.0 + tf.tanh(math.sqrt(2.0 / math.pi) * (a + 0.044715 * a**3)))
    return 0.5 * a * (1.0 + tf.math.erf(a / math.sqrt(2.0)))


def _plain_sparsemax(x, axis=-1):
    axis = axis % len(x.shape)
    z = tf.sort(x, axis=axis, direction="DESCENDING")
    shape = [1] * len(x.shape)
    shape[axis] = -1
    k = tf.reshape(tf.range(1, x.shape[axis] + 1, dtype=x.dtype), shape)
    tau = tf.reduce_max((tf.cumsum(z, axis=axis) - 1.0) / k, axis=axis, keepdims=True)
    return tf.maximum(x - tau, 0.0)


def _plain_glu(x, axis=-1):
    a, b = tf.split(x, 2, axis=axis)
    return a * tf.sigmoid(b)


def _np_softmax(x, axis=-1):
    with np.errstate(invalid="ignore", over="ignore"):
        e = np.exp(x - np.max(x, axis=axis, keepdims=True))
        return e / np.sum(e, axis=axis, keepdims=True)


def _plain_softmax(x, axis=-1):
    e = tf.exp(x - tf.reduce_max(x, axis=axis, keepdims=True))
    return e / tf.reduce_sum(e, axis=axis, keepdims=True)


NORMALIZER_AXES = [{}, {"axis": 0}, {"axis": (0, 1)}, {"axis": None}]

REFERENCES = [
    Reference(
        "prelu",
        numpy=_np_prelu,
        plain=lambda x, alpha: tf.where(x > 0, x, alpha * x),
        # No defaults: alpha is required. An array alpha must broadcast to
        # every shape the shared tests use, so it has one element.
        param_sets=[
            {"alpha": 0.25},
            {"alpha": 0.0},
            {"alpha": -0.5},
            {"alpha": np.array([1.5])},
        ],
        kinks=lambda alpha: (0.0,),
    ),
    Reference(
        "snake",
        numpy=_np_snake,
        plain=lambda x, frequency=1.0: x + tf.sin(frequency * x) ** 2 / frequency,
        param_sets=[
            {},
            {"frequency": 0.5},
            {"frequency": 2.0},
            {"frequency": np.array([0.75])},
        ],
    ),
    Reference(
        "rrelu",
        # Inference mode (training=False, the default) is deterministic;
        # training mode is tested in test_parametric.py.
        numpy=_np_rrelu,
        plain=lambda x, lower=1.0 / 8.0, upper=1.0 / 3.0: tf.where(
            x > 0, x, (lower + upper) / 2.0 * x
        ),
        param_sets=[{}, {"lower": 0.1, "upper": 0.3}, {"lower": 0.5, "upper": 0.5}],
        kinks=lambda lower=1.0 / 8.0, upper=1.0 / 3.0: (0.0,),
    ),
    Reference(
        "softmax",
        numpy=_np_softmax,
        plain=_plain_softmax,
        param_sets=NORMALIZER_AXES,
        axis=True,
    ),
    Reference(
        "log_softmax",
        numpy=_np_log_softmax,
        plain=lambda x, axis=-1: x - tf.reduce_logsumexp(x, axis=axis, keepdims=True),
        param_sets=NORMALIZER_AXES,
        axis=True,
    ),
    Reference(
        "softmin",
        numpy=_np_softmin,
        plain=lambda x, axis=-1: tf.exp(-x) / tf.reduce_sum(tf.exp(-x), axis=axis, keepdims=True),
        param_sets=NORMALIZER_AXES,
        axis=True,
    ),
    Reference(
        "sparsemax",
        numpy=_np_sparsemax,
        plain=_plain_sparsemax,
        param_sets=[{}, {"axis": 0}],
        axis=True,
        # Keras 3.15's TF sparsemax sums the whole support's cumulative sums.
        keras_values_wrong_in=("float32", "float16"),
    ),
    Reference(
        "glu",
        numpy=_np_glu,
        plain=_plain_glu,
        # axis 0 of the shared tests' inputs has odd sizes: only the last axis.
        param_sets=[{}, {"axis": 1}],
        axis=True,
    ),
    Reference(
        "star_relu",
        numpy=_np_star_relu,
        plain=lambda x, scale=1.0, bias=0.0: scale * tf.nn.relu(x) ** 2 + bias,
        # The defaults (squared ReLU), MetaFormer's normalizing values, a
        # negative scale (a learned one may turn), and arrays.
        param_sets=[
            {},
            {"scale": 0.8944, "bias": -0.4472},
            {"scale": -1.5, "bias": 2.0},
            {"scale": np.array([0.5]), "bias": np.array([0.25])},
        ],
    ),
    Reference(
        "swiglu",
        numpy=_np_gated(_np_silu),
        plain=_plain_gated(lambda a: a * tf.sigmoid(a)),
        param_sets=[{}, {"axis": 1}],  # axis 0 of the shared inputs is odd
        axis=True,
    ),
    Reference(
        "geglu",
        numpy=_np_gated(_np_gelu),
        plain=_plain_gated(_plain_gelu),
        param_sets=[{}, {"approximate": True}, {"axis": 1, "approximate": True}],
        axis=True,
    ),
    Reference(
        "reglu",
        numpy=_np_gated(lambda a: np.maximum(a, 0.0)),
        plain=_plain_gated(tf.nn.relu),
        param_sets=[{}, {"axis": 1}],
        axis=True,
        kinks=lambda axis=-1: (0.0,),
    ),
]

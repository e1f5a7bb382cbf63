"""Independent float64 NumPy references for every activation in the catalog.

This table is the only thing a new catalog row needs in the tests: every
test module is parametrized over it. Each entry gives

* ``numpy``: the formula in float64 NumPy, written from the catalog's
  definition, never from our TensorFlow code;
* ``plain``: the same formula in plain TensorFlow ops, whose autodiff is the
  second gradient reference;
* ``param_sets``: parameter sets to test (the first is the defaults);
* ``kinks``: where the derivative is undefined, to keep numeric
  differentiation away from them;
* ``axis``: True for normalizers, which are tested on 2-D inputs;
* ``surrogate``: for parameter sets whose gradient is deliberately not the
  derivative (step's straight-through estimator), the gradient it gives;
* ``keras_gradient_wrong_at``: points where autodiff of Keras's built-in is an
  artifact, not a convention (celu at 0 is smooth, yet Keras's gradient is 2);
* ``keras_values_wrong_in``: dtypes in which Keras's values are wrong or lose
  precision (we are right there, not a drop-in: see README.md, Conventions).
"""

import dataclasses
from typing import Callable

import numpy as np
from lazy_tensorflow import tf


@dataclasses.dataclass
class Reference:
    name: str
    numpy: Callable
    plain: Callable
    param_sets: list = dataclasses.field(default_factory=lambda: [{}])
    kinks: Callable = lambda **params: ()
    axis: bool = False
    surrogate: Callable = lambda x, **params: None
    keras_gradient_wrong_at: tuple = ()
    keras_values_wrong_in: tuple = ()


def _np_sigmoid(x):
    # exp of -|x| never overflows; the negative side avoids 1 - p cancellation.
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


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


def _np_softmax(x, axis=-1):
    with np.errstate(invalid="ignore", over="ignore"):
        e = np.exp(x - np.max(x, axis=axis, keepdims=True))
        return e / np.sum(e, axis=axis, keepdims=True)


def _plain_softmax(x, axis=-1):
    e = tf.exp(x - tf.reduce_max(x, axis=axis, keepdims=True))
    return e / tf.reduce_sum(e, axis=axis, keepdims=True)


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
        "softmax",
        numpy=_np_softmax,
        plain=_plain_softmax,
        param_sets=[{}, {"axis": 0}, {"axis": (0, 1)}, {"axis": None}],
        axis=True,
    ),
]

# Imported here, after Reference and the helpers above that they use.
from references_parametric import REFERENCES as _PARAMETRIC  # noqa: E402
from references_pointwise import REFERENCES as _POINTWISE  # noqa: E402

REFERENCES += _POINTWISE + _PARAMETRIC

BY_NAME = {ref.name: ref for ref in REFERENCES}

# (name, params) pairs, one per tested parameter set, with readable ids.
CASES = [(ref.name, params) for ref in REFERENCES for params in ref.param_sets]


def case_id(case):
    name, params = case
    if not params:
        return name
    return name + "[" + ",".join(f"{k}={v}" for k, v in params.items()) + "]"


def sample_inputs(reference, dtype=np.float64, extremes=True):
    """Inputs covering both signs, the kinks, and (optionally) +-1e4, +-inf."""
    rng = np.random.default_rng(0)
    points = [-6.0, -3.0, -1.5, -1.0, -0.5, -0.1, 0.0, 0.1, 0.5, 1.0, 1.5, 3.0, 6.0]
    points += list(rng.uniform(-8.0, 8.0, size=19))
    if extremes:
        points += [-1e4, 1e4, -np.inf, np.inf, -100.0, 100.0]
    x = np.array(points, dtype=np.float64)
    if reference.axis:
        finite = x[np.isfinite(x)]
        x = finite[: (finite.size // 4) * 4].reshape(-1, 4)
    return x.astype(dtype)


def smooth_inputs(reference, params, size=24, margin=1e-2):
    """Float64 points at least ``margin`` away from every kink."""
    rng = np.random.default_rng(1)
    x = rng.uniform(-4.0, 4.0, size=size * 3)
    for kink in reference.kinks(**params):
        x = x[np.abs(x - kink) > margin]
    x = x[:size]
    if reference.axis:
        x = x[: (x.size // 4) * 4].reshape(-1, 4)
    return x

"""Catalog rows with learned or random parameters, and the normalizers.

prelu and snake have tensor parameters with gradients (``differentiable=``)
that their layers learn; rrelu is random in training; log_softmax, softmin,
sparsemax and glu work along an axis. See keras_acts/activations.py for the
conventions every row follows.
"""

import math

import numpy as np
import tensorflow as tf

from keras_acts._common import CATALOG as _catalog
from keras_acts._common import const as _const
from keras_acts._common import negated as _negated
from keras_acts._common import native_or_careful as _native_or_careful
from keras_acts._common import shifted_below_peak as _shifted_below_peak
from keras_acts.core import define_activation
from keras_acts.layer_bases import (
    LogNormalizerLayer,
    MinNormalizerLayer,
    NormalizerLayer,
    ParametricLayer,
    ReshapingLayer,
    StochasticLayer,
)
from keras_acts.params import Axis, Boolean, Integer, Real, TensorLike

__all__ = [
    "prelu",
    "snake",
    "rrelu",
    "log_softmax",
    "softmin",
    "sparsemax",
    "glu",
]


def _invalid(name, value, expected):
    return ValueError(
        f"Invalid value for argument `{name}`: {value!r}. Expected {expected}."
    )


class _Tensor(TensorLike):
    """A number or a tensor broadcastable to the input.

    Numbers become float64 NumPy scalars: the core casts differentiable
    parameters with ``tf.cast``, which would first make a Python float a
    float32 tensor (0.1 would drift by ~1e-9 in float64 math).
    """

    def __call__(self, name, value):
        value = super().__call__(name, value)
        if isinstance(value, float):
            return np.float64(value)
        return value


class _PositiveOrTensor(_Tensor):
    """A finite number > 0, or a tensor (a learned weight: not checked)."""

    def describe(self):
        return "float > 0 or tensor"

    def __call__(self, name, value):
        value = super().__call__(name, value)
        if isinstance(value, np.float64) and not (0.0 < value < math.inf):
            raise _invalid(name, value, "a finite float > 0 or a tensor")
        return value


def _scaled_negative(x, slope):
    """``x`` where ``x > 0`` (or NaN), else ``slope * x``.

    ``multiply_no_nan`` gives 0 for a zero slope at ``x = -inf``: the limit
    of ``slope * x`` there, where a plain product is NaN.
    """
    return tf.where(x <= 0, tf.math.multiply_no_nan(x, slope), x)


# -- prelu -------------------------------------------------------------------


def _prelu_backward(dy, x, y, alpha):
    zero = tf.zeros_like(dy)
    negative = x < 0
    # At x == 0 both gradients are 0, as TensorFlow's for Keras's PReLU
    # (relu(x) - alpha * relu(-x)).
    dx = tf.where(x > 0, dy, tf.where(negative, dy * alpha, zero))
    dalpha = tf.where(negative, dy * x, zero)
    return dx, dalpha


@define_activation(
    backward=_prelu_backward,
    keep="x",
    params={"alpha": _Tensor()},
    differentiable=("alpha",),
    layer="PReLU",
    layer_defaults={"alpha": "Zeros"},
    layer_base=ParametricLayer,
    formula="x if x > 0 else alpha * x",
    output_range="(-inf, inf)",
    monotonic=None,
    smooth=False,
    **_catalog,
)
def prelu(x, alpha):
    """Parametric ReLU: `x` where positive, `alpha * x` elsewhere.

    `alpha` (required) is a number or a tensor broadcastable to `x`; the
    gradient flows to both `x` and `alpha`. At `x == 0` both gradients are 0,
    as TensorFlow's gradient of Keras's `PReLU` layer. The layer `PReLU`
    learns `alpha` exactly as Keras's `PReLU` does (same constructor, weight
    shape, `shared_axes` and config).
    """
    return _scaled_negative(x, alpha)


# -- snake -------------------------------------------------------------------


def _snake_backward(dy, x, y, frequency):
    fx = frequency * x
    s = tf.sin(fx)
    sin_2fx = _const(2.0, x) * s * tf.cos(fx)
    dx = dy * (_const(1.0, x) + sin_2fx)
    dfrequency = dy * (x * sin_2fx - s * s / frequency) / frequency
    return dx, dfrequency


@define_activation(
    backward=_snake_backward,
    keep="x",
    params={"frequency": _PositiveOrTensor()},
    differentiable=("frequency",),
    layer_defaults={"frequency": "ones"},
    layer_base=ParametricLayer,
    formula="x + sin(frequency * x)^2 / frequency",
    output_range="(-inf, inf)",
    monotonic=True,
    smooth=True,
    **_catalog,
)
def snake(x, frequency=1.0):
    """Snake (Liu et al., 2020): `x + sin(frequency * x)^2 / frequency`.

    A periodic activation for periodic signals. The gradient flows to `x`
    and `frequency` (a positive number or a tensor broadcastable to `x`);
    the layer `Snake` learns `frequency` as a weight, one per input element
    unless `shared_axes` shares it (`frequency_initializer="ones"`). At
    `+-inf` the output is `+-inf`, its limit; where `frequency * x`
    overflows (float16) the output is `x`, to which the result rounds.
    """
    fx = frequency * x
    s = tf.sin(fx)
    # Not s * s: the optimizer makes that Square(Sin(fx)), which it merges
    # into a slow composite kernel (see _common.negated).
    y = x + s * (s / frequency)
    # An infinite frequency * x (x infinite, or the product overflowing in
    # float16) means sin^2(fx) / frequency is below half an ulp of x: the
    # output rounds to x.
    return tf.where(tf.math.is_inf(fx), x, y)


# -- rrelu -------------------------------------------------------------------


def _check_rrelu_bounds(lower=1.0 / 8.0, upper=1.0 / 3.0, **_):
    if upper < lower:
        raise _invalid("upper", upper, f"upper >= lower (lower={lower!r})")


class _SeedPerCall:
    """The seed of one rrelu call, drawn once and shared by both passes.

    The forward pass draws it (from a ``SeedGenerator``, an int, the global
    generator for None, or a seed tensor as is) only when training; the
    backward pass gets the same tensor and regenerates the same slopes.
    """

    def __init__(self, seed):
        self.seed = seed
        self._tensor = None

    def tensor(self):
        if self._tensor is None:
            if tf.is_tensor(self.seed):
                self._tensor = self.seed
            else:
                from keras.src.random.seed_generator import draw_seed

                self._tensor = draw_seed(self.seed)
        return self._tensor

    def __repr__(self):
        return repr(self.seed)


class _Seed:
    def describe(self):
        return "int, keras.random.SeedGenerator or None"

    def __call__(self, name, value):
        import keras

        if isinstance(value, _SeedPerCall):
            return value
        if value is None or tf.is_tensor(value) or isinstance(
            value, keras.random.SeedGenerator
        ):
            return _SeedPerCall(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise _invalid(name, value, f"an {self.describe()}")
        return _SeedPerCall(int(value))


def _rrelu_slopes(x, lower, upper, training, seed):
    if not training:
        return _const((lower + upper) / 2.0, x)
    return tf.random.stateless_uniform(
        tf.shape(x), seed=seed.tensor(), minval=_const(lower, x),
        maxval=_const(upper, x), dtype=x.dtype,
    )


def _rrelu_backward(dy, x, y, lower, upper, training, seed):
    slope = _rrelu_slopes(x, lower, upper, training, seed)
    return tf.where(x > 0, dy, dy * slope)


@define_activation(
    backward=_rrelu_backward,
    keep="x",
    params={
        "lower": Real(min=0.0),
        "upper": Real(min=0.0),
        "training": Boolean(),
        "seed": _Seed(),
    },
    layer="RReLU",
    layer_checks={"seed": Integer(optional=True)},
    layer_base=StochasticLayer,
    check=_check_rrelu_bounds,
    formula=(
        "x if x > 0 else slope * x; slope ~ U[lower, upper] per element in "
        "training, (lower + upper) / 2 in inference"
    ),
    output_range="(-inf, inf)",
    monotonic=True,
    smooth=False,
    **_catalog,
)
def rrelu(x, lower=1.0 / 8.0, upper=1.0 / 3.0, training=False, seed=None):
    """Randomized leaky ReLU (Xu et al., 2015).

    `x` where positive, else `slope * x`. With `training=True` each element
    draws its slope uniformly in `[lower, upper]` (reproducibly for an int
    `seed` or a `keras.random.SeedGenerator`); otherwise the slope is
    `(lower + upper) / 2`. The gradient uses the same slopes as the forward
    pass (regenerated from the same stateless seed); at `x == 0` it is the
    slope, as PyTorch's. The layer `RReLU(lower, upper, seed)` follows
    Keras's training flag: random in `fit`, deterministic in `predict`.
    """
    _check_rrelu_bounds(lower, upper)
    return _scaled_negative(x, _rrelu_slopes(x, lower, upper, training, seed))


# -- log_softmax -------------------------------------------------------------


def _log_softmax_backward(dy, x, y, axis):
    return dy - tf.exp(y) * tf.reduce_sum(dy, axis=axis, keepdims=True)


@define_activation(
    backward=_log_softmax_backward,
    keep="y",
    params={"axis": Axis(allow_none=True)},
    layer_base=LogNormalizerLayer,
    formula="x - max(x) - log(sum(exp(x - max(x))))",
    output_range="(-inf, 0], logsumexp is 0 along axis",
    monotonic=False,
    smooth=True,
    **_catalog,
)
def log_softmax(x, axis=-1):
    """Log of softmax along `axis` (an int, a tuple of ints, or None).

    Exact limits at infinities: a `+inf` logit gets `log(1 / ties)`, `-inf`
    logits get `-inf`; a NaN makes its slice NaN. The layer's masked
    positions get `-inf` (the log of their zero weight).
    """
    return _native_or_careful(
        x, axis, tf.nn.log_softmax, _careful_log_softmax, _log_softmax_bad_rows
    )


def _log_softmax_bad_rows(y):
    # The kernel makes a slice with +inf, NaN or only -inf NaN throughout (its
    # sum of exponentials is NaN): its first entry tells, so finding those
    # slices reads one column.
    return tf.reduce_any(tf.math.is_nan(y[:, :1]), axis=-1)


def _careful_log_softmax(x, axis):
    peak = tf.reduce_max(x, axis=axis, keepdims=True)
    # Where x is the peak the shift is 0, even for infinite peaks. Each pass
    # selects on its own (no shared `shifted` tensor): XLA then fuses each
    # into one loop instead of writing `shifted` out and reading it twice.
    at_peak = tf.equal(x, peak)
    total = tf.reduce_sum(
        tf.where(at_peak, _const(1.0, x), tf.exp(x - peak)), axis=axis, keepdims=True
    )
    log_total = tf.math.log(total)
    return tf.where(at_peak, -log_total, (x - peak) - log_total)


# -- softmin -----------------------------------------------------------------


def _softmin_backward(dy, x, y, axis):
    return y * (tf.reduce_sum(dy * y, axis=axis, keepdims=True) - dy)


@define_activation(
    backward=_softmin_backward,
    keep="y",
    params={"axis": Axis(allow_none=True)},
    layer_base=MinNormalizerLayer,
    formula="exp(min(x) - x) / sum(exp(min(x) - x))",
    output_range="(0, 1), sums to 1 along axis",
    monotonic=False,
    smooth=True,
    **_catalog,
)
def softmin(x, axis=-1):
    """Softmin along `axis`: `softmax(-x)`; small inputs get large weights.

    Exact limits: a `-inf` input takes all the mass (shared among ties),
    `+inf` inputs get 0; a NaN makes its slice NaN.
    """
    low = tf.reduce_min(x, axis=axis, keepdims=True)
    shifted = tf.where(tf.equal(x, low), tf.zeros_like(x), low - x)
    e = tf.exp(shifted)
    return e / tf.reduce_sum(e, axis=axis, keepdims=True)


# -- sparsemax ---------------------------------------------------------------


def _sparsemax_backward(dy, x, y, axis):
    support = tf.cast(y > 0, dy.dtype)
    size = tf.reduce_sum(support, axis=axis, keepdims=True)
    mean = tf.reduce_sum(dy * support, axis=axis, keepdims=True) / size
    return support * (dy - mean)


@define_activation(
    backward=_sparsemax_backward,
    keep="y",
    params={"axis": Axis(allow_tuple=False)},
    layer_base=NormalizerLayer,
    formula="max(x - tau, 0), tau such that the outputs sum to 1",
    output_range="[0, 1], sums to 1 along axis",
    monotonic=False,
    smooth=False,
    **_catalog,
)
def sparsemax(x, axis=-1):
    """Sparsemax (Martins & Astudillo, 2016): the Euclidean projection of `x`
    onto the probability simplex along `axis`.

    Unlike Keras 3.15's TensorFlow `sparsemax`, which sums the cumulative sums
    of the whole support, this is the true projection:
    `sparsemax([1.0, 0.9, 0.0]) == [0.55, 0.45, 0.0]`. The threshold `tau`
    is the mean of the support minus `1 / (its size)`, found without
    sorting. Limits at infinities as softmax's; a NaN makes its slice NaN.
    """
    z = _shifted_below_peak(x, axis)
    # Half precision counts no further than 256 (bfloat16) or 2048: find the
    # threshold in float32.
    work = tf.float32 if x.dtype in (tf.float16, tf.bfloat16) else x.dtype
    tau = _simplex_threshold(tf.cast(z, work), axis)
    return tf.nn.relu(z - tf.cast(tau, x.dtype))


def _simplex_threshold(z, axis):
    """The `tau` of sparsemax for `z` whose maximum is 0, by Michelot's
    fixed point: `tau <- (sum of z above tau - 1) / (their count)`.

    Started below the answer (at -1), the iterates rise to it and the
    support only shrinks, so it ends, exactly, once no slice's support
    changes: a handful of passes for real data (at most the axis size),
    where sorting each slice costs ~20x more. A NaN counts as above every
    tau (`not z <= tau`), so it poisons its slice's threshold.
    """
    zero = tf.zeros_like(z)

    def support_mean(tau):
        outside = z <= tau
        size = tf.reduce_sum(
            tf.cast(tf.logical_not(outside), z.dtype), axis=axis, keepdims=True
        )
        total = tf.reduce_sum(tf.where(outside, zero, z), axis=axis, keepdims=True)
        return (total - _const(1.0, z)) / size, size

    def still_shrinking(tau, size, previous_size):
        return tf.reduce_any(tf.not_equal(size, previous_size))

    def step(tau, size, previous_size):
        return (*support_mean(tau), size)

    tau, size = support_mean(_const(-1.0, z))
    tau, _, _ = tf.while_loop(
        still_shrinking,
        step,
        (tau, size, tf.zeros_like(size)),
        maximum_iterations=tf.shape(z)[axis],
    )
    return tau


# -- glu ---------------------------------------------------------------------


def _glu_output_shape(input_shape, axis):
    shape = list(input_shape)
    if not -len(shape) <= axis < len(shape):
        raise ValueError(
            f"glu: axis {axis} is out of range for an input of rank {len(shape)} "
            f"(shape {tuple(input_shape)})."
        )
    size = shape[axis]
    if size is not None:
        if size % 2:
            raise ValueError(
                f"glu splits axis {axis} in two halves, but its size is {size} "
                f"(odd) in input shape {tuple(input_shape)}."
            )
        shape[axis] = size // 2
    return tuple(shape)


def _halves(x, axis):
    """The first and second halves of `x` along `axis`, as a reshape to a
    (2, size / 2) pair and an unstack: XLA fuses that where a split of the
    innermost axis (and the matching concat) runs ~20% slower."""
    axis = axis % x.shape.rank
    shape = _dims(x)
    paired = shape[:axis] + [2, shape[axis] // 2] + shape[axis + 1 :]
    return tf.unstack(tf.reshape(x, paired), num=2, axis=axis)


def _dims(x):
    # Known sizes as ints: a static shape costs no kernels at run time.
    return [tf.shape(x)[i] if d is None else d for i, d in enumerate(x.shape)]


def _joined(first, second, axis, like):
    """The inverse of `_halves`: a tensor shaped `like`."""
    axis = axis % like.shape.rank
    return tf.reshape(tf.stack([first, second], axis=axis), _dims(like))


def _glu_backward(dy, x, y, axis):
    a, b = _halves(x, axis)
    gate = tf.sigmoid(b)
    # sigmoid(b) * sigmoid(-b), not SigmoidGrad's s * (1 - s): that cancels
    # where the gate saturates (all precision lost in float16). Two native
    # sigmoids are also cheaper than one exp and its fix-ups.
    slope = gate * tf.sigmoid(_negated(b))
    return _joined(dy * gate, (dy * a) * slope, axis, x)


@define_activation(
    backward=_glu_backward,
    keep="x",
    params={"axis": Axis(allow_tuple=False)},
    layer="GLU",
    layer_base=ReshapingLayer,
    output_shape=_glu_output_shape,
    formula="a * sigmoid(b), where a, b = x split in halves along axis",
    output_range="(-inf, inf)",
    monotonic=False,
    smooth=True,
    **_catalog,
)
def glu(x, axis=-1):
    """Gated linear unit (Dauphin et al., 2017): `a * sigmoid(b)`, where `a`
    and `b` are the first and second halves of `x` along `axis`.

    The output's `axis` is half the input's; an odd size is a ValueError
    (raised when the layer is built, where the shape is known).
    """
    _glu_output_shape(x.shape, axis)
    a, b = _halves(x, axis)
    return a * tf.sigmoid(b)

"""The activation catalog: one forward formula and one backward pass each.

Every activation here is made by ``keras_acts.define_activation``, the same
public API a user calls for their own. Each backward pass is written by hand
and keeps only what it needs (``keep=``); the rest is recomputed.

Conventions: constants are cast to ``x.dtype`` (so float16, bfloat16 and
float64 each compute in their own precision); gradients at kinks follow
TensorFlow's native gradient of Keras's built-in where there is one.
"""

import tensorflow as tf

from keras_acts._common import CATALOG as _catalog
from keras_acts._common import const as _const
from keras_acts._common import native_or_careful as _native_or_careful
from keras_acts._common import shifted_below_peak as _shifted_below_peak
from keras_acts.config import native_kernels
from keras_acts.core import define_activation
from keras_acts.layer_bases import NormalizerLayer
from keras_acts.params import Axis, Boolean, Real


# -- step --------------------------------------------------------------------


def _step_keep(threshold, straight_through):
    return "x" if straight_through else ""


def _step_backward(dy, x, y, threshold, straight_through):
    if not straight_through:
        return tf.zeros_like(dy)
    near = tf.abs(x - _const(threshold, x)) <= _const(1.0, x)
    return tf.where(near, dy, tf.zeros_like(dy))


@define_activation(
    backward=_step_backward,
    keep=_step_keep,
    params={"threshold": Real(), "straight_through": Boolean()},
    formula="1 if x > threshold else 0",
    output_range="{0, 1}",
    monotonic=True,
    smooth=False,
    **_catalog,
)
def step(x, threshold=0.0, straight_through=False):
    """Heaviside step: 1 where `x > threshold`, else 0; NaN stays NaN.

    Its true derivative is 0 everywhere, so nothing before it can learn.
    `straight_through=True` uses the clipped straight-through estimator
    instead: the gradient passes unchanged where `abs(x - threshold) <= 1`.
    """
    t = _const(threshold, x)
    return tf.where(x > t, tf.ones_like(x), tf.where(x <= t, tf.zeros_like(x), x))


# -- sigmoid -----------------------------------------------------------------


def _sigmoid_backward(dy, x, y):
    return tf.raw_ops.SigmoidGrad(y=y, dy=dy)


@define_activation(
    backward=_sigmoid_backward,
    keep="y",
    params={},
    keras_logits=True,
    formula="1 / (1 + exp(-x))",
    output_range="(0, 1)",
    monotonic=True,
    smooth=True,
    **_catalog,
)
def sigmoid(x):
    """Logistic sigmoid, stable for large `abs(x)`.

    The output carries `_keras_logits = x`, as Keras's does, so a following
    cross-entropy loss works from the logits.
    """
    return tf.nn.sigmoid(x)


# -- tanh --------------------------------------------------------------------


def _tanh_backward(dy, x, y):
    return tf.raw_ops.TanhGrad(y=y, dy=dy)


@define_activation(
    backward=_tanh_backward,
    keep="y",
    params={},
    formula="(exp(x) - exp(-x)) / (exp(x) + exp(-x))",
    output_range="(-1, 1)",
    monotonic=True,
    smooth=True,
    **_catalog,
)
def tanh(x):
    """Hyperbolic tangent."""
    return tf.nn.tanh(x)


# -- leaky_relu --------------------------------------------------------------


def _leaky_relu_forward(x, negative_slope):
    if x.dtype == tf.float64:
        # LeakyRelu's alpha attribute is float32: it would round the slope.
        return tf.where(x > 0, x, x * _const(negative_slope, x))
    return tf.nn.leaky_relu(x, alpha=negative_slope)


def _leaky_relu_keep(negative_slope):
    # With a slope >= 0, y > 0 exactly where x > 0, so the gradient can be
    # read from y: then the input (a BiasAdd's output, say) keeps a single
    # consumer and TensorFlow's MatMul + BiasAdd + activation fusion survives.
    return "y" if negative_slope >= 0 else "x"


def _leaky_relu_backward(dy, x, y, negative_slope):
    features = y if x is None else x
    if features.dtype == tf.float64:
        return tf.where(features > 0, dy, dy * _const(negative_slope, features))
    return tf.raw_ops.LeakyReluGrad(
        gradients=dy, features=features, alpha=negative_slope
    )


@define_activation(
    backward=_leaky_relu_backward,
    keep=_leaky_relu_keep,
    params={"negative_slope": Real()},
    layer="LeakyReLU",
    layer_defaults={"negative_slope": 0.3},
    layer_checks={"negative_slope": Real(min=0.0)},
    formula="x if x > 0 else negative_slope * x",
    output_range="(-inf, inf)",
    monotonic=True,
    smooth=False,
    **_catalog,
)
def leaky_relu(x, negative_slope=0.2):
    """Leaky ReLU: `x` where positive, `negative_slope * x` elsewhere.

    The function defaults to `negative_slope=0.2` and the layer to 0.3, as in
    Keras. The gradient at 0 is `negative_slope`, as TensorFlow's.
    """
    return _leaky_relu_forward(x, negative_slope)


# -- relu --------------------------------------------------------------------
# Keras's relu is a composition whose branches differ at the kinks; the
# backward pass mirrors the gradient TensorFlow gives each branch.


def _relu_is_leaky(negative_slope, max_value, threshold):
    return negative_slope != 0.0 and max_value is None and threshold == 0.0


def _relu_uses_relu6(max_value, threshold):
    return threshold == 0.0 and max_value == 6.0


def _relu_positive_part(x, max_value, threshold):
    if threshold != 0.0:
        # `x <= t` (not `x > t`) so that NaN falls through as NaN.
        part = tf.where(x <= _const(threshold, x), tf.zeros_like(x), x)
    elif _relu_uses_relu6(max_value, threshold):
        return tf.nn.relu6(x)
    else:
        part = tf.nn.relu(x)
    if max_value is not None:
        part = tf.clip_by_value(part, _const(0.0, x), _const(max_value, x))
    return part


def _relu_keep(negative_slope, max_value, threshold):
    # Where TensorFlow's native gradient reads the output (Relu, Relu6), so
    # does ours: one consumer of the input keeps grappler's fusions.
    if _relu_is_leaky(negative_slope, max_value, threshold):
        return _leaky_relu_keep(negative_slope)
    if negative_slope == 0.0 and threshold == 0.0 and max_value in (None, 6.0):
        return "y"
    return "x"


def _relu_backward(dy, x, y, negative_slope, max_value, threshold):
    if _relu_is_leaky(negative_slope, max_value, threshold):
        return _leaky_relu_backward(dy, x, y, negative_slope)
    if x is None:  # plain relu or relu6: their native gradients, from y
        if max_value is None:
            return tf.raw_ops.ReluGrad(gradients=dy, features=y)
        return tf.raw_ops.Relu6Grad(gradients=dy, features=y)
    zero = tf.zeros_like(dy)
    if _relu_uses_relu6(max_value, threshold):
        passes = tf.logical_and(x > 0, x < _const(6.0, x))
    else:
        passes = x > _const(threshold, x)
        if max_value is not None:
            # clip_by_value's gradient passes at both of its bounds.
            within = tf.logical_and(x >= 0, x <= _const(max_value, x))
            passes = tf.logical_and(passes, within)
    dx = tf.where(passes, dy, zero)
    if negative_slope != 0.0:
        below = x < _const(threshold, x)
        dx = dx + tf.where(below, dy * _const(negative_slope, x), zero)
    return dx


@define_activation(
    backward=_relu_backward,
    keep=_relu_keep,
    params={
        "negative_slope": Real(),
        "max_value": Real(min=0.0, optional=True),
        "threshold": Real(),
    },
    layer="ReLU",
    layer_params=("max_value", "negative_slope", "threshold"),
    layer_checks={"negative_slope": Real(min=0.0), "threshold": Real(min=0.0)},
    formula=(
        "max_value if x >= max_value; x if threshold <= x < max_value; "
        "negative_slope * (x - threshold) otherwise"
    ),
    output_range="[0, inf) (defaults); (-inf, max_value] with negative_slope",
    monotonic=True,
    smooth=False,
    **_catalog,
)
def relu(x, negative_slope=0.0, max_value=None, threshold=0.0):
    """Rectified linear unit with Keras's options, exactly as Keras.

    With defaults, `max(x, 0)`. `negative_slope` leaks below `threshold`,
    `max_value` caps the output, `threshold` moves the kink. The layer's
    constructor order is Keras's: `ReLU(max_value, negative_slope, threshold)`.
    """
    if _relu_is_leaky(negative_slope, max_value, threshold):
        return _leaky_relu_forward(x, negative_slope)
    y = _relu_positive_part(x, max_value, threshold)
    if negative_slope != 0.0:
        below = tf.nn.relu(_const(threshold, x) - x)
        y = y - _const(negative_slope, x) * below
    return y


# -- softmax -----------------------------------------------------------------


@native_kernels  # compiled, it would not reuse dy's buffer: +2 tensors at the peak
def _softmax_backward(dy, x, y, axis):
    return y * (dy - tf.reduce_sum(dy * y, axis=axis, keepdims=True))


@define_activation(
    backward=_softmax_backward,
    keep="y",
    params={"axis": Axis(allow_none=True)},
    layer_base=NormalizerLayer,
    keras_logits=True,
    formula="exp(x - max(x)) / sum(exp(x - max(x)))",
    output_range="(0, 1), sums to 1 along axis",
    monotonic=False,
    smooth=True,
    **_catalog,
)
@native_kernels
def softmax(x, axis=-1):
    """Softmax along `axis` (an int, a tuple of ints, or None for all axes).

    Exact limits at infinities: a `+inf` logit takes all the mass (shared
    equally among ties), `-inf` logits get 0. A NaN makes its slice NaN. The
    output carries `_keras_logits = x`, as Keras's does.
    """
    return _native_or_careful(x, axis, tf.nn.softmax, _careful_softmax, _softmax_bad_rows)


def _softmax_bad_rows(y):
    # The kernel leaves NaN only where a +inf or NaN logit was (a slice of
    # only -inf is all NaN), so its non-finite slices show in their sums.
    return tf.logical_not(tf.math.is_finite(tf.reduce_sum(y, axis=-1)))


def _careful_softmax(x, axis):
    e = tf.exp(_shifted_below_peak(x, axis))
    return e / tf.reduce_sum(e, axis=axis, keepdims=True)


# The rest of the catalog lives in themed modules; they are part of this
# namespace: keras_acts.activations.<name> for every row.
from keras_acts._pointwise import *  # noqa: E402,F401,F403
from keras_acts._parametric import *  # noqa: E402,F401,F403

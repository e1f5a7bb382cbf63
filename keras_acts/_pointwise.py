"""Element-wise catalog rows without trainable weights.

See keras_acts/activations.py for the conventions: constants are cast to
``x.dtype`` with ``const``; each backward pass is written by hand and keeps
one tensor; gradients at kinks follow TensorFlow's native gradient of Keras's
built-in where Keras has the activation, PyTorch's otherwise. Infinite inputs
give the mathematical limit (never ``inf * 0 = NaN``) and NaN stays NaN.
"""

import math

import tensorflow as tf

from keras_acts import _common
from keras_acts._common import CATALOG as _catalog
from keras_acts._common import const as _const
from keras_acts._common import negated as _negated
from keras_acts.core import define_activation, in_xla_context
from keras_acts.params import Boolean, Real

__all__ = [
    "relu6",
    "elu",
    "selu",
    "celu",
    "threshold",
    "hard_tanh",
    "gelu",
    "silu",
    "swish",
    "mish",
    "softplus",
    "softsign",
    "log_sigmoid",
    "squareplus",
    "sparse_plus",
    "exponential",
    "linear",
    "quick_gelu",
    "lisht",
    "tanh_shrink",
    "hard_sigmoid",
    "hard_silu",
    "hard_swish",
    "hard_mish",
    "hard_shrink",
    "soft_shrink",
    "sparse_sigmoid",
]


# |x| past which every factor that vanishes beside x here (a sigmoid, the
# normal pdf, 1 - tanh^2, relu6(x + 3)) is exactly 0 in the dtype.
_TAIL = {tf.float64: 750.0}
_TAIL_DEFAULT = 110.0


def _tamed(x, upper=True):
    """``x`` clamped to the tails, so that ``x * factor`` gives the limit 0 at
    infinities, never ``inf * 0 = NaN``; NaN stays NaN. ``upper=False`` keeps
    ``+inf`` (forward passes, whose factor is 1 there)."""
    bound = _const(_TAIL.get(x.dtype, _TAIL_DEFAULT), x)
    if upper:
        return tf.clip_by_value(x, -bound, bound)
    return tf.maximum(x, -bound)


# Under XLA, a forward and a backward pass that compute the same subexpression
# share it: XLA computes it once into a tensor of its own and reads it twice.
# While that tensor stays in cache this beats recomputing; past it, the write
# and reads cost more (silu under model-wide XLA, ours / Keras's time: 2^16
# elements 0.99 -> 0.84, 2^18 1.29 -> 0.99, 2^20 1.25 -> 1.04 sharing; 2^22
# 0.81 recomputing, 0.97 sharing).
_SHARE_BELOW_SIZE = 2**21


def _shared_between_passes(z):
    size = z.shape.num_elements()
    return in_xla_context() and size is not None and size < _SHARE_BELOW_SIZE


def _sigmoid_and_slope(z):
    return _common.sigmoid_and_slope(z, shared=_shared_between_passes(z))


def _forward_sigmoid(z):
    """The forward passes' sigmoid: the backward's own where XLA shares it
    between the passes, TensorFlow's otherwise."""
    if _shared_between_passes(z):
        return _sigmoid_and_slope(z)[0]
    return tf.sigmoid(z)


# -- relu6 -------------------------------------------------------------------


def _relu6_backward(dy, x, y):
    # TensorFlow's Relu6Grad: passes strictly inside (0, 6).
    return tf.raw_ops.Relu6Grad(gradients=dy, features=y)


@define_activation(
    backward=_relu6_backward,
    keep="y",
    params={},
    layer="ReLU6",
    formula="min(max(x, 0), 6)",
    output_range="[0, 6]",
    monotonic=True,
    smooth=False,
    **_catalog,
)
def relu6(x):
    """ReLU capped at 6. The gradient is 0 at both kinks, as TensorFlow's."""
    return tf.nn.relu6(x)


# -- elu, selu, celu ---------------------------------------------------------


def _elu_keep(alpha):
    # With alpha >= 0, the sign of y tells the branch; otherwise keep x.
    return "y" if alpha >= 0 else "x"


def _elu_backward(dy, x, y, alpha):
    a = _const(alpha, dy)
    if alpha == 1.0:
        return tf.raw_ops.EluGrad(gradients=dy, outputs=y)  # one native kernel
    if y is not None:
        # alpha * exp(x) == y + alpha on the negative branch.
        return tf.where(y > 0, dy, dy * (y + a))
    return tf.where(x > 0, dy, dy * a * tf.exp(tf.minimum(x, tf.zeros_like(x))))


@define_activation(
    backward=_elu_backward,
    keep=_elu_keep,
    params={"alpha": Real()},
    layer="ELU",
    formula="x if x > 0 else alpha * (exp(x) - 1)",
    output_range="(-alpha, inf)",
    monotonic=True,
    smooth=False,
    **_catalog,
)
def elu(x, alpha=1.0):
    """Exponential linear unit, as Keras's (`alpha` scales the negative side).

    The gradient at 0 is `alpha`, as TensorFlow gives Keras's `elu`.
    """
    y = tf.nn.elu(x)
    if alpha == 1.0:
        return y
    return tf.where(x > 0, y, _const(alpha, x) * y)


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def _selu_backward(dy, x, y):
    # TensorFlow's SeluGrad: scale at 0.
    return tf.raw_ops.SeluGrad(gradients=dy, outputs=y)


@define_activation(
    backward=_selu_backward,
    keep="y",
    params={},
    layer="SELU",
    formula=f"{_SELU_SCALE} * elu(x, {_SELU_ALPHA})",
    output_range=f"({-_SELU_SCALE * _SELU_ALPHA:.6f}, inf)",
    monotonic=True,
    smooth=False,
    **_catalog,
)
def selu(x):
    """Scaled exponential linear unit (self-normalizing)."""
    return tf.nn.selu(x)


def _celu_backward(dy, x, y, alpha):
    # exp(x / alpha) == y / alpha + 1 on the negative branch; 1 at 0, where
    # celu is continuously differentiable.
    return tf.where(y > 0, dy, dy * (y / _const(alpha, dy) + _const(1.0, dy)))


@define_activation(
    backward=_celu_backward,
    keep="y",
    params={"alpha": Real(min=0.0, min_open=True)},
    layer="CELU",
    formula="max(x, 0) + alpha * (exp(min(x, 0) / alpha) - 1)",
    output_range="(-alpha, inf)",
    monotonic=True,
    smooth=True,
    **_catalog,
)
def celu(x, alpha=1.0):
    """Continuously differentiable exponential linear unit (`alpha > 0`)."""
    zero = tf.zeros_like(x)
    a = _const(alpha, x)
    return tf.maximum(x, zero) + a * tf.math.expm1(tf.minimum(x, zero) / a)


# -- threshold, hard_tanh ----------------------------------------------------


def _threshold_backward(dy, x, y, threshold, default_value):
    return tf.where(x <= _const(threshold, x), tf.zeros_like(dy), dy)


@define_activation(
    backward=_threshold_backward,
    keep="x",
    params={"threshold": Real(), "default_value": Real()},
    formula="x if x > threshold else default_value",
    output_range="{default_value} and (threshold, inf)",
    monotonic=None,
    smooth=False,
    **_catalog,
)
def threshold(x, threshold, default_value):
    """`x` where `x > threshold`, `default_value` elsewhere; NaN stays NaN.

    Both parameters are required, as in Keras. The gradient is 0 at the
    threshold.
    """
    return tf.where(
        x <= _const(threshold, x), tf.fill(tf.shape(x), _const(default_value, x)), x
    )


def _hard_tanh_backward(dy, x, y, min_val, max_val):
    # clip_by_value's gradient passes at both bounds.
    outside = tf.logical_or(x < _const(min_val, x), x > _const(max_val, x))
    return tf.where(outside, tf.zeros_like(dy), dy)


def _check_hard_tanh_bounds(min_val=-1.0, max_val=1.0):
    if not min_val < max_val:
        raise ValueError(
            f"Invalid values for arguments `min_val` and `max_val`: {min_val!r} "
            f"and {max_val!r}. Expected min_val < max_val."
        )


@define_activation(
    backward=_hard_tanh_backward,
    keep="x",
    params={"min_val": Real(), "max_val": Real()},
    check=_check_hard_tanh_bounds,
    layer="HardTanh",
    formula="clip(x, min_val, max_val)",
    output_range="[min_val, max_val]",
    monotonic=True,
    smooth=False,
    **_catalog,
)
def hard_tanh(x, min_val=-1.0, max_val=1.0):
    """`x` clipped to `[min_val, max_val]` (Keras's with the defaults).

    The gradient is 1 at both bounds, as TensorFlow's `clip_by_value`.
    """
    return tf.clip_by_value(x, _const(min_val, x), _const(max_val, x))


# -- gelu --------------------------------------------------------------------

_GELU_C = 0.044715


_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)


def _gelu_approx_z2(x):
    # 0.5 * (1 + tanh(z)) == sigmoid(2 z): no cancellation for negative x.
    return _const(2.0 * _SQRT_2_OVER_PI, x) * (x + _const(_GELU_C, x) * x * x * x)


def _gelu_backward(dy, x, y, approximate):
    if approximate:
        s, slope = _sigmoid_and_slope(_gelu_approx_z2(x))
        t = _tamed(x)
        dz2 = _const(2.0 * _SQRT_2_OVER_PI, x) * (
            _const(1.0, x) + _const(3.0 * _GELU_C, x) * t * t
        )
        return dy * (s + t * dz2 * slope)
    cdf = _const(0.5, x) * tf.math.erfc(-x * _const(1.0 / math.sqrt(2.0), x))
    pdf = _const(1.0 / math.sqrt(2.0 * math.pi), x) * tf.exp(
        _const(-0.5, x) * x * x
    )
    return dy * (cdf + _tamed(x) * pdf)


@define_activation(
    backward=_gelu_backward,
    keep="x",
    params={"approximate": Boolean()},
    layer="GELU",
    formula=(
        "0.5 x (1 + erf(x / sqrt(2))); approximate: "
        "0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3)))"
    ),
    output_range="[-0.17, inf)",
    monotonic=False,
    smooth=True,
    **_catalog,
)
def gelu(x, approximate=False):
    """Gaussian error linear unit, exact or with the tanh approximation.

    Unlike Keras, float64 inputs compute with float64 constants, and the
    negative tail keeps full precision (erfc, not 1 + erf).
    """
    if approximate:
        return _tamed(x, upper=False) * _forward_sigmoid(_gelu_approx_z2(x))
    cdf = _const(0.5, x) * tf.math.erfc(-x * _const(1.0 / math.sqrt(2.0), x))
    return _tamed(x, upper=False) * cdf


# -- silu (swish), quick_gelu, mish, lisht -----------------------------------


def _silu_backward(dy, x, y):
    s, slope = _sigmoid_and_slope(x)
    return dy * (s + _tamed(x) * slope)


@define_activation(
    backward=_silu_backward,
    keep="x",
    params={},
    layer="SiLU",
    aliases={"swish": "Swish"},
    formula="x * sigmoid(x)",
    output_range="[-0.278, inf)",
    monotonic=False,
    smooth=True,
    **_catalog,
)
def silu(x):
    """Sigmoid linear unit (swish): `x * sigmoid(x)`; 0 at `-inf`."""
    return _tamed(x, upper=False) * _forward_sigmoid(x)


swish = silu

_QUICK_GELU_K = 1.702


def _quick_gelu_backward(dy, x, y):
    k = _const(_QUICK_GELU_K, x)
    s, slope = _sigmoid_and_slope(k * x)
    return dy * (s + k * _tamed(x) * slope)


@define_activation(
    backward=_quick_gelu_backward,
    keep="x",
    params={},
    layer="QuickGELU",
    formula="x * sigmoid(1.702 x)",
    output_range="[-0.163, inf)",
    monotonic=False,
    smooth=True,
    **_catalog,
)
def quick_gelu(x):
    """The sigmoid approximation of GELU: `x * sigmoid(1.702 x)`."""
    return _tamed(x, upper=False) * _forward_sigmoid(_const(_QUICK_GELU_K, x) * x)


# With w = exp(x), tanh(softplus(x)) = n / (n + 2) where n = w (w + 2): one
# exp instead of exp, log1p and tanh. Clamping x at the top keeps w finite
# once the ratio is 1 to the last bit (x >= 20 in float32, 40 in float64);
# clamping the factor x at the bottom, where w is already 0, keeps -inf * 0
# out. Each pass divides once and uses the quotient once: XLA's CPU fusion
# keeps a reused divide (or exp) in a tensor of its own, a write and a read
# more. Half types compute in float32.
_MISH_CLAMP = {tf.float64: (-750.0, 40.0)}
_MISH_CLAMP_DEFAULT = (-110.0, 20.0)


def _mish_terms(x):
    lo, hi = _MISH_CLAMP.get(x.dtype, _MISH_CLAMP_DEFAULT)
    w = tf.exp(tf.minimum(x, _const(hi, x)))
    n = w * (w + _const(2.0, x))
    return w, n, n + _const(2.0, x), _const(lo, x), _const(hi, x)


def _in_float32_if_half(fn, *tensors):
    half = tensors[0].dtype in (tf.float16, tf.bfloat16)
    if not half:
        return fn(*tensors)
    return tf.cast(fn(*(tf.cast(t, tf.float32) for t in tensors)), tensors[0].dtype)


def _mish_backward(dy, x, y):
    def grad(dy, x):
        w, n, d, lo, hi = _mish_terms(x)
        xc = tf.clip_by_value(x, lo, hi)
        # d/dx x n/d = n/d + 4 x w (w + 1) / d^2, over one denominator
        slope = (n * d + _const(4.0, x) * xc * w * (w + _const(1.0, x))) / (d * d)
        return dy * slope

    return _in_float32_if_half(grad, dy, x)


@define_activation(
    backward=_mish_backward,
    keep="x",
    params={},
    formula="x * tanh(softplus(x))",
    output_range="[-0.309, inf)",
    monotonic=False,
    smooth=True,
    **_catalog,
)
def mish(x):
    """Mish: `x * tanh(softplus(x))`; 0 at `-inf`."""

    def forward(x):
        _, n, d, lo, _ = _mish_terms(x)
        return tf.maximum(x, lo) * (n / d)

    return _in_float32_if_half(forward, x)


def _lisht_backward(dy, x, y):
    t = tf.tanh(x)
    return dy * (t + _tamed(x) * (_const(1.0, x) - t * t))


@define_activation(
    backward=_lisht_backward,
    keep="x",
    params={},
    layer="LiSHT",
    formula="x * tanh(x)",
    output_range="[0, inf)",
    monotonic=False,
    smooth=True,
    **_catalog,
)
def lisht(x):
    """Linearly scaled hyperbolic tangent: `x * tanh(x)`."""
    return x * tf.tanh(x)


# -- softplus, log_sigmoid, softsign, squareplus -----------------------------


# Below this many elements XLA's own log1p measured faster than Kahan's form.
_KAHAN_LOG1P_MIN_SIZE = 2**16


def _log1p_of_small(e):
    """``log(1 + e)`` for ``0 <= e <= 1``, under XLA.

    From 2^16 elements up (or an unknown size), as Kahan's ``log(u) * e /
    (u - 1)`` with ``u = 1 + e``: ``u - 1`` is exact there, and it corrects
    the rounding of ``u`` to a few ulp. XLA compiles ``log`` to much faster
    code than ``log1p`` there (a whole softplus ~25% faster, no less precise).
    """
    size = e.shape.num_elements()
    if size is not None and size < _KAHAN_LOG1P_MIN_SIZE:
        return tf.math.log1p(e)
    one = _const(1.0, e)
    u = one + e
    return tf.where(u == one, e, tf.math.log(u) * (e / (u - one)))


def _softplus_of(z):
    if in_xla_context():
        return tf.maximum(z, _const(0.0, z)) + _log1p_of_small(tf.exp(-tf.abs(z)))
    return tf.math.softplus(z)


def _times_beta(x, beta):
    return x if beta == 1.0 else _const(beta, x) * x


# In float32, TensorFlow's Softplus is x itself above 13.94 and its
# SoftplusGrad, dy / (1 + exp(-x)), is dy itself above 16.7: from a threshold
# of 17 up, PyTorch's linear region changes no bit and one native kernel each
# way is the whole activation. Native, not compiled: compiled passes ran ~30%
# faster, but raised a deep MLP's training step peak by ~0.8 tensors over
# Keras's (XLA writes new buffers where these kernels reuse a dead input's).
def _native_softplus_suffices(x, beta, threshold):
    return (
        x.dtype == tf.float32
        and beta == 1.0
        and threshold >= 17.0
        and not in_xla_context()
    )


def _softplus_backward(dy, x, y, beta, threshold):
    if _native_softplus_suffices(x, beta, threshold):
        return tf.raw_ops.SoftplusGrad(gradients=dy, features=x)
    bx = _times_beta(x, beta)
    return tf.where(bx > _const(threshold, x), dy, dy * tf.sigmoid(bx))


@define_activation(
    backward=_softplus_backward,
    keep="x",
    params={"beta": Real(min=0.0, min_open=True), "threshold": Real()},
    formula="log(1 + exp(beta x)) / beta; x where beta x > threshold",
    output_range="(0, inf)",
    monotonic=True,
    smooth=True,
    **_catalog,
)
def softplus(x, beta=1.0, threshold=20.0):
    """Softplus, `log(1 + exp(beta x)) / beta`, stable for any `x`.

    As PyTorch's, it is the identity where `beta * x > threshold` (where the
    two differ by less than `exp(-threshold) / beta`), gradient 1 there.
    """
    if _native_softplus_suffices(x, beta, threshold):
        return tf.math.softplus(x)
    bx = _times_beta(x, beta)
    soft = _softplus_of(bx)
    if beta != 1.0:
        soft = soft / _const(beta, x)
    return tf.where(bx > _const(threshold, x), x, soft)


def _log_sigmoid_backward(dy, x, y):
    return dy * tf.sigmoid(_negated(x))


@define_activation(
    backward=_log_sigmoid_backward,
    keep="x",
    params={},
    formula="-softplus(-x)",
    output_range="(-inf, 0)",
    monotonic=True,
    smooth=True,
    **_catalog,
)
def log_sigmoid(x):
    """`log(sigmoid(x))`, stable for any `x`."""
    return -_softplus_of(-x)


def _softsign_backward(dy, x, y):
    return tf.raw_ops.SoftsignGrad(gradients=dy, features=x)


@define_activation(
    backward=_softsign_backward,
    keep="x",
    params={},
    formula="x / (1 + abs(x))",
    output_range="(-1, 1)",
    monotonic=True,
    smooth=True,
    **_catalog,
)
def softsign(x):
    """`x / (1 + abs(x))`; +-1 at +-inf."""
    # At the dtype's largest finite value softsign already rounds to +-1, so
    # clamping infinities there gives the limit (inf / inf would be NaN).
    big = _const(x.dtype.max, x)
    return tf.nn.softsign(tf.clip_by_value(x, -big, big))


def _widened(x):
    """float16 and bfloat16 computed in float32 (no x^2 overflow, 0.5 ulp)."""
    if x.dtype in (tf.float16, tf.bfloat16):
        return tf.cast(x, tf.float32)
    return x


# Beyond this |x|, b is lost against x^2 to the last bit, and x^2 is close to
# overflowing: |x| stands in for sqrt(x^2 + b) there.
_SQUAREPLUS_BIG = {tf.float64: 1e150}
_SQUAREPLUS_BIG_DEFAULT = 1e18


def _squareplus_keep(b):
    # For b > 0 the output alone gives the slope; with b == 0 (relu with 1/2
    # at 0) y == 0 cannot tell x == 0 from x < 0.
    return "y" if b > 0 else "x"


def _squareplus_backward(dy, x, y, b):
    if y is None:  # b == 0: (1 + sign(x)) / 2, NaN for NaN
        half = _const(0.5, x)
        return dy * (half + half * tf.sign(x))
    # With s = sqrt(x^2 + b), s - x = (b / 2) / y, so s = y + (b / 4) / y and
    # the slope (1 + x / s) / 2 = y / s = y^2 / (y^2 + b / 4): all terms
    # positive, no cancellation; y^2 capped so that it never overflows to
    # inf / inf. One division: on a small tensor each division is a kernel
    # that TensorFlow splits across threads (tens of microseconds on 2 cores).
    # Where y^2 is subnormal (flushed to 0) so is the slope but for b < 4:
    # there it flushes to 0 below FLT_MIN * 4 / b.
    w = _widened(y)
    square = tf.minimum(w * w, _const(w.dtype.max, w))
    slope = square / (square + _const(0.25 * b, w))
    return dy * tf.cast(slope, dy.dtype)


@define_activation(
    backward=_squareplus_backward,
    keep=_squareplus_keep,
    params={"b": Real(min=0.0)},
    formula="(x + sqrt(x^2 + b)) / 2",
    output_range="(0, inf)",
    monotonic=True,
    smooth=True,
    **_catalog,
)
def squareplus(x, b=4):
    """Squareplus, `(x + sqrt(x^2 + b)) / 2`: a softplus from square roots.

    Stable for any finite `x`: no overflow of `x^2`, and no cancellation for
    negative `x` (computed as `b / (2 (sqrt(x^2 + b) - x))` there). float16
    and bfloat16 compute in float32 and round once.
    """
    dtype = x.dtype
    x = _widened(x)
    a = tf.abs(x)
    big = _const(_SQUAREPLUS_BIG.get(x.dtype, _SQUAREPLUS_BIG_DEFAULT), x)
    c = tf.minimum(a, big)
    s = tf.maximum(tf.sqrt(c * c + _const(b, x)), a)  # sqrt(x^2 + b)
    half = _const(0.5, x)
    m = half * a + half * s  # (|x| + s) / 2 without overflow: y where x >= 0
    # For x < 0, (x + s) / 2 == (b / 4) / m: no cancellation.
    y = tf.where(x >= 0, m, _const(0.25 * b, x) / m)
    return tf.cast(y, dtype)


# -- sparse_plus, sparse_sigmoid ---------------------------------------------


def _sparse_plus_backward(dy, x, y):
    one = _const(1.0, x)
    slope = tf.where(
        x <= -one,
        tf.zeros_like(x),
        tf.where(x < one, _const(0.5, x) * (x + one), tf.ones_like(x)),
    )
    return dy * slope


@define_activation(
    backward=_sparse_plus_backward,
    keep="x",
    params={},
    formula="0 if x <= -1; (x + 1)^2 / 4 if -1 < x < 1; x if x >= 1",
    output_range="[0, inf)",
    monotonic=True,
    smooth=True,
    **_catalog,
)
def sparse_plus(x):
    """A piecewise-quadratic softplus, continuously differentiable."""
    one = _const(1.0, x)
    xp1 = x + one
    return tf.where(
        x <= -one,
        tf.zeros_like(x),
        tf.where(x < one, _const(0.25, x) * xp1 * xp1, x),
    )


def _sparse_sigmoid_backward(dy, x, y):
    one = _const(1.0, x)
    inside = tf.logical_and(x > -one, x < one)
    return tf.where(inside, _const(0.5, x) * dy, tf.zeros_like(dy))


@define_activation(
    backward=_sparse_sigmoid_backward,
    keep="x",
    params={},
    formula="0 if x <= -1; 1 if x >= 1; else (x + 1) / 2",
    output_range="[0, 1]",
    monotonic=True,
    smooth=False,
    **_catalog,
)
def sparse_sigmoid(x):
    """A piecewise-linear sigmoid; the gradient is 0 at -1 and 1."""
    one = _const(1.0, x)
    return tf.where(
        x <= -one,
        tf.zeros_like(x),
        tf.where(x >= one, tf.ones_like(x), _const(0.5, x) * (x + one)),
    )


# -- exponential, linear -----------------------------------------------------


def _exponential_backward(dy, x, y):
    return dy * y


@define_activation(
    backward=_exponential_backward,
    keep="y",
    params={},
    formula="exp(x)",
    output_range="(0, inf)",
    monotonic=True,
    smooth=True,
    **_catalog,
)
def exponential(x):
    """`exp(x)`."""
    return tf.exp(x)


def _linear_backward(dy, x, y):
    return dy


@define_activation(
    backward=_linear_backward,
    keep="",
    params={},
    formula="x",
    output_range="(-inf, inf)",
    monotonic=True,
    smooth=True,
    **_catalog,
)
def linear(x):
    """The identity."""
    return tf.identity(x)


# -- tanh_shrink -------------------------------------------------------------


def _tanh_shrink_backward(dy, x, y):
    t = tf.tanh(x)
    return dy * t * t


@define_activation(
    backward=_tanh_shrink_backward,
    keep="x",
    params={},
    layer="TanhShrink",
    formula="x - tanh(x)",
    output_range="(-inf, inf)",
    monotonic=True,
    smooth=True,
    **_catalog,
)
def tanh_shrink(x):
    """`x - tanh(x)`; its gradient is `tanh(x)^2`.

    The difference cancels for small `x` (it is about `x^3 / 3`), losing
    digits up to `|x| ~ 2`; there it is the rational function that Lambert's
    continued fraction `tanh x = x / (1 + x^2 / (3 + x^2 / (5 + ...)))` gives:
    a few ulp everywhere. float16 and bfloat16 compute in float32.
    """

    def forward(x):
        cutoff, numerator, denominator = _TANH_SHRINK_RATIONAL.get(
            x.dtype, _TANH_SHRINK_RATIONAL_DEFAULT
        )
        u = x * x
        small = x * u * (_horner(numerator, u) / _horner(denominator, u))
        return tf.where(tf.abs(x) < _const(cutoff, x), small, x - tf.tanh(x))

    return _in_float32_if_half(forward, x)


def _horner(coefficients, u):
    """The polynomial with these coefficients (lowest degree first) at u."""
    *rest, last = coefficients
    value = _const(last, u)
    for c in reversed(rest):
        value = value * u + _const(c, u)
    return value


def _lambert_rational(depth):
    """(x - tanh x) / x^3 as m(u) / p(u), u = x^2, from Lambert's continued
    fraction cut after `depth` levels below 3: with D = 3 + u / (5 + u / (...
    (2 depth + 3))) = n / m, tanh x = x D / (D + u), so x - tanh x =
    x u m / (n + u m). Integer coefficients, lowest degree first: exact in
    float32 up to depth 5 (float64: 10), and all positive, so nothing cancels."""
    n, m = [2.0 * depth + 3.0], [1.0]
    for k in range(2 * depth + 1, 1, -2):  # D <- k + u / D
        n, m = _polynomial_sum([k * c for c in n], [0.0] + m), n
    return m, _polynomial_sum(n, [0.0] + m)


def _polynomial_sum(a, b):
    size = max(len(a), len(b))
    return [x + y for x, y in zip(a + [0.0] * (size - len(a)), b + [0.0] * (size - len(b)))]


# (cutoff, m, p): below the cutoff the rational function, above it x - tanh(x),
# which has lost under 2 bits there. At most ~4 ulp over every x in float32
# (and so the half types), ~3.5 in float64 (measured against long double),
# where x - tanh(x) alone loses every digit near 0.
_TANH_SHRINK_RATIONAL = {tf.float64: (1.5, *_lambert_rational(10))}
_TANH_SHRINK_RATIONAL_DEFAULT = (2.0, *_lambert_rational(5))


# -- hard_sigmoid, hard_silu (hard_swish), hard_mish -------------------------


def _hard_sigmoid_backward(dy, x, y):
    # As TensorFlow differentiates Keras's relu6(x + 3) / 6: the mask is taken
    # on the rounded x + 3, strictly inside (0, 6).
    z = x + _const(3.0, x)
    return tf.raw_ops.Relu6Grad(gradients=dy / _const(6.0, x), features=z)


@define_activation(
    backward=_hard_sigmoid_backward,
    keep="x",
    params={},
    formula="relu6(x + 3) / 6",
    output_range="[0, 1]",
    monotonic=True,
    smooth=False,
    **_catalog,
)
def hard_sigmoid(x):
    """Piecewise-linear sigmoid (Keras 3's form); float64 math for float64."""
    return tf.nn.relu6(x + _const(3.0, x)) / _const(6.0, x)


def _hard_silu_backward(dy, x, y):
    z = x + _const(3.0, x)
    h = tf.nn.relu6(z) / _const(6.0, x)
    # Relu6Grad multiplies by its mask: inf * 0 at +-inf; select instead.
    inside = tf.logical_and(z > 0, z < _const(6.0, x))
    inner = tf.where(inside, x / _const(6.0, x), tf.zeros_like(x))
    return dy * (h + inner)


@define_activation(
    backward=_hard_silu_backward,
    keep="x",
    params={},
    layer="HardSiLU",
    aliases={"hard_swish": "HardSwish"},
    formula="x * relu6(x + 3) / 6",
    output_range="[-0.375, inf)",
    monotonic=False,
    smooth=False,
    **_catalog,
)
def hard_silu(x):
    """Hard SiLU (hard swish): `x * hard_sigmoid(x)`; 0 at `-inf`."""
    return _tamed(x, upper=False) * (tf.nn.relu6(x + _const(3.0, x)) / _const(6.0, x))


hard_swish = hard_silu


def _hard_mish_backward(dy, x, y):
    # PyTorch's hardswish convention at the lower kink: the middle branch.
    slope = tf.where(
        x < _const(-2.0, x),
        tf.zeros_like(x),
        tf.where(x <= 0, x + _const(1.0, x), tf.ones_like(x)),
    )
    return dy * slope


@define_activation(
    backward=_hard_mish_backward,
    keep="x",
    params={},
    formula="0.5 x clip(x + 2, 0, 2)",
    output_range="[-0.5, inf)",
    monotonic=False,
    smooth=False,
    **_catalog,
)
def hard_mish(x):
    """Hard Mish: `0.5 x clip(x + 2, 0, 2)`; 0 at `-inf`."""
    clipped = tf.clip_by_value(x + _const(2.0, x), _const(0.0, x), _const(2.0, x))
    return _tamed(x, upper=False) * (_const(0.5, x) * clipped)


# -- hard_shrink, soft_shrink ------------------------------------------------


def _shrink_backward(dy, x, y, threshold):
    return tf.where(tf.abs(x) <= _const(threshold, x), tf.zeros_like(dy), dy)


@define_activation(
    backward=_shrink_backward,
    keep="x",
    params={"threshold": Real(min=0.0)},
    formula="x if abs(x) > threshold else 0",
    output_range="{0} and abs(y) > threshold",
    monotonic=False,
    smooth=False,
    **_catalog,
)
def hard_shrink(x, threshold=0.5):
    """`x` where `abs(x) > threshold`, else 0; NaN stays NaN (unlike Keras)."""
    return tf.where(tf.abs(x) <= _const(threshold, x), tf.zeros_like(x), x)


@define_activation(
    backward=_shrink_backward,
    keep="x",
    params={"threshold": Real(min=0.0)},
    formula="x - threshold if x > threshold; x + threshold if x < -threshold; else 0",
    output_range="(-inf, inf)",
    monotonic=True,
    smooth=False,
    **_catalog,
)
def soft_shrink(x, threshold=0.5):
    """Soft thresholding towards 0; NaN stays NaN (unlike Keras)."""
    t = _const(threshold, x)
    return tf.where(tf.abs(x) <= t, tf.zeros_like(x), x - tf.sign(x) * t)

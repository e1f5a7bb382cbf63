"""Gated linear units: a gate of the first half times the second half.

swiglu, geglu, reglu. ``x`` splits into halves ``a, b`` along ``axis`` and
the output is ``gate(a) * b``, half the input's size along ``axis``: the
feed-forward activations of today's transformer blocks, after one
``Dense(2 * hidden)``.

The gate takes the *first* half: the convention of "GLU Variants Improve
Transformer" (Shazeer, 2020), of PyTorch's proposed SwiGLU and of the fused
kernels of LLM inference engines. A model that keeps the gate and up
projections as two matrices (LLaMA's ``gate_proj``, ``up_proj``) is one
``Dense(2 * hidden)`` whose kernel is the two concatenated, gate first.
glu (normalizers) is the opposite: ``a * sigmoid(b)``, gate second, as in
Dauphin et al. (2017) and PyTorch's ``nn.GLU``.

Like glu they change the shape, so they have no string: use the layer after
a layer twice as wide (``Dense(2 * hidden)``, then ``SwiGLU()``).

The backward pass keeps ``x``, one tensor of the input's size: it needs
both halves (``da = dy * gate'(a) * b``, ``db = dy * gate(a)``), which the
output, half the size, cannot give back; the gate and its slope are
recomputed from ``a``. Autodiff of the same formula keeps both halves and
the gate's own intermediates besides (examples/transformer_block.py counts
them).
"""

import math

from keras_acts import backend
from keras_acts.backend import ops
from keras_acts.engine.define import backward_of, define_builtin
from keras_acts.engine.layer_bases import ReshapingLayer
from keras_acts.families import gated
from keras_acts.numerics import (
    const,
    eager_kernel,
    halved_shape,
    halves,
    in_float32,
    joined,
    recomputed_from,
    sigmoid_and_slope_by_division,
    tamed,
    under_xla,
)
from keras_acts.params import Axis, Boolean


def _gated(x, axis, gate, kernel):
    """``gate(a) * b``; half types in float32, rounded once: the gates
    compute there anyway (silu's and gelu's own rows do), and the product
    then rounds once instead of twice. Eager PyTorch runs ``kernel``, the
    gate's own kernel on views of the halves (``numerics.eager_kernel``);
    none for reglu, whose formula is already two kernels and whose finite
    output does not say that ``x`` is finite (``relu(-inf) * 1`` is 0)."""

    def forward(x):
        a, b = halves(x, axis)
        return gate(a) * b

    return in_float32(lambda x: eager_kernel(kernel, forward, x, axis=axis), x)


def _gated_backward(dy, x, axis, gate_and_slope, kernel):
    """``(dy * gate'(a) * b, dy * gate(a))``, joined as ``x`` is.

    ``(dy * gate'(a)) * b`` in that order: the slope is at most ~1.13, so
    only the last product can overflow, and only where the gradient does
    (``dy * b`` first overflows near the dtype's largest ``b`` where the
    gradient is still finite). Half types in float32, as the forward."""

    def slopes(dy, x):
        a, b = halves(recomputed_from(x), axis)
        gate, slope = gate_and_slope(a)
        return joined((dy * slope) * b, dy * gate, axis, x)

    return in_float32(lambda dy, x: eager_kernel(kernel, slopes, dy, x, axis=axis), dy, x)


# -- swiglu ------------------------------------------------------------------
# What every gated unit declares alike.
_GATED_UNIT = dict(
    keep="x",
    layer_base=ReshapingLayer,
    output_range="(-inf, inf)",
    monotonic=False,
    reference='Shazeer, 2020, "GLU Variants Improve Transformer"',
)


def _silu_and_slope(a):
    """silu(a) and its slope from one exp: ``a s`` and ``s + a s (1 - s)``;
    ``a`` tamed so that the slope is 0, not NaN, at -inf, and silu is +inf
    at +inf."""
    s, slope = sigmoid_and_slope_by_division(a)
    return tamed(a, upper=False) * s, s + tamed(a) * slope


@define_builtin(
    **_GATED_UNIT,
    validators={"axis": Axis(allow_tuple=False)},
    layer="SwiGLU",
    output_shape=halved_shape("swiglu"),
    formula="silu(a) * b, where a, b = x split in halves along axis (gate first)",
    smooth=True,
    example_output=((1.4621, -0.8068),),
)
def swiglu(x, axis=-1):
    """SwiGLU (Shazeer, 2020): `silu(a) * b`, where `a` and `b` are the first
    and second halves of `x` along `axis`.

    The gate takes the first half (LLaMA's `gate_proj`), the opposite of
    glu's `a * sigmoid(b)`. The output's `axis` is half the input's; an odd
    size is a ValueError (raised when the layer is built, where the shape is
    known). silu is the catalog's own (its limits: 0 at `-inf`).
    """
    halved_shape("swiglu")(x.shape, axis)
    return _gated(x, axis, gated.silu.spec.forward, "swiglu")


@backward_of(swiglu)
def _swiglu_backward(dy, x, y, axis):
    return _gated_backward(dy, x, axis, _silu_and_slope, "swiglu_backward")


# -- geglu -------------------------------------------------------------------
_GELU_C = 0.044715
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)


def _kept_whole(gelu):
    """gelu's value as one tensor that TensorFlow's graph optimizer cannot
    take apart (a no-op maximum, gelu being above -0.17; NaN stays NaN).

    Exact gelu is ``t * (0.5 * erfc(z))``, and grappler (its constant
    folding with its arithmetic optimizer) rewrites ``that * b`` to
    ``(0.5 * t) * (erfc(z) * b)``: erfc goes up to 2, so ``b`` beyond half
    the dtype's largest overflowed in a tf.function where eager and XLA gave
    the finite product (a = 0.01, b = -3.4e38 in float32: -inf for
    -1.7e36). XLA and the other backends keep the product as written (eager
    and XLA gave the finite one): only TensorFlow's plain graphs pay the one
    extra kernel."""
    if not backend.is_tensorflow() or under_xla():
        return gelu
    return ops.maximum(gelu, const(-1.0, gelu))


def _gelu_and_slope(approximate):
    """gelu(a) and its slope from one evaluation of the normal cdf (or of the
    tanh form's sigmoid), as gelu's own forward and backward compute them
    apart: ``a cdf`` and ``cdf + a pdf``, the tails tamed as there."""

    def exact(a):
        cdf = const(0.5, a) * ops.erfc(a * const(-1.0 / math.sqrt(2.0), a))
        pdf = const(1.0 / math.sqrt(2.0 * math.pi), a) * ops.exp(const(-0.5, a) * a * a)
        return _kept_whole(tamed(a, upper=False) * cdf), cdf + tamed(a) * pdf

    def tanh_form(a):
        # 0.5 (1 + tanh(z)) == sigmoid(2 z): no cancellation for negative a.
        k = const(2.0 * _SQRT_2_OVER_PI, a)
        s, slope = sigmoid_and_slope_by_division(k * (a + const(_GELU_C, a) * a * a * a))
        t = tamed(a)
        dz = k * (const(1.0, a) + const(3.0 * _GELU_C, a) * t * t)
        return tamed(a, upper=False) * s, s + t * dz * slope

    return tanh_form if approximate else exact


@define_builtin(
    **_GATED_UNIT,
    validators={"axis": Axis(allow_tuple=False), "approximate": Boolean()},
    layer="GeGLU",
    output_shape=halved_shape("geglu"),
    formula=(
        "gelu(a, approximate) * b, where a, b = x split in halves along axis (gate first)"
    ),
    smooth=True,
    example_output=((1.6827, -0.476),),
)
def geglu(x, axis=-1, approximate=False):
    """GeGLU (Shazeer, 2020): `gelu(a) * b`, where `a` and `b` are the first
    and second halves of `x` along `axis`; `approximate=True` gates with the
    tanh form of gelu (Gemma's).

    The gate takes the first half, the opposite of glu's `a * sigmoid(b)`.
    The output's `axis` is half the input's; an odd size is a ValueError.
    The gate is the catalog's gelu, forms included: the exact one keeps its
    negative tail (erfc), and exported graphs take its portable form, which
    TFLite fuses into its GELU op.
    """
    halved_shape("geglu")(x.shape, axis)

    def gate(a):
        value = gated.gelu.spec.forward(a, approximate=approximate)
        return value if approximate else _kept_whole(value)

    return _gated(x, axis, gate, "geglu_tanh" if approximate else "geglu")


@backward_of(geglu)
def _geglu_backward(dy, x, y, axis, approximate):
    kernel = "geglu_tanh_backward" if approximate else "geglu_backward"
    return _gated_backward(dy, x, axis, _gelu_and_slope(approximate), kernel)


# -- reglu -------------------------------------------------------------------
def _relu_and_slope(a):
    # sign(relu(a)): 1 above 0, 0 at and below (TensorFlow's relu gradient at
    # 0), NaN at NaN, so that NaN in gives NaN out in the gradient too.
    r = ops.relu(a)
    return r, ops.sign(r)


@define_builtin(
    **_GATED_UNIT,
    validators={"axis": Axis(allow_tuple=False)},
    layer="ReGLU",
    output_shape=halved_shape("reglu"),
    formula="relu(a) * b, where a, b = x split in halves along axis (gate first)",
    smooth=False,
    example_output=((2.0, 0.0),),
)
def reglu(x, axis=-1):
    """ReGLU (Shazeer, 2020): `relu(a) * b`, where `a` and `b` are the first
    and second halves of `x` along `axis`.

    The gate takes the first half, the opposite of glu's `a * sigmoid(b)`.
    The output's `axis` is half the input's; an odd size is a ValueError.
    The gradient through the gate at `a == 0` is 0, as TensorFlow's relu's.
    """
    halved_shape("reglu")(x.shape, axis)
    return _gated(x, axis, ops.relu, kernel=None)


@backward_of(reglu)
def _reglu_backward(dy, x, y, axis):
    return _gated_backward(dy, x, axis, _relu_and_slope, kernel=None)

"""Self-gated activations: x times a gate of x that goes from 0 to 1.

gelu, silu (swish), quick_gelu, mish, lisht, hard_silu (hard_swish), hard_mish.
"""

import math

from keras_acts import numerics
from keras_acts.backend import ops
from keras_acts.engine.define import backward_of, define_builtin, portable_form_of
from keras_acts.numerics import const, in_float32, sigmoid_and_slope, tamed
from keras_acts.params import Boolean


# -- gelu --------------------------------------------------------------------

_GELU_C = 0.044715


_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)


def _gelu_approx_z2(x):
    # 0.5 * (1 + tanh(z)) == sigmoid(2 z): no cancellation for negative x.
    return const(2.0 * _SQRT_2_OVER_PI, x) * (x + const(_GELU_C, x) * x * x * x)


@define_builtin(
    keep="x",
    validators={"approximate": Boolean()},
    layer="GELU",
    formula=(
        "0.5 x (1 + erf(x / sqrt(2))); approximate: "
        "0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3)))"
    ),
    output_range="[-0.17, inf)",
    monotonic=False,
    smooth=True,
    reference='Hendrycks & Gimpel, 2016, "Gaussian Error Linear Units (GELUs)"',
    example_output=(-0.0455, -0.1543, 0.0, 0.3457, 1.9545),
)
def gelu(x, approximate=False):
    """Gaussian error linear unit, exact or with the tanh approximation.

    Unlike Keras, float64 inputs compute with float64 constants, and the
    negative tail keeps full precision (erfc, not 1 + erf), but on PyTorch:
    there PyTorch's own gelu kernels run, at under a third of the formula's
    time, and their 1 + erf makes the negative tail exact only absolutely (up
    to 1.1e-6 in float32, near x = -3.5, and 0 from x = -5.54 down, where the
    value is above -1.7e-7; 2.3e-16 in float64). Half types compute in
    float32 (float16's own erfc was 13 ulp off, bfloat16's 80).
    """
    return _gelu(x, approximate, _gelu_with_erfc)


@portable_form_of(gelu)
def _gelu_portable(x, approximate=False):
    """gelu in exported graphs: the exact form with erf (``_gelu_with_erf``)."""
    return _gelu(x, approximate, _gelu_with_erf)


@backward_of(gelu)
def _gelu_backward(dy, x, y, approximate):
    name = "gelu_tanh_backward" if approximate else "gelu_backward"
    return numerics.eager_kernel(name, lambda dy, x: _gelu_slope(dy, x, approximate), dy, x)


def _gelu_slope(dy, x, approximate):
    x = numerics.recomputed_from(x)
    if approximate:
        s, slope = sigmoid_and_slope(_gelu_approx_z2(x))
        t = tamed(x)
        dz2 = const(2.0 * _SQRT_2_OVER_PI, x) * (
            const(1.0, x) + const(3.0 * _GELU_C, x) * t * t
        )
        return dy * (s + t * dz2 * slope)
    cdf = const(0.5, x) * ops.erfc(-x * const(1.0 / math.sqrt(2.0), x))
    pdf = const(1.0 / math.sqrt(2.0 * math.pi), x) * ops.exp(
        const(-0.5, x) * x * x
    )
    return dy * (cdf + tamed(x) * pdf)


def _gelu(x, approximate, exact):
    name = "gelu_tanh" if approximate else "gelu"
    return in_float32(
        lambda x: numerics.eager_kernel(name, lambda x: _gelu_forward(x, approximate, exact), x),
        x,
    )


def _gelu_forward(x, approximate, exact):
    if approximate:
        return tamed(x, upper=False) * numerics.sigmoid(_gelu_approx_z2(x))
    return exact(x)


def _gelu_with_erfc(x):
    cdf = const(0.5, x) * ops.erfc(-x * const(1.0 / math.sqrt(2.0), x))
    return tamed(x, upper=False) * cdf


def _gelu_with_erf(x):
    """Exact gelu as ``(x * 0.5) * (1 + erf(x / sqrt 2))``, for portable
    graphs: the one form that TFLite's converter fuses into its GELU op
    (erfc has no TFLite op) and that tf2onnx maps (Erf; ONNX has no Erfc).
    The price is the far negative tail, where 1 + erf cancels: absolute error
    up to ~3e-8 |x| in float32, so below x ~ -5.5 the output is 0 where erfc
    gives ~-1e-7 and less. ``x`` is clamped first, so that -inf still gives
    the limit 0."""
    t = tamed(x, upper=False)
    half, one = const(0.5, x), const(1.0, x)
    # TensorFlow's float64 erf gives NaN at +inf; float64 never reaches
    # TFLite, so clamping its argument costs no fused op.
    z = tamed(x) if ops.dtype_name(x) == "float64" else t
    return (t * half) * (one + ops.erf(z * const(1.0 / math.sqrt(2.0), x)))


# -- silu (swish), quick_gelu, mish, lisht ------------------------------------
@define_builtin(
    keep="x",
    validators={},
    layer="SiLU",
    aliases={"swish": "Swish"},
    formula="x * sigmoid(x)",
    output_range="[-0.279, inf)",
    monotonic=False,
    smooth=True,
    reference=(
        'Elfwing, Uchibe & Doya, 2018, "Sigmoid-Weighted Linear Units for Neural '
        'Network Function Approximation in Reinforcement Learning"; swish: '
        'Ramachandran, Zoph & Le, 2017, "Searching for Activation Functions"'
    ),
    example_output=(-0.2384, -0.1888, 0.0, 0.3112, 1.7616),
)
def silu(x):
    """Sigmoid linear unit (swish): `x * sigmoid(x)`; 0 at `-inf`. Half
    types compute in float32 (float16's own product was 6 ulp off)."""
    return in_float32(lambda x: numerics.eager_kernel("silu", _silu_formula, x), x)


@backward_of(silu)
def _silu_backward(dy, x, y):
    return numerics.eager_kernel("silu_backward", _silu_slope, dy, x)


def _silu_slope(dy, x):
    s, slope = sigmoid_and_slope(x)
    return dy * (s + tamed(x) * slope)


def _silu_formula(x):
    return tamed(x, upper=False) * numerics.sigmoid(x)


swish = silu

_QUICK_GELU_K = 1.702


@define_builtin(
    keep="x",
    validators={},
    layer="QuickGELU",
    formula="x * sigmoid(1.702 x)",
    output_range="[-0.164, inf)",
    monotonic=False,
    smooth=True,
    reference=(
        'Hendrycks & Gimpel, 2016, "Gaussian Error Linear Units (GELUs)" (its sigmoid '
        'approximation, as CLIP uses it: Radford et al., 2021, "Learning Transferable '
        'Visual Models From Natural Language Supervision")'
    ),
    example_output=(-0.0643, -0.1496, 0.0, 0.3504, 1.9357),
)
def quick_gelu(x):
    """The sigmoid approximation of GELU: `x * sigmoid(1.702 x)`. Half types
    compute in float32 (their own arithmetic was 11 ulp off)."""
    return in_float32(
        lambda x: tamed(x, upper=False) * numerics.sigmoid(const(_QUICK_GELU_K, x) * x), x
    )


@backward_of(quick_gelu)
def _quick_gelu_backward(dy, x, y):
    k = const(_QUICK_GELU_K, x)
    s, slope = sigmoid_and_slope(k * x)
    return dy * (s + k * tamed(x) * slope)


# With w = exp(x), tanh(softplus(x)) = n / (n + 2) where n = w (w + 2): one
# exp instead of exp, log1p and tanh. Clamping x at the top keeps w finite
# once the ratio is 1 to the last bit (x >= 20 in float32, 40 in float64);
# clamping the factor x at the bottom, where w is already 0, keeps -inf * 0
# out. Each pass divides once and uses the quotient once: XLA's CPU fusion
# keeps a reused divide (or exp) in a tensor of its own, a write and a read
# more. Half types compute in float32.
_MISH_CLAMP = {"float64": (-750.0, 40.0)}
_MISH_CLAMP_DEFAULT = (-110.0, 20.0)


def _mish_terms(x):
    lo, hi = _MISH_CLAMP.get(ops.dtype_name(x), _MISH_CLAMP_DEFAULT)
    w = ops.exp(ops.minimum(x, const(hi, x)))
    n = w * (w + const(2.0, x))
    return w, n, n + const(2.0, x), const(lo, x), const(hi, x)


@define_builtin(
    keep="x",
    validators={},
    formula="x * tanh(softplus(x))",
    output_range="[-0.309, inf)",
    monotonic=False,
    smooth=True,
    reference='Misra, 2019, "Mish: A Self Regularized Non-Monotonic Activation Function"',
    example_output=(-0.2525, -0.2207, 0.0, 0.3752, 1.944),
)
def mish(x):
    """Mish: `x * tanh(softplus(x))`; 0 at `-inf`. On PyTorch, PyTorch's
    own mish kernels run (within 1.5 ulp, as the formula; 0.4x the formula's
    time there, whose ops each make a fresh tensor)."""
    return in_float32(lambda x: numerics.eager_kernel("mish", _mish_formula, x), x)


@backward_of(mish)
def _mish_backward(dy, x, y):
    return in_float32(lambda dy, x: numerics.eager_kernel("mish_backward", _mish_slope, dy, x), dy, x)


def _mish_slope(dy, x):
    x = numerics.recomputed_from(x)
    w, n, d, lo, hi = _mish_terms(x)
    xc = ops.clip(x, lo, hi)
    # d/dx x n/d = n/d + 4 x w (w + 1) / d^2, over one denominator
    slope = (n * d + const(4.0, x) * xc * w * (w + const(1.0, x))) / (d * d)
    return dy * slope


def _mish_formula(x):
    _, n, d, lo, _ = _mish_terms(x)
    return ops.maximum(x, lo) * (n / d)


@define_builtin(
    keep="x",
    validators={},
    layer="LiSHT",
    formula="x * tanh(x)",
    output_range="[0, inf)",
    monotonic=False,
    smooth=True,
    reference=(
        'Roy, Manna, Dubey & Chaudhuri, 2019, "LiSHT: Non-Parametric Linearly Scaled '
        'Hyperbolic Tangent Activation Function for Neural Networks"'
    ),
    example_output=(1.9281, 0.2311, 0.0, 0.2311, 1.9281),
)
def lisht(x):
    """Linearly scaled hyperbolic tangent: `x * tanh(x)`."""
    return x * ops.tanh(x)


@backward_of(lisht)
def _lisht_backward(dy, x, y):
    t = ops.tanh(x)
    return dy * (t + tamed(x) * (const(1.0, x) - t * t))


# -- hard_silu (hard_swish), hard_mish ----------------------------------------
@define_builtin(
    keep="x",
    validators={},
    layer="HardSiLU",
    aliases={"hard_swish": "HardSwish"},
    formula="x * relu6(x + 3) / 6",
    output_range="[-0.375, inf)",
    monotonic=False,
    smooth=False,
    reference='Howard et al., 2019, "Searching for MobileNetV3"',
    example_output=(-0.3333, -0.2083, 0.0, 0.2917, 1.6667),
)
def hard_silu(x):
    """Hard SiLU (hard swish): `x * hard_sigmoid(x)`; 0 at `-inf`."""
    return tamed(x, upper=False) * (ops.relu6(x + const(3.0, x)) / const(6.0, x))


@backward_of(hard_silu)
def _hard_silu_backward(dy, x, y):
    z = x + const(3.0, x)
    h = ops.relu6(z) / const(6.0, x)
    # Relu6Grad multiplies by its mask: inf * 0 at +-inf; select instead.
    inside = ops.logical_and(z > 0, z < const(6.0, x))
    inner = ops.where(inside, x / const(6.0, x), ops.zeros_like(x))
    return dy * (h + inner)


hard_swish = hard_silu


@define_builtin(
    keep="x",
    validators={},
    formula="0.5 x clip(x + 2, 0, 2)",
    output_range="[-0.5, inf)",
    monotonic=False,
    smooth=False,
    reference=(
        'a piecewise approximation of Mish (Misra, 2019, "Mish: A Self Regularized '
        'Non-Monotonic Activation Function") in the manner of hard swish (Howard et '
        'al., 2019, "Searching for MobileNetV3")'
    ),
    example_output=(-0.0, -0.375, 0.0, 0.5, 2.0),
    branch_slope_at_nan=True,
)
def hard_mish(x):
    """Hard Mish: `0.5 x clip(x + 2, 0, 2)`; 0 at `-inf`."""
    clipped = ops.clip(x + const(2.0, x), const(0.0, x), const(2.0, x))
    return tamed(x, upper=False) * (const(0.5, x) * clipped)


@backward_of(hard_mish)
def _hard_mish_backward(dy, x, y):
    # PyTorch's hardswish convention at the lower kink: the middle branch.
    slope = ops.where(
        x < const(-2.0, x),
        ops.zeros_like(x),
        ops.where(x <= 0, x + const(1.0, x), ops.ones_like(x)),
    )
    return dy * slope

"""Shrinkage: 0 (or nearly) around 0, x moved towards 0 outside.

hard_shrink, soft_shrink, tanh_shrink.
"""

from keras_acts.backend import ops
from keras_acts.engine.define import backward_of, define_builtin
from keras_acts.numerics import const, horner, in_float32
from keras_acts.params import Real


# -- hard_shrink, soft_shrink ------------------------------------------------
@define_builtin(
    keep="x",
    validators={"threshold": Real(min=0.0)},
    formula="x if abs(x) > threshold else 0",
    output_range="{0} and abs(y) > threshold",
    monotonic=False,
    smooth=False,
    reference='Donoho & Johnstone, 1994, "Ideal spatial adaptation by wavelet shrinkage"',
    example_output=(-2.0, 0.0, 0.0, 0.0, 2.0),
    branch_slope_at_nan=True,
)
def hard_shrink(x, threshold=0.5):
    """`x` where `abs(x) > threshold`, else 0; NaN stays NaN (unlike Keras)."""
    return ops.where(ops.abs(x) <= const(threshold, x), ops.zeros_like(x), x)


@backward_of(hard_shrink)
def _shrink_backward(dy, x, y, threshold):
    return ops.where(ops.abs(x) <= const(threshold, x), ops.zeros_like(dy), dy)


@define_builtin(
    keep="x",
    validators={"threshold": Real(min=0.0)},
    formula="x - threshold if x > threshold; x + threshold if x < -threshold; else 0",
    output_range="(-inf, inf)",
    monotonic=True,
    smooth=False,
    reference='Donoho, 1995, "De-noising by soft-thresholding"',
    example_output=(-1.5, 0.0, 0.0, 0.0, 1.5),
    branch_slope_at_nan=True,
)
def soft_shrink(x, threshold=0.5):
    """Soft thresholding towards 0; NaN stays NaN (unlike Keras)."""
    t = const(threshold, x)
    return ops.where(ops.abs(x) <= t, ops.zeros_like(x), x - ops.sign(x) * t)


backward_of(soft_shrink)(_shrink_backward)  # hard_shrink's: the same mask


# -- tanh_shrink -------------------------------------------------------------
@define_builtin(
    keep="x",
    validators={},
    layer="TanhShrink",
    formula="x - tanh(x)",
    output_range="(-inf, inf)",
    monotonic=True,
    smooth=True,
    reference="no paper: PyTorch's `torch.nn.Tanhshrink`",
    example_output=(-1.036, -0.0379, 0.0, 0.0379, 1.036),
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
            ops.dtype_name(x), _TANH_SHRINK_RATIONAL_DEFAULT
        )
        u = x * x
        small = x * u * (horner(numerator, u) / horner(denominator, u))
        return ops.where(ops.abs(x) < const(cutoff, x), small, x - ops.tanh(x))

    return in_float32(forward, x)


@backward_of(tanh_shrink)
def _tanh_shrink_backward(dy, x, y):
    t = ops.tanh(x)
    return dy * t * t


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
_TANH_SHRINK_RATIONAL = {"float64": (1.5, *_lambert_rational(10))}
_TANH_SHRINK_RATIONAL_DEFAULT = (2.0, *_lambert_rational(5))

"""Exponential family: activations built on exp and log, in their stable forms.

exponential, elu, selu, celu, softplus, log_sigmoid.
"""

import math
import sys

from keras_acts import backend, numerics
from keras_acts.backend import kernels, ops
from keras_acts.engine.define import backward_of, define_builtin, portable_form_of
from keras_acts.numerics import const, negated, under_xla
from keras_acts.params import Real


# -- exponential -------------------------------------------------------------
@define_builtin(
    keep="y",
    validators={},
    formula="exp(x)",
    output_range="(0, inf)",
    monotonic=True,
    smooth=True,
    reference="no paper: the exponential function, Keras's `exponential`",
    example_output=(0.1353, 0.6065, 1.0, 1.6487, 7.3891),
    overflows_past=709.0,
    keras_takes=("integer", "bool"),  # Keras's gives floatx
)
def exponential(x):
    """`exp(x)`."""
    return ops.exp(x)


@backward_of(exponential)
def _exponential_backward(dy, x, y):
    return dy * y


# -- elu, selu, celu ---------------------------------------------------------
def _elu_keep(alpha):
    # With alpha >= 0, the sign of y tells the branch; otherwise keep x.
    return "y" if alpha >= 0 else "x"


@define_builtin(
    keep=_elu_keep,
    validators={"alpha": Real()},
    layer="ELU",
    formula="x if x > 0 else alpha * (exp(x) - 1)",
    output_range="(-alpha, inf)",
    monotonic=True,
    smooth=False,
    reference=(
        'Clevert, Unterthiner & Hochreiter, 2016, "Fast and Accurate Deep Network '
        'Learning by Exponential Linear Units (ELUs)"'
    ),
    example_output=(-0.8647, -0.3935, 0.0, 0.5, 2.0),
    branch_slope_at_nan=True,
    bounds=(-1.0, math.inf),
)
def elu(x, alpha=1.0):
    """Exponential linear unit, as Keras's (`alpha` scales the negative side).

    The gradient at 0 is `alpha`, as TensorFlow gives Keras's `elu`. The
    negative side is `numerics.expm1` (TensorFlow's Elu kernel computes
    `exp(x) - 1`, which is 0 for x = -2e-8 and ~500 ulp off at -1e-3),
    except after a Dense layer's BiasAdd in a plain graph (a call the
    fusion engine does not compile: `keras_acts.config`), where the native
    op keeps grappler's MatMul + BiasAdd + Elu kernel (absolute error ~6e-8
    near 0 in float32; see `numerics.native_elu_suffices`).
    """
    if alpha == 1.0 and numerics.native_elu_suffices(x):
        return kernels.native_elu(x)
    # Eager PyTorch: its elu kernel, the same rule and the same expm1.
    return numerics.in_float32(
        lambda x: kernels.eager_or("elu", lambda x: _elu_formula(x, alpha), x, alpha=alpha), x
    )


def _elu_formula(x, alpha):
    return ops.where(x > 0, x, const(alpha, x) * numerics.expm1(x))


@backward_of(elu)
def _elu_backward(dy, x, y, alpha):
    a = const(alpha, dy)
    if alpha == 1.0:
        # TensorFlow's EluGrad: dy where y >= 0 or NaN. XLA's lowering of it
        # differs at NaN, so under XLA the kernel's own rule is spelled out.
        if under_xla():
            return ops.where(y < 0, dy * (y + a), dy)
        return kernels.elu_grad(dy, y)  # one native kernel on TensorFlow
    if y is not None:
        # alpha * exp(x) == y + alpha on the negative branch.
        formula = lambda dy, y: ops.where(y > 0, dy, dy * (y + a))  # noqa: E731
        return kernels.eager_or("elu_grad_from_y", formula, dy, y, alpha=alpha)
    return ops.where(x > 0, dy, dy * a * ops.exp(ops.minimum(x, ops.zeros_like(x))))


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


@define_builtin(
    keep="y",
    validators={},
    layer="SELU",
    formula=f"{_SELU_SCALE} * elu(x, {_SELU_ALPHA})",
    output_range=f"({-_SELU_SCALE * _SELU_ALPHA:.6f}, inf)",
    monotonic=True,
    smooth=False,
    reference=(
        'Klambauer, Unterthiner, Mayr & Hochreiter, 2017, "Self-Normalizing Neural '
        'Networks"'
    ),
    example_output=(-1.5202, -0.6918, 0.0, 0.5254, 2.1014),
    branch_slope_at_nan=True,
    bounds=(-_SELU_SCALE * _SELU_ALPHA, math.inf),
    overflows_past=sys.float_info.max / 2,
)
def selu(x):
    """Scaled exponential linear unit (self-normalizing).

    The gradient at 0 is `scale`, as TensorFlow's SeluGrad kernel gives
    Keras's `selu` (XLA's own lowering would give `scale * alpha`). The
    negative side is `numerics.expm1`, as `elu`'s.
    """
    if numerics.native_elu_suffices(x) and under_xla():
        return kernels.native_selu(x)
    return numerics.in_float32(_selu_eager_or_formula, x)


def _selu_eager_or_formula(x):
    # Eager PyTorch: elu's kernel and the product by scale in place (two
    # passes over memory, the formula's five).
    return kernels.eager_or("selu", _selu_formula, x, alpha=_SELU_ALPHA, scale=_SELU_SCALE)


@portable_form_of(selu)
def _selu_portable(x):
    """selu in exported graphs: TensorFlow's Selu op wherever it suffices
    (``numerics.native_elu_suffices``), which converters map to one op."""
    if numerics.native_elu_suffices(x):
        return kernels.native_selu(x)
    return numerics.in_float32(_selu_formula, x)


@backward_of(selu)
def _selu_backward(dy, x, y):
    # TensorFlow's SeluGrad kernel: scale where y >= 0 or NaN (so at 0, and at
    # subnormals, which every path flushes to 0). XLA's lowering of SeluGrad
    # gives scale * alpha at 0: under XLA the kernel's own rule is spelled out.
    if under_xla():
        scale = const(_SELU_SCALE, dy)
        return ops.where(y < 0, dy * (y + scale * const(_SELU_ALPHA, dy)), dy * scale)
    return kernels.selu_grad(dy, y, _SELU_SCALE, _SELU_ALPHA)


def _selu_formula(x):
    alpha, scale = const(_SELU_ALPHA, x), const(_SELU_SCALE, x)
    return scale * ops.where(x > 0, x, alpha * numerics.expm1(x))


@define_builtin(
    keep="y",
    validators={"alpha": Real(min=0.0, min_open=True)},
    layer="CELU",
    formula="max(x, 0) + alpha * (exp(min(x, 0) / alpha) - 1)",
    output_range="(-alpha, inf)",
    monotonic=True,
    smooth=True,
    reference='Barron, 2017, "Continuously Differentiable Exponential Linear Units"',
    example_output=(-0.8647, -0.3935, 0.0, 0.5, 2.0),
    bounds=(-1.0, math.inf),
)
def celu(x, alpha=1.0):
    """Continuously differentiable exponential linear unit (`alpha > 0`)."""
    # Eager PyTorch: its celu kernel, where its x * (1 / alpha) is x / alpha.
    return kernels.eager_or("celu", lambda x: _celu_formula(x, alpha), x, alpha=alpha)


def _celu_formula(x, alpha):
    zero = ops.zeros_like(x)
    a = const(alpha, x)
    return ops.maximum(x, zero) + a * numerics.expm1(ops.minimum(x, zero) / a)


@backward_of(celu)
def _celu_backward(dy, x, y, alpha):
    # exp(x / alpha) == y / alpha + 1 on the negative branch; 1 at 0, where
    # celu is continuously differentiable.
    def formula(dy, y):
        return ops.where(y > 0, dy, dy * (y / const(alpha, dy) + const(1.0, dy)))

    return kernels.eager_or("celu_grad", formula, dy, y, alpha=alpha)


# -- softplus, log_sigmoid ---------------------------------------------------
def _times_beta(x, beta):
    return x if beta == 1.0 else const(beta, x) * x


# In float32, TensorFlow's Softplus is x itself above 13.94 and its
# SoftplusGrad, dy / (1 + exp(-x)), is dy itself above 16.7: from a threshold
# of 17 up, PyTorch's linear region changes no bit and one native kernel each
# way is the whole activation. Native, not compiled: compiled passes ran ~30%
# faster, but raised a deep MLP's training step peak by ~0.8 tensors over
# Keras's (XLA writes new buffers where these kernels reuse a dead input's).
def _native_softplus_suffices(x, beta, threshold):
    return (
        backend.is_tensorflow()
        and ops.dtype_name(x) == "float32"
        and beta == 1.0
        and threshold >= 17.0
        and not under_xla()
    )


@define_builtin(
    keep="x",
    validators={"beta": Real(min=0.0, min_open=True), "threshold": Real()},
    formula="log(1 + exp(beta x)) / beta; x where beta x > threshold",
    output_range="(0, inf)",
    monotonic=True,
    smooth=True,
    reference=(
        'Dugas, Bengio, Bélisle, Nadeau & Garcia, 2001, "Incorporating Second-Order '
        'Functional Knowledge for Better Option Pricing"'
    ),
    example_output=(0.1269, 0.4741, 0.6931, 0.9741, 2.1269),
)
def softplus(x, beta=1.0, threshold=20.0):
    """Softplus, `log(1 + exp(beta x)) / beta`, stable for any `x`.

    As PyTorch's, it is the identity where `beta * x > threshold` (where the
    two differ by less than `exp(-threshold) / beta`), gradient 1 there.
    """
    if _native_softplus_suffices(x, beta, threshold):
        return ops.softplus(x)

    def forward(x):  # eager PyTorch: its softplus kernel, where the same rule
        formula = lambda x: _softplus_formula(x, beta, threshold)  # noqa: E731
        return kernels.eager_or("softplus", formula, x, beta=beta, threshold=threshold)

    return numerics.in_float32(forward, x)


@backward_of(softplus)
def _softplus_backward(dy, x, y, beta, threshold):
    if _native_softplus_suffices(x, beta, threshold):
        return kernels.native_softplus_grad(dy, x)
    bx = _times_beta(x, beta)
    return ops.where(bx > const(threshold, x), dy, dy * ops.sigmoid(bx))


def _softplus_formula(x, beta, threshold):
    # Half types: in float32 (their own log1p(exp) was 3% off in bfloat16).
    bx = _times_beta(x, beta)
    soft = numerics.softplus(bx)
    if beta != 1.0:
        soft = soft / const(beta, x)
    return ops.where(bx > const(threshold, x), x, soft)


@define_builtin(
    keep="x",
    validators={},
    formula="-softplus(-x)",
    output_range="(-inf, 0)",
    monotonic=True,
    smooth=True,
    reference=(
        'no paper of its own: the log of the logistic sigmoid (Rumelhart, Hinton & '
        'Williams, 1986, "Learning representations by back-propagating errors")'
    ),
    example_output=(-2.1269, -0.9741, -0.6931, -0.4741, -0.1269),
)
def log_sigmoid(x):
    """`log(sigmoid(x))`, stable for any `x` (half types in float32)."""
    return numerics.in_float32(lambda x: -numerics.softplus(-x), x)


@backward_of(log_sigmoid)
def _log_sigmoid_backward(dy, x, y):
    return dy * ops.sigmoid(negated(x))

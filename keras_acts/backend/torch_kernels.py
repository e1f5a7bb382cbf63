"""PyTorch's own kernels where they compute a formula's rule: one kernel each
way where eager PyTorch would run a formula op by op, each pass over memory
into a fresh tensor (``keras_acts.numerics.eager_kernel`` and
``keras_acts.backend.kernels`` pick them; ``torch_ops`` exports them)."""

import functools
import math

import numpy
import torch
import torch.nn.functional as F


# -- PyTorch's own activation kernels ----------------------------------------------
# Eager PyTorch runs each op as a kernel of its own, one pass over memory into
# a fresh tensor: these are the catalog's activations as one kernel each way,
# which ``keras_acts.numerics.eager_kernel`` runs in place of their formulas
# (only where their results are finite: at infinite inputs they give
# inf * 0 = NaN). Each is exact to the package's precision (1e-9 in float64,
# 2e-5 in float32, relative to max(1, |y|)): mish's and silu's within 1.5 ulp
# of the value, gelu's within 3 ulp from x = -1 up, below it only absolutely
# (1 + erf(x / sqrt 2) cancels: up to 1.1e-6 off in float32 near x = -3.5,
# 2.3e-16 in float64).
def _gelu_backward(dy, x):
    return torch.ops.aten.gelu_backward(dy, x)


def _gelu_tanh(x):
    return F.gelu(x, approximate="tanh")


def _gelu_tanh_backward(dy, x):
    return torch.ops.aten.gelu_backward(dy, x, approximate="tanh")


# The gated units, ``gate(a) * b`` with ``a, b`` the halves of ``x`` along
# ``axis``, on the gates' kernels: the halves are views (no copy), the forward
# two kernels, the second in place; the backward ``(gate_backward(dy, a) * b,
# dy * gate(a))`` in the formula's order (the slope first, so that only the
# last product can overflow), each product written straight into its half of
# the gradient: what autodiff of ``F.silu(a) * b`` runs, with ``gate(a)``
# recomputed instead of kept, and no concatenation (its copy of the whole
# gradient made the backward 1.45x autodiff's, 2^21 float32 elements): the
# kernels' out= variants write into the gradient's halves, then each is
# multiplied in place (no temporary: 0.44 -> 0.39 ms, the same bits).
def _gated(gate):
    def forward(x, axis):
        a, b = torch.chunk(x, 2, dim=axis)
        return gate(a).mul_(b)

    return forward


def _gated_backward(gate_into, gate_backward_into):
    def backward(dy, x, axis):
        a, b = torch.chunk(x, 2, dim=axis)
        dx = torch.empty_like(x)
        da, db = torch.chunk(dx, 2, dim=axis)
        gate_backward_into(dy, a, da).mul_(b)
        gate_into(a, db).mul_(dy)
        return dx

    return backward


def _into(kernel, out_keyword, **options):
    """``kernel``'s out= variant: its result written into ``out`` (a half of
    the gradient), which it returns."""
    def into(*args):
        *inputs, out = args
        kernel(*inputs, **options, **{out_keyword: out})
        return out

    return into


_aten = torch.ops.aten
_silu_into = _into(_aten.silu.out, "out")
_silu_backward_into = _into(_aten.silu_backward.grad_input, "grad_input")
_gelu_into = _into(_aten.gelu.out, "out")
_gelu_backward_into = _into(_aten.gelu_backward.grad_input, "grad_input")
_gelu_tanh_into = _into(_aten.gelu.out, "out", approximate="tanh")
_gelu_tanh_backward_into = _into(_aten.gelu_backward.grad_input, "grad_input", approximate="tanh")


EAGER_KERNELS = {
    "gelu": F.gelu,
    "gelu_backward": _gelu_backward,
    "gelu_tanh": _gelu_tanh,
    "gelu_tanh_backward": _gelu_tanh_backward,
    "mish": F.mish,
    "mish_backward": torch.ops.aten.mish_backward,
    "silu": F.silu,
    "silu_backward": torch.ops.aten.silu_backward,
    "swiglu": _gated(F.silu),
    "swiglu_backward": _gated_backward(_silu_into, _silu_backward_into),
    "geglu": _gated(F.gelu),
    "geglu_backward": _gated_backward(_gelu_into, _gelu_backward_into),
    "geglu_tanh": _gated(_gelu_tanh),
    "geglu_tanh_backward": _gated_backward(_gelu_tanh_into, _gelu_tanh_backward_into),
}


# -- PyTorch's kernels of the exact rule -------------------------------------------
# Steps of the catalog that PyTorch has one kernel for (where several ops of
# a formula would each be a pass over memory into a fresh tensor, page faults
# included), computing the formula's very rule, NaN, infinities and kinks
# included: no check of the result is needed. ``keras_acts.backend.kernels``
# runs them (``eager_or``) where ``applies`` says so, the formula elsewhere.
# Those that round in another order than the formula (or, for half types, in
# float32 where the formula rounds in the half type) are limited to float32
# and float64: each such difference is noted beside it.
_FULL = (torch.float32, torch.float64)


def _full(x, *args, **params):
    return x.dtype in _FULL


def _any(x, *args, **params):
    return True


def _nan_as(x, value):
    # x with NaN replaced by value, infinities kept: where PyTorch's select
    # kernels below differ from the formula at NaN alone (or disagree there
    # with themselves: their vectorized loops and their scalar loops, which
    # take the last elements, answer differently), NaN is given a value that
    # the kernel sends where the formula sends NaN. One pass: ``where``
    # itself, on CPU, took 7.3 ms on 2^22 float32 elements, this and the
    # kernel 0.7 ms together.
    return torch.nan_to_num(x, nan=value, posinf=math.inf, neginf=-math.inf)


def _relu_grad(dy, features):
    # threshold_backward: ``features <= 0 ? 0 : dy``; NaN features give 0.
    return torch.ops.aten.threshold_backward(dy, _nan_as(features, 0.0), 0.0)


def _relu6_grad(dy, features):
    # hardtanh_backward: ``features <= 0 || features >= 6 ? 0 : dy``.
    return torch.ops.aten.hardtanh_backward(dy, _nan_as(features, 0.0), 0.0, 6.0)


def _leaky_relu_grad(dy, y, negative_slope):
    # ``y > 0 ? dy : dy * slope``, the slope rounded to the dtype as the formula's.
    return torch.ops.aten.leaky_relu_backward(dy, y, negative_slope, False)


def _selu(x, alpha, scale):
    # ``scale * (x > 0 ? x : alpha * expm1(x))`` as the formula rounds it:
    # elu's kernel, then the product in place (F.selu multiplies by
    # alpha * scale rounded once: another rounding).
    return F.elu(x, alpha).mul_(torch.tensor(scale, dtype=x.dtype))


def _softplus_applies(x, beta, threshold):
    # PyTorch's softplus is the formula's rule with the formula's threshold
    # alone; the formula also returns x from 20 (float64: 40), where exp(-x)
    # is below half an ulp: the same wherever the threshold is below that.
    return x.dtype in _FULL and threshold <= (40.0 if x.dtype == torch.float64 else 20.0)


def _full_along(x, *args, axis):
    return x.dtype in _FULL and isinstance(axis, int)


def _softmax(x, axis):
    return F.softmax(x, dim=axis)


def _softmax_grad(dy, y, axis):
    return torch.ops.aten._softmax_backward_data(dy, y, axis, y.dtype)


def _log_softmax_grad(dy, y, axis):
    return torch.ops.aten._log_softmax_backward_data(dy, y, axis, y.dtype)


def _elu_grad(dy, y):
    # elu_backward from the result: ``y <= 0 ? dy * (y + 1) : dy``; at
    # y == 0 both give dy, and NaN, as 1, gives dy.
    return torch.ops.aten.elu_backward(dy, 1.0, 1.0, 1.0, True, _nan_as(y, 1.0))


def _selu_grad(dy, y, scale, alpha):
    # SeluGrad, ``y < 0 ? dy * (y + scale * alpha) : dy * scale``, as
    # elu_backward from the result (``y <= 0 ? dy * (y + alpha * scale) :
    # dy * scale``) of y with every y >= 0 or NaN made 1: -threshold(-y, 0, -1),
    # NaN made -1 first (threshold passes NaN). Four passes over one new
    # tensor, in place; ``where`` alone took longer.
    # (PyTorch's own selu gradient takes y == 0 to the negative side.)
    branch = torch.neg(y).nan_to_num_(nan=-1.0, posinf=math.inf, neginf=-math.inf)
    branch = F.threshold_(branch, 0.0, -1.0).neg_()
    return torch.ops.aten.elu_backward(dy, alpha, scale, 1.0, True, branch)


@functools.lru_cache(maxsize=16)
def _same_product(dtype, scale, alpha):
    # Whether elu_backward's alpha * scale, rounded in its own way, is the
    # formula's (scale * alpha rounded once to the dtype): one tiny call.
    one = torch.ones(1, dtype=dtype)
    got = torch.ops.aten.elu_backward(one, alpha, scale, 1.0, True, one * -0.5)
    return bool(got == torch.tensor(scale * alpha, dtype=dtype) - 0.5)


def _selu_grad_applies(dy, y, scale, alpha):
    return y.dtype in _FULL and _same_product(y.dtype, scale, alpha)


def _elu_grad_from_y(dy, y, alpha):
    # ``y > 0 ? dy : dy * (y + alpha)``, NaN at NaN (elu's with alpha != 1,
    # celu's with alpha 1): elu_backward from the result (``y <= 0 ?
    # dy * (y + alpha) : dy``), then NaN where y is NaN (the kernel's loops
    # give dy or NaN there): the maximum with -inf, or NaN.
    nan_where_y_is = torch.clamp(y, max=0.0).mul_(0.0).sub_(math.inf)
    out = torch.ops.aten.elu_backward(dy, alpha, 1.0, 1.0, True, y)
    if torch.is_grad_enabled():  # recorded (create_graph=True): no out=
        return torch.maximum(out, nan_where_y_is)
    return torch.maximum(out, nan_where_y_is, out=out)


def _celu_grad_applies(dy, y, alpha):
    # celu's negative side is dy * (y / alpha + 1): elu's with alpha 1 alone.
    return y.dtype in _FULL and alpha == 1.0


def _elu_applies(x, alpha):
    # With alpha < 0 PyTorch's kernel gives 0 the other sign than the formula.
    return x.dtype in _FULL and alpha > 0


def _celu_applies(x, alpha):
    # PyTorch's celu scales x by 1 / alpha, the formula divides by alpha:
    # the same for alpha a power of two.
    return x.dtype in _FULL and math.frexp(alpha)[0] == 0.5


def _hard_tanh_grad(dy, x, min_val, max_val):
    # clip_by_value's gradient passes at both bounds, PyTorch's
    # hardtanh_backward (``x <= low || x >= high ? 0 : dy``) at neither: its
    # bounds moved one ulp outwards make it the formula's ``x < min_val or
    # x > max_val`` (the bounds rounded to the dtype first, as the formula's
    # constants); NaN passes, as min_val.
    low, high = _outwards(min_val, max_val, x.dtype == torch.float64)
    return torch.ops.aten.hardtanh_backward(dy, _nan_as(x, min_val), low, high)


@functools.lru_cache(maxsize=64)
def _outwards(low, high, double):
    real = numpy.float64 if double else numpy.float32
    inf = real(math.inf)
    return float(numpy.nextafter(real(low), -inf)), float(numpy.nextafter(real(high), inf))


EXACT_KERNELS = {
    "relu_grad": (_any, _relu_grad),
    "relu6_grad": (_any, _relu6_grad),
    "leaky_relu": (_full, F.leaky_relu),
    "leaky_relu_grad": (_full, _leaky_relu_grad),
    # The elu kernel's expm1 (elu's, selu's and celu's) is not torch.expm1's:
    # the two round apart in a rare last bit (in float32 1 of 2000 negative
    # inputs, 0.53 ulp off where torch.expm1 was 0.47 ulp off; none seen in
    # float64), and celu's kernel gives celu(-0.0) = -0.0 (the formula +0.0).
    "elu": (_elu_applies, F.elu),
    "elu_grad": (_full, _elu_grad),
    "selu": (_full, _selu),
    "selu_grad": (_selu_grad_applies, _selu_grad),
    "celu": (_celu_applies, F.celu),
    "elu_grad_from_y": (_full, _elu_grad_from_y),
    "celu_grad": (_celu_grad_applies, _elu_grad_from_y),
    # PyTorch's sigmoid_backward, ``dy * (1 - y) * y``, rounds the formula's
    # ``dy * y * (1 - y)`` in another order (a third of float32's results
    # 1 ulp apart); its tanh_backward is more precise than ``dy * (1 - y * y)``
    # where y is near +-1 (float32: 1.2e-7 relative, the formula's 8.6e-5).
    "sigmoid_grad": (_full, torch.ops.aten.sigmoid_backward),
    "tanh_grad": (_full, torch.ops.aten.tanh_backward),
    "softplus": (_softplus_applies, F.softplus),
    "hard_sigmoid": (_full, F.hardsigmoid),
    "hard_tanh": (_full, F.hardtanh),
    "hard_tanh_grad": (_full, _hard_tanh_grad),
    # softmax's and log_softmax's: ``y * (dy - sum(dy * y))`` and
    # ``dy - exp(y) * sum(dy)`` in one kernel, the sums added in another
    # order than torch.sum's (as precise: 3e-7 of the largest, float32).
    "softmax_grad": (_full_along, _softmax_grad),
    "log_softmax_grad": (_full_along, _log_softmax_grad),
}

# PyTorch's softmax: the formula's rule where the logits are finite (it
# multiplies by 1 / sum where the formula divides: as precise, 2.3e-6
# relative where the formula was 2.2e-6, float32); a +inf, NaN or all--inf
# slice gives NaN, and ``kernels.finite_or`` then runs the formula.
# (Not PyTorch's log_softmax: it takes the log of the whole sum, good only
# to 1 ulp of 1 at the peak, as TensorFlow's LogSoftmax.)
FINITE_KERNELS = {"softmax": (_full_along, _softmax)}


# PyTorch's element-wise kernels take a strided loop, some ten times slower,
# where their tensors' layouts differ: a channels-last convolution's output
# (a permuted view) beside the contiguous gradient that comes back to it made
# mish's backward 3.5 -> 40 ms on 2^21 float32 elements (a CNN step 1.4x
# Keras's). So a backward kernel, whose first two arguments are the upstream
# gradient and x (or y), gets them in one layout where they differ: a copy,
# ~1 ms there. Forward kernels take one tensor; tensors that are both
# contiguous (the gated units' x beside their half-size dy) go as they are.
def _one_layout(kernel):
    def in_one_layout(dy, x, *rest, **options):
        if dy.stride() != x.stride() and not (dy.is_contiguous() and x.is_contiguous()):
            dy, x = dy.contiguous(), x.contiguous()
        return kernel(dy, x, *rest, **options)

    return in_one_layout


def _is_backward(name):
    return name.endswith("_backward") or "_grad" in name


EAGER_KERNELS = {
    name: _one_layout(kernel) if _is_backward(name) else kernel
    for name, kernel in EAGER_KERNELS.items()
}
EXACT_KERNELS = {
    name: (applies, _one_layout(kernel) if _is_backward(name) else kernel)
    for name, (applies, kernel) in EXACT_KERNELS.items()
}


def recording_gradients():
    """Whether autograd records the ops being run (a backward pass taken with
    ``create_graph=True``): PyTorch's backward kernels above have no
    derivative of their own (mish's, silu's), so the formulas run there."""
    return torch.is_grad_enabled()


def all_finite(x):
    """Whether every element of ``x`` is finite: one read of it (its sum is
    finite only then; a sum that overflows says no, and costs a recompute)."""
    return bool(torch.isfinite(torch.sum(x)))


# A mark on a tensor that its values are all finite, valid while its version
# counter (bumped by every in-place change) and its data pointer (``.data``
# assignment) stay where they were; autograd hands a Function's backward the
# very tensor object its forward saved. Where a tensor takes no mark
# (inference tensors keep no version counter), its results are checked.
_FINITE_AT = "_keras_acts_finite_at"


def _state(x):
    return (x._version, x.data_ptr())


def mark_finite(x):
    try:
        setattr(x, _FINITE_AT, _state(x))
    except (RuntimeError, AttributeError):
        pass


def known_finite(x):
    try:
        return getattr(x, _FINITE_AT, None) == _state(x)
    except (RuntimeError, AttributeError):
        return False

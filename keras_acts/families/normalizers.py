"""Normalizers and gates along an axis: each output depends on the whole slice.

softmax, log_softmax, softmin, sparsemax, glu. Their layers take a Keras
mask (glu's passes it through where it can).
"""

import math

from keras_acts import backend
from keras_acts.backend import kernels, ops
from keras_acts.engine.define import backward_of, define_builtin, portable_form_of
from keras_acts.config import native_kernels
from keras_acts.engine.layer_bases import (
    LogNormalizerLayer,
    MinNormalizerLayer,
    NormalizerLayer,
    ReshapingLayer,
)
from keras_acts.numerics import (
    const,
    halved_shape,
    halves,
    in_float32,
    joined,
    native_or_careful,
    negated,
    shifted_below_peak,
)
from keras_acts.params import Axis


# -- softmax -----------------------------------------------------------------
@define_builtin(
    keep="y",
    validators={"axis": Axis(allow_none=True)},
    layer_base=NormalizerLayer,
    keras_logits=True,
    formula="exp(x - max(x)) / sum(exp(x - max(x)))",
    output_range="(0, 1), sums to 1 along axis",
    monotonic=False,
    smooth=True,
    reference=(
        'Bridle, 1990, "Probabilistic Interpretation of Feedforward Classification '
        'Network Outputs, with Relationships to Statistical Pattern Recognition"'
    ),
    example_output=(0.0126, 0.0563, 0.0928, 0.1529, 0.6855),
    bounds=(0.0, 1.0),
)
@native_kernels
def softmax(x, axis=-1):
    """Softmax along `axis` (an int, a tuple of ints, or None for all axes).

    Exact limits at infinities: a `+inf` logit takes all the mass (shared
    equally among ties), `-inf` logits get 0. A NaN makes its slice NaN. The
    output carries `_keras_logits = x`, as Keras's does.
    """
    # Half types in float32: their own exp and sum were 9 (float16) and 18
    # (bfloat16) ulp off.
    return in_float32(
        lambda x: native_or_careful(
            x, axis, kernels.native_softmax, _eager_or_careful_softmax, _softmax_bad_rows
        ),
        x,
    )


@backward_of(softmax)
@native_kernels  # compiled, it would not reuse dy's buffer: +2 tensors at the peak
def _softmax_backward(dy, x, y, axis):
    def formula(dy, y):
        return y * (dy - ops.sum(dy * y, axis=axis, keepdims=True))

    return kernels.eager_or("softmax_grad", formula, dy, y, axis=axis)


def _softmax_bad_rows(y):
    # The kernel leaves NaN only where a +inf or NaN logit was (a slice of
    # only -inf is all NaN), so its non-finite slices show in their sums.
    return ops.logical_not(ops.isfinite(ops.sum(y, axis=-1)))


def _eager_or_careful_softmax(x, axis):
    # Eager PyTorch: its softmax kernel wherever its result is finite.
    formula = lambda x: _careful_softmax(x, axis)  # noqa: E731
    return kernels.finite_or("softmax", formula, x, axis=axis)


def _careful_softmax(x, axis):
    e = ops.exp(shifted_below_peak(x, axis))
    return e / ops.sum(e, axis=axis, keepdims=True)


# -- log_softmax -------------------------------------------------------------
@define_builtin(
    keep="y",
    validators={"axis": Axis(allow_none=True)},
    layer_base=LogNormalizerLayer,
    formula="x - max(x) - log(sum(exp(x - max(x))))",
    output_range="(-inf, 0], logsumexp is 0 along axis",
    monotonic=False,
    smooth=True,
    reference=(
        'the log of softmax (Bridle, 1990, "Probabilistic Interpretation of Feedforward '
        'Classification Network Outputs, with Relationships to Statistical Pattern '
        'Recognition")'
    ),
    example_output=(-4.3777, -2.8777, -2.3777, -1.8777, -0.3777),
    bounds=(-math.inf, 0.0),
    span_overflows=True,
)
def log_softmax(x, axis=-1):
    """Log of softmax along `axis` (an int, a tuple of ints, or None).

    Exact limits at infinities: a `+inf` logit gets `log(1 / ties)`, `-inf`
    logits get `-inf`; a NaN makes its slice NaN. The layer's masked
    positions get `-inf` (the log of their zero weight).
    """
    # The careful formula in every path, never TensorFlow's LogSoftmax
    # kernel: that takes the log of the whole sum, which near 1 is good only
    # to 1 ulp of 1, all of the peak's value (0 for -6.59e-8 at the peak of
    # [17, -0.76, -2.09, -9e-15] in float32; 2e-9 relative off in float64).
    # It costs ~7% of a step at 2^14 elements without XLA; from 2^16 up the
    # forward pass compiles, as it did before.
    # Half types in float32: their own log(sum) gave -0.000976 for -0.001370
    # at the peak of [0, -7, -8, -9] in float16.
    return in_float32(lambda x: _careful_log_softmax(x, axis), x)


@portable_form_of(log_softmax)
def _log_softmax_portable(x, axis=-1):
    """log_softmax in exported graphs: one LOG of the sum, the converters'
    ops (no Log1p in ONNX), good to 1 ulp of 1 at the peak."""
    return in_float32(lambda x: _log_softmax_with_log(x, axis), x)


@backward_of(log_softmax)
def _log_softmax_backward(dy, x, y, axis):
    def formula(dy, y):
        return dy - ops.exp(y) * ops.sum(dy, axis=axis, keepdims=True)

    return kernels.eager_or("log_softmax_grad", formula, dy, y, axis=axis)


def _peak(x, axis):
    peak = ops.max(x, axis=axis, keepdims=True)
    # Where x is the peak the shift is 0, even for infinite peaks. Each pass
    # selects on its own (no shared `shifted` tensor): XLA then fuses each
    # into one loop instead of writing `shifted` out and reading it twice.
    return peak, ops.equal(x, peak)


def _log_softmax_with_log(x, axis):
    peak, at_peak = _peak(x, axis)
    total = ops.sum(
        ops.where(at_peak, const(1.0, x), ops.exp(x - peak)), axis=axis, keepdims=True
    )
    log_total = ops.log(total)
    return ops.where(at_peak, -log_total, (x - peak) - log_total)


def _careful_log_softmax(x, axis):
    peak, at_peak = _peak(x, axis)
    # log(sum) = log1p(sum - 1), with sum - 1 summed directly (the other
    # entries' exps, and 1 for each tie of the peak): log(sum) of a sum near
    # 1 keeps only its absolute precision, 1 ulp of 1, all of it at the peak.
    rest = ops.sum(
        ops.where(at_peak, const(0.0, x), ops.exp(x - peak)), axis=axis, keepdims=True
    )
    ties = ops.sum(ops.cast(at_peak, x.dtype), axis=axis, keepdims=True) - const(1.0, x)
    log_total = ops.log1p(rest + ties)
    return ops.where(at_peak, -log_total, (x - peak) - log_total)


# -- softmin -----------------------------------------------------------------
@define_builtin(
    keep="y",
    validators={"axis": Axis(allow_none=True)},
    layer_base=MinNormalizerLayer,
    formula="exp(min(x) - x) / sum(exp(min(x) - x))",
    output_range="(0, 1), sums to 1 along axis",
    monotonic=False,
    smooth=True,
    reference=(
        'softmax of -x (Bridle, 1990, "Probabilistic Interpretation of Feedforward '
        'Classification Network Outputs, with Relationships to Statistical Pattern '
        'Recognition")'
    ),
    example_output=(0.6855, 0.1529, 0.0928, 0.0563, 0.0126),
    bounds=(0.0, 1.0),
)
def softmin(x, axis=-1):
    """Softmin along `axis`: `softmax(-x)`; small inputs get large weights.

    Exact limits: a `-inf` input takes all the mass (shared among ties),
    `+inf` inputs get 0; a NaN makes its slice NaN.
    """
    return in_float32(lambda x: _softmin_formula(x, axis), x)  # as softmax


@backward_of(softmin)
def _softmin_backward(dy, x, y, axis):
    return y * (ops.sum(dy * y, axis=axis, keepdims=True) - dy)


def _softmin_formula(x, axis):
    low = ops.min(x, axis=axis, keepdims=True)
    shifted = ops.where(ops.equal(x, low), ops.zeros_like(x), low - x)
    e = ops.exp(shifted)
    return e / ops.sum(e, axis=axis, keepdims=True)


# -- sparsemax ---------------------------------------------------------------
@define_builtin(
    keep="y",
    validators={"axis": Axis(allow_tuple=False)},
    layer_base=NormalizerLayer,
    formula="max(x - tau, 0), tau such that the outputs sum to 1",
    output_range="[0, 1], sums to 1 along axis",
    monotonic=False,
    smooth=False,
    reference=(
        'Martins & Astudillo, 2016, "From Softmax to Sparsemax: A Sparse Model of '
        'Attention and Multi-Label Classification"'
    ),
    example_output=(0.0, 0.0, 0.0, 0.0, 1.0),
    bounds=(0.0, 1.0),
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
    # The loop is TensorFlow's while_loop; the other backends sort.
    loop = backend.is_tensorflow()
    return _sparsemax(x, axis, _simplex_threshold if loop else _sorted_simplex_threshold)


@backward_of(sparsemax)
def _sparsemax_backward(dy, x, y, axis):
    support = ops.cast(y > 0, dy.dtype)
    size = ops.sum(support, axis=axis, keepdims=True)
    mean = ops.sum(dy * support, axis=axis, keepdims=True) / size
    # A NaN slice (y all NaN, no support) gets NaN, in every path: XLA
    # simplifies `support * (...)` to 0 where support is 0, NaN or not.
    return ops.where(ops.isnan(y), y, support * (dy - mean))


@portable_form_of(sparsemax)
def _sparsemax_portable(x, axis=-1):
    """sparsemax in exported graphs: its threshold by one sort
    (``_sorted_simplex_threshold``), no while_loop."""
    return _sparsemax(x, axis, _sorted_simplex_threshold)


def _sparsemax(x, axis, find):
    # Half precision counts no further than 256 (bfloat16) or 2048, and
    # z - tau cancels where outputs are small (800 ulp off in float16): the
    # whole projection runs in float32.
    def project(x):
        z = shifted_below_peak(x, axis)
        return ops.relu(z - find(z, axis))

    return in_float32(project, x)


def _sorted_simplex_threshold(z, axis):
    """The `tau` of sparsemax without a loop, for portable graphs (a
    while_loop becomes TFLite's WHILE, which delegates cannot run): with
    S_k the sum of the k largest entries, tau = max over k of (S_k - 1) / k.
    Each k bounds tau from below (the k largest, less tau, sum to at most 1)
    and the support's size attains it. One sort (TOPK_V2 in TFLite, TopK in
    ONNX), a cumulative sum and a max; the loop's results up to rounding,
    limits at infinities and NaN included."""
    rank = len(z.shape)
    last = axis % rank
    moved = last not in (-1, rank - 1)
    if moved:
        z = ops.moveaxis(z, last, -1)
    top = ops.sort_descending(z)
    sums = ops.cumsum(top, axis=-1)
    counts = ops.arange(1, ops.dims(z)[-1] + 1, like=z)
    tau = ops.max((sums - const(1.0, z)) / counts, axis=-1, keepdims=True)
    # reduce_max may skip a NaN; the sum of the whole slice never does (z
    # has no +inf to meet a -inf: its maximum is 0).
    total = sums[..., -1:]
    tau = ops.where(ops.isnan(total), total, tau)
    if moved:
        tau = ops.moveaxis(tau, -1, last)
    return tau


def _simplex_threshold(z, axis):
    """The `tau` of sparsemax for `z` whose maximum is 0, by Michelot's
    fixed point: `tau <- (sum of z above tau - 1) / (their count)`.

    Started below the answer (at -1), the iterates rise to it and the
    support only shrinks, so it ends, exactly, once no slice's support
    changes: a handful of passes for real data (at most the axis size),
    where sorting each slice costs ~20x more. A NaN counts as above every
    tau (`not z <= tau`), so it poisons its slice's threshold.
    """
    zero = ops.zeros_like(z)

    def support_mean(tau):
        outside = z <= tau
        size = ops.sum(
            ops.cast(ops.logical_not(outside), z.dtype), axis=axis, keepdims=True
        )
        total = ops.sum(ops.where(outside, zero, z), axis=axis, keepdims=True)
        return (total - const(1.0, z)) / size, size

    def still_shrinking(tau, size, previous_size):
        return ops.any(ops.not_equal(size, previous_size))

    def step(tau, size, previous_size):
        return (*support_mean(tau), size)

    tau, size = support_mean(const(-1.0, z))
    tau, _, _ = kernels.native_while_loop(
        still_shrinking,
        step,
        (tau, size, ops.zeros_like(size)),
        maximum_iterations=ops.dims(z)[axis],
    )
    return tau


# -- glu ---------------------------------------------------------------------
_glu_output_shape = halved_shape("glu")


@define_builtin(
    keep="x",
    validators={"axis": Axis(allow_tuple=False)},
    layer="GLU",
    layer_base=ReshapingLayer,
    output_shape=_glu_output_shape,
    formula="a * sigmoid(b), where a, b = x split in halves along axis",
    output_range="(-inf, inf)",
    monotonic=False,
    smooth=True,
    reference=(
        'Dauphin, Fan, Auli & Grangier, 2017, "Language Modeling with Gated '
        'Convolutional Networks"'
    ),
    example_output=((0.8808, -0.9526),),
    gate="second",
)
def glu(x, axis=-1):
    """Gated linear unit (Dauphin et al., 2017): `a * sigmoid(b)`, where `a`
    and `b` are the first and second halves of `x` along `axis`.

    The gate is the second half here, as in PyTorch's `nn.GLU`; swiglu,
    geglu and reglu (the transformer feed-forwards, "GLU Variants Improve
    Transformer") gate with the first, `gate(a) * b`, the opposite.
    The output's `axis` is half the input's; an odd size is a ValueError
    (raised when the layer is built, where the shape is known).
    """
    _glu_output_shape(x.shape, axis)
    return in_float32(lambda x: _glu_forward(x, axis), x)


@backward_of(glu)
def _glu_backward(dy, x, y, axis):
    # Half types in float32, as the forward: float16's slope underflows to a
    # subnormal at |b| ~ 17, which XLA flushes to 0 (and a = inf then gives
    # NaN there, where the other paths give inf).
    return in_float32(lambda dy, x: _glu_slopes(dy, x, axis), dy, x)


def _glu_slopes(dy, x, axis):
    a, b = halves(x, axis)
    gate = ops.sigmoid(b)
    # sigmoid(b) * sigmoid(-b), not SigmoidGrad's s * (1 - s): that cancels
    # where the gate saturates. Two native sigmoids are also cheaper than
    # one exp and its fix-ups.
    slope = gate * ops.sigmoid(negated(b))
    # a * slope first: slope <= 1/4, so it never overflows, where dy * a can
    # (near float32's largest) even though the gradient itself is finite.
    return joined(dy * gate, dy * (a * slope), axis, x)


def _glu_forward(x, axis):
    # Half types in float32: float16's own product was 5 ulp off.
    a, b = halves(x, axis)
    return a * ops.sigmoid(b)

"""Named numerical primitives the catalog's formulas are written with.

Each one is a trick with a reason, stated once here with the sizes and
dtypes where it applies, so that a catalog row reads as its formula. Like
``keras_acts.engine.tf_core`` and ``fusion``, this module is the seam where
TensorFlow's performance details (XLA, native kernels, graph optimizer
quirks) live.
"""

import math

from keras_acts import backend
from keras_acts.backend import ops
from keras_acts.engine import hooks

# TensorFlow's native kernels, its fusion engine and its portable export
# forms exist on TensorFlow alone; elsewhere each step below takes its
# plain formula.
_NATIVE = backend.is_tensorflow()
if _NATIVE:
    import tensorflow as tf

    from keras_acts.engine import fusion

_HALF_TYPES = ("float16", "bfloat16")


def const(value, like):
    """``value`` as a constant of ``like``'s dtype (float64 stays float64;
    a Python float would make float32 and break mixed precision)."""
    return ops.constant(value, like)


def under_xla():
    """Whether the ops being traced are compiled by XLA (model-wide
    ``jit_compile=True`` or a fused pass): XLA fuses chains of simple ops
    itself, while outside it TensorFlow's native kernels are the fast form."""
    if not _NATIVE:
        # JAX compiles every op with XLA, jit or not; PyTorch runs eagerly.
        return backend.NAME == "jax"
    return hooks.in_xla_context()


def portable():
    """Whether the graph being traced must be portable (SavedModel, TFLite,
    ONNX; see ``keras_acts.config``): then forms whose ops converters lack
    (Erfc, Expm1, MulNoNan) or that run control flow are replaced by plain
    ones, each below with its price."""
    return _NATIVE and fusion.portable()


def native_elu_suffices(x):
    """Where elu (and selu) may use TensorFlow's Elu op rather than the
    precise ``expm1`` form (the Elu kernel computes ``exp(x) - 1``: 0 at
    x = -2e-8, ~500 ulp off at -1e-3):

    * under XLA where ``expm1`` would be XLA's own (float64, or fewer than
      ``_REDUCED_EXPM1_MIN_SIZE`` elements): XLA lowers Elu and Selu by that
      same expm1, and the one op is Keras's own step there;
    * in portable graphs, where TFLite's ELU and ONNX's Elu are one op each
      (at the runtime's precision);
    * where ``x`` is a BiasAdd's output in a plain graph: grappler fuses
      MatMul + BiasAdd + Elu into one kernel there, which a formula of
      several ops would break (absolute error ~6e-8 near 0 in float32). A
      call the fusion engine compiles (``"auto"`` from 2^16 elements: a
      Dense layer of 1024 units from a batch of 64) runs under XLA instead.

    Never for half types: they compute the precise form in float32, so that
    every path rounds the same float32 value once (a gradient from y near
    the saturated tail, y + alpha, magnifies one ulp of difference in y).
    """
    if not _NATIVE or ops.dtype_name(x) in _HALF_TYPES:
        return False
    if portable():
        return True
    if under_xla():
        return not _reduced_expm1_applies(x)
    op = None if tf.executing_eagerly() else getattr(x, "op", None)
    return op is not None and op.type == "BiasAdd"


def in_float32(fn, *tensors):
    """``fn(*tensors)`` computed in float32 where the tensors are float16 or
    bfloat16, rounded once to their dtype at the end.

    For formulas whose intermediate steps would cost more than a couple of
    ulps in a half type's own arithmetic (or overflow it, as x^2 does)."""
    dtype = tensors[0].dtype
    if ops.dtype_name(tensors[0]) not in _HALF_TYPES:
        return fn(*tensors)
    return ops.cast(fn(*(ops.cast(t, "float32") for t in tensors)), dtype)


def eager_kernel(name, formula, *tensors, **static):
    """``formula(*tensors)``, or where it would run eagerly (PyTorch) the
    backend's own one-kernel form of it, ``ops.EAGER_KERNELS[name]``; the
    activation's input ``x`` comes last (``(x,)`` forward, ``(dy, x)``
    backward); ``static`` arguments (an axis) go to the kernel, the formula
    holding its own.

    Eager PyTorch runs each op of a formula as a kernel of its own, a pass
    over memory into a fresh tensor: a formula tuned for XLA's fusion took
    2.5x (mish), 3.4x (gelu) and 14x (silu) the time of PyTorch's own
    activation kernels there (forward and backward, 2^22 float32 elements). Those kernels give
    ``inf * 0 = NaN`` at infinite ``x``, where the formulas give the limit,
    and are exact wherever ``x`` is finite. So their result is checked (one
    read of it: its sum) unless ``x`` is known finite; a result that is not
    finite everywhere is computed again by the formula; a finite one marks
    ``x`` finite (each kernel's result is finite only where ``x`` is), so
    that the backward pass skips the check. The backward passes also take
    the formula where PyTorch records them for a higher derivative (its
    backward kernels have none). Elsewhere (TensorFlow, JAX) the formula
    alone runs: no op is added.
    """
    kernel = getattr(ops, "EAGER_KERNELS", {}).get(name)
    if kernel is None or ops.recording_gradients():
        return formula(*tensors)
    x = tensors[-1]
    out = kernel(*tensors, **static)
    if ops.known_finite(x):
        return out
    if not ops.all_finite(out):
        return formula(*tensors)
    ops.mark_finite(x)
    return out


def recomputed_from(x):
    """``x`` as a backward pass that recomputes its terms from it reads it.

    On JAX, behind an optimization barrier: a jitted train step compiles both
    passes as one program, and XLA's common-subexpression elimination merges
    the backward's recomputed terms with the forward's same ones (gelu's
    erfc and exp, mish's exp), keeping each alive from one pass to the other:
    a deep MLP's train step kept 3.9 tensors a layer for gelu and 1.9 for
    mish where the backward keeps 1 (Keras's autodiff: 2.9). Elsewhere ``x``
    itself (TensorFlow's graphs are unchanged).
    """
    barrier = getattr(ops, "optimization_barrier", None)
    return x if barrier is None else barrier(x)


def negated(x):
    """``-x``, written as a multiply by -1 (exact, as negation is).

    TensorFlow's graph optimizer merges a chain of unary ops that begins with
    ``Neg`` (``sigmoid(-x)``, ``exp(-|x|)``) into one ``_UnaryOpsComposition``
    kernel, whose CPU work split costs ~60 microseconds a call on a tensor of
    2^14 elements, more than the whole chain run as separate kernels: a
    multiply ends the chain."""
    return x * const(-1.0, x)


# |x| past which every factor that vanishes beside x in the catalog (a
# sigmoid, the normal pdf, 1 - tanh^2, relu6(x + 3)) is exactly 0 in the dtype.
_TAIL = {"float64": 750.0}
_TAIL_DEFAULT = 110.0


def tamed(x, upper=True):
    """``x`` clamped to the tails, so that ``x * factor`` gives the limit 0 at
    infinities, never ``inf * 0 = NaN``; NaN stays NaN. ``upper=False`` keeps
    ``+inf`` (forward passes, whose factor is 1 there)."""
    bound = const(_TAIL.get(ops.dtype_name(x), _TAIL_DEFAULT), x)
    if upper:
        return ops.clip(x, -bound, bound)
    return ops.maximum(x, -bound)


def horner(coefficients, u):
    """The polynomial with these coefficients (lowest degree first) at u."""
    *rest, last = coefficients
    value = const(last, u)
    for c in reversed(rest):
        value = value * u + const(c, u)
    return value


def scaled_negative(x, slope):
    """``x`` where ``x > 0`` (or NaN), else ``slope * x``.

    ``multiply_no_nan`` gives 0 for a zero slope at ``x = -inf``: the limit
    of ``slope * x`` there, where a plain product is NaN. Portable graphs
    (ONNX has no MulNoNan) select instead: the same values.
    """
    if portable() or not _NATIVE:
        product = x * slope
        scaled = ops.where(ops.equal(slope, ops.zeros_like(slope)), ops.zeros_like(product), product)
    else:
        scaled = tf.math.multiply_no_nan(x, slope)
    return ops.where(x <= 0, scaled, x)


# Under XLA, its own Expm1 computes tanh(u / 2) * (exp(u) + 1) beside exp(u)
# (up to 5 ulp off in float32, measured on [-30, 0]): the tanh made elu's and
# selu's steps 1.2-1.4x Keras's at 2^20 to 2^22 elements. ``_reduced_expm1``
# computes it as exp itself is computed, one polynomial and a power of two
# (1.12 ulp at most): elu's step 0.86-0.98x Keras's there, selu's 0.88-1.08x
# (without XLA, where "auto" fusion compiles the forward pass; with
# model-wide XLA 0.63-0.73x and 0.83-0.94x). Below 2^16 elements XLA splits
# its longer loop across threads and XLA's own measured faster (2^14 with
# model-wide XLA: elu 1.23x, selu 1.5x Keras's with it; 1.0x without).
_REDUCED_EXPM1_MIN_SIZE = 2**16
# ln 2 = _LN2_HI + _LN2_LO, _LN2_HI with 9 significant bits: k * _LN2_HI is
# exact for the k below (|k| <= 29), and so is u - k * _LN2_HI.
_LN2_HI, _LN2_LO = 0.693359375, -2.12194440e-4
# expm1(r) / r = sum of r^k / (k + 1)!: to r^6, the rest is below 2^-25 of
# the sum (a quarter of an ulp) for |r| <= ln(2) / 2.
_EXPM1_SERIES = tuple(1.0 / math.factorial(k + 1) for k in range(7))


def _reduced_expm1_applies(u):
    """Whether ``expm1`` takes ``_reduced_expm1``: float32 under XLA, from
    ``_REDUCED_EXPM1_MIN_SIZE`` elements (or an unknown size) up, never in
    portable graphs."""
    if not _NATIVE or ops.dtype_name(u) != "float32" or not under_xla() or portable():
        return False
    size = u.shape.num_elements()
    return size is None or size >= _REDUCED_EXPM1_MIN_SIZE


def _reduced_expm1(u):
    """``expm1(u)`` for float32 ``u <= 0``: u = k ln(2) + r with k an integer
    and |r| <= ln(2) / 2, so expm1(u) = 2^k expm1(r) + (2^k - 1), with
    expm1(r) = r times a short series and 2^k - 1 exact. Where k is 0 the
    result is that series at u itself (-0.0 stays -0.0). The float32 result
    is -1 from u = -17.4 down, so u stops at -20 (2^k stays normal); NaN
    stays NaN."""
    u = tf.maximum(u, const(-20.0, u))
    k = tf.round(u * const(1.0 / math.log(2.0), u))
    near = tf.equal(k, const(0.0, u))
    r = tf.where(near, u, (u - k * const(_LN2_HI, u)) - k * const(_LN2_LO, u))
    expm1_r = r * horner(_EXPM1_SERIES, r)
    two_k = tf.bitcast(tf.bitwise.left_shift(tf.cast(k, tf.int32) + 127, 23), tf.float32)
    return tf.where(near, expm1_r, two_k * expm1_r + (two_k - const(1.0, u)))


def expm1(u):
    """``exp(u) - 1`` without cancellation near 0, for ``u <= 0``.

    TensorFlow's Expm1 kernel; under XLA in float32 from
    ``_REDUCED_EXPM1_MIN_SIZE`` elements up, ``_reduced_expm1``. In portable
    graphs (ONNX has no Expm1) from exp and log alone by Kahan's trick: with
    e = exp(u) rounded, (e - 1) * u / log(e) cancels the rounding of e (~1.4
    ulp in float32 and float64); e == 1 means u is below half an ulp
    (expm1(u) = u there), and e == 0 that exp underflowed (the limit -1).
    """
    if _reduced_expm1_applies(u):
        return _reduced_expm1(u)
    if not portable():
        return ops.expm1(u)
    e = ops.exp(u)
    one, zero, half = const(1.0, u), const(0.0, u), const(0.5, u)
    # Where e is 0 or 1 the quotient would be 0 / 0 or inf / inf and is not
    # used: it runs on a harmless stand-in (two selects, not a logical or,
    # which TFLite's GPU delegates do not run).
    safe = ops.where(e == one, half, ops.where(e == zero, half, e))
    kahan = (safe - one) * u / ops.log(safe)
    return ops.where(e == one, u, ops.where(e == zero, -one, kahan))


# -- the sigmoid and its slope --------------------------------------------------

# Under XLA, a forward and a backward pass that compute the same subexpression
# share it: XLA computes it once into a tensor of its own and reads it twice.
# While that tensor stays in cache this beats recomputing; past it, the write
# and reads cost more (silu under model-wide XLA, ours / Keras's time: 2^16
# elements 0.99 -> 0.84, 2^18 1.29 -> 0.99, 2^20 1.25 -> 1.04 sharing; 2^22
# 0.81 recomputing, 0.97 sharing).
_SHARE_BELOW_SIZE = 2**21


def _shared_between_passes(z):
    size = static_size(z)
    return under_xla() and size is not None and size < _SHARE_BELOW_SIZE


def sigmoid_and_slope(z):
    """``sigmoid(z)`` and ``sigmoid(z) * sigmoid(-z)`` from one exp and one
    division, both to full precision: with e = exp(-|z|), the slope is
    e / (1 + e)^2 for either sign (``s * (1 - s)`` would cancel for large z).

    Where XLA shares it between the passes (see ``_SHARE_BELOW_SIZE``),
    everything comes from the one tensor q = sigmoid(-|z|) = e / (1 + e)
    (the sigmoid is 1 - q or q by the sign of z, the slope q (1 - q)); not
    otherwise: recomputed, that form measured slower than 1 / (1 + e).
    """
    e = ops.exp(negated(ops.abs(z)))
    one = const(1.0, z)
    if _shared_between_passes(z):
        q = e / (one + e)
        p = one - q
        return ops.where(z >= 0, p, q), q * p
    r = ops.reciprocal(one + e)
    er = e * r
    return ops.where(z >= 0, r, er), er * r


def sigmoid_and_slope_by_division(z):
    """``sigmoid(z)`` and its slope as quotients of the one ``e = exp(-|z|)``:
    ``1 / (1 + e)`` or ``e / (1 + e)`` by the sign of z, and ``e / (1 + e)^2``
    (each rounded once or twice, no more than ``sigmoid_and_slope``'s).

    For a backward pass whose one XLA loop writes two outputs from them (the
    gated units' two halves): where the sigmoid and the slope share one
    reciprocal or quotient, XLA's CPU fusion writes that into a tensor of its
    own to read it three times (a swiglu backward of 2^21 elements kept a
    temporary of 4 MiB, an eighth of a 4-block step's saved memory); quotients
    that each read ``e`` fuse into the loop, at the same time."""
    e = ops.exp(negated(ops.abs(z)))
    p = const(1.0, z) + e
    return ops.where(z >= 0, const(1.0, z) / p, e / p), e / (p * p)


def sigmoid(z):
    """The forward passes' sigmoid: the backward's own form where XLA shares
    it between the passes, TensorFlow's kernel otherwise."""
    if _shared_between_passes(z):
        return sigmoid_and_slope(z)[0]
    return ops.sigmoid(z)


# -- softplus -------------------------------------------------------------------------

# Below this many elements XLA's own log1p measured faster than Kahan's form.
_KAHAN_LOG1P_MIN_SIZE = 2**16


def _log1p_of_small(e):
    """``log(1 + e)`` for ``0 <= e <= 1``, under XLA.

    From 2^16 elements up (or an unknown size), as Kahan's ``log(u) * e /
    (u - 1)`` with ``u = 1 + e``: ``u - 1`` is exact there, and it corrects
    the rounding of ``u`` to a few ulp. XLA compiles ``log`` to much faster
    code than ``log1p`` there (a whole softplus ~25% faster, no less precise).
    """
    size = static_size(e)
    if size is not None and size < _KAHAN_LOG1P_MIN_SIZE:
        return ops.log1p(e)
    one = const(1.0, e)
    u = one + e
    return ops.where(u == one, e, ops.log(u) * (e / (u - one)))


def softplus(z):
    """``log(1 + exp(z))``, stable for any z: TensorFlow's kernel, or under
    XLA ``max(z, 0) + log1p(exp(-|z|))`` (XLA's lowering of the kernel's
    form is slower)."""
    if under_xla():
        return ops.maximum(z, const(0.0, z)) + _log1p_of_small(ops.exp(-ops.abs(z)))
    return ops.softplus(z)


# -- along an axis --------------------------------------------------------------------


def shifted_below_peak(x, axis):
    """``x - max(x)`` along ``axis``, exactly 0 where ``x`` is the peak,
    even for an infinite peak (``inf - inf`` would be NaN)."""
    peak = ops.max(x, axis=axis, keepdims=True)
    # Portable graphs select a scalar 0: zeros_like becomes TFLite's
    # ZEROS_LIKE, which its GPU delegates do not run.
    zero = const(0.0, x) if portable() else ops.zeros_like(x)
    return ops.where(ops.equal(x, peak), zero, x - peak)


def native_or_careful(x, axis, native, careful, flags_bad_rows):
    """A normalizer (softmax) along ``axis``: ``native`` (one
    TensorFlow kernel over the last axis) where it applies, ``careful(x, axis)``
    otherwise (another axis, or compiled: under XLA the careful formula fuses
    into one loop per pass, faster than XLA's lowering of the native ops).

    Native kernels are exact for finite logits; only a slice with +inf, NaN or
    only -inf goes wrong. The rows ``flags_bad_rows(y)`` marks in the kernel's
    output are redone carefully and scattered back, in a branch the common
    case never runs.

    Portable graphs take the careful formula always: the repair branch, with
    its WHERE, GATHER_ND and SCATTER_ND, has no portable equivalent, and the
    careful formula gives the documented limits for every row without one
    (TFLite still fuses it into its SOFTMAX op)."""
    rank = _rank(x)
    last_axis = isinstance(axis, int) and rank is not None and axis in (-1, rank - 1)
    if not _NATIVE or not last_axis or under_xla() or portable():
        return careful(x, axis)
    rows = ops.reshape(x, [-1, tf.shape(x)[-1]])
    y = native(rows, axis=-1)
    bad = ops.where(flags_bad_rows(y))

    def redo():
        return tf.tensor_scatter_nd_update(y, bad, careful(tf.gather_nd(rows, bad), -1))

    y = tf.cond(tf.size(bad) > 0, redo, lambda: y)
    return ops.reshape(y, tf.shape(x))


def _rank(x):
    return x.shape.rank if _NATIVE else len(x.shape)


def static_size(x):
    """The number of elements of ``x``, or None where a size is unknown
    (only TensorFlow traces with unknown sizes)."""
    if _NATIVE:
        return x.shape.num_elements()
    return math.prod(x.shape)


_dims = ops.dims


def halved_shape(name):
    """The ``output_shape`` of an activation that halves its ``axis`` (glu
    and the gated units): the input's shape, that axis halved; an axis out
    of range or of odd size is a ValueError naming ``name``."""

    def output_shape(input_shape, axis=-1, **_):
        shape = list(input_shape)
        if not -len(shape) <= axis < len(shape):
            raise ValueError(
                f"{name}: axis {axis} is out of range for an input of rank {len(shape)} "
                f"(shape {tuple(input_shape)})."
            )
        size = shape[axis]
        if size is not None:
            if size % 2:
                raise ValueError(
                    f"{name} splits axis {axis} in two halves, but its size is {size} "
                    f"(odd) in input shape {tuple(input_shape)}."
                )
            shape[axis] = size // 2
        return tuple(shape)

    return output_shape


def halves(x, axis):
    """The first and second halves of ``x`` along ``axis``, as a reshape to a
    (2, size / 2) pair and an unstack: XLA fuses that where a split of the
    innermost axis (and the matching concat) runs ~20% slower."""
    axis = axis % _rank(x)
    shape = _dims(x)
    paired = shape[:axis] + [2, shape[axis] // 2] + shape[axis + 1 :]
    return ops.unstack(ops.reshape(x, paired), num=2, axis=axis)


def joined(first, second, axis, like):
    """The inverse of ``halves``: a tensor shaped ``like``."""
    axis = axis % _rank(like)
    return ops.reshape(ops.stack([first, second], axis=axis), _dims(like))

"""Small helpers shared by the catalog modules."""

import tensorflow as tf

from keras_acts.core import in_xla_context

# Keyword arguments every catalog definition passes to define_activation.
CATALOG = dict(package="keras_acts")


def const(value, x):
    """``value`` as a constant of ``x``'s dtype (float64 stays float64)."""
    return tf.constant(value, dtype=x.dtype)


def negated(x):
    """``-x``, written as a multiply by -1 (exact, as negation is).

    TensorFlow's graph optimizer merges a chain of unary ops that begins with
    ``Neg`` (``sigmoid(-x)``, ``exp(-|x|)``) into one ``_UnaryOpsComposition``
    kernel, whose CPU work split costs ~60 microseconds a call on a tensor of
    2^14 elements, more than the whole chain run as separate kernels: a
    multiply ends the chain."""
    return x * const(-1.0, x)


def shifted_below_peak(x, axis):
    """``x - max(x)`` along ``axis``, exactly 0 where ``x`` is the peak,
    even for an infinite peak (``inf - inf`` would be NaN)."""
    peak = tf.reduce_max(x, axis=axis, keepdims=True)
    return tf.where(tf.equal(x, peak), tf.zeros_like(x), x - peak)


def native_or_careful(x, axis, native, careful, flags_bad_rows):
    """A normalizer (softmax, log_softmax) along ``axis``: ``native`` (one
    TensorFlow kernel over the last axis) where it applies, ``careful(x, axis)``
    otherwise (another axis, or compiled: under XLA the careful formula fuses
    into one loop per pass, faster than XLA's lowering of the native ops).

    Native kernels are exact for finite logits; only a slice with +inf, NaN or
    only -inf goes wrong. The rows ``flags_bad_rows(y)`` marks in the kernel's
    output are redone carefully and scattered back, in a branch the common
    case never runs."""
    rank = x.shape.rank
    last_axis = isinstance(axis, int) and rank is not None and axis in (-1, rank - 1)
    if not last_axis or in_xla_context():
        return careful(x, axis)
    rows = tf.reshape(x, [-1, tf.shape(x)[-1]])
    y = native(rows, axis=-1)
    bad = tf.where(flags_bad_rows(y))

    def redo():
        return tf.tensor_scatter_nd_update(y, bad, careful(tf.gather_nd(rows, bad), -1))

    y = tf.cond(tf.size(bad) > 0, redo, lambda: y)
    return tf.reshape(y, tf.shape(x))


def sigmoid_and_slope(z, shared=False):
    """``sigmoid(z)`` and ``sigmoid(z) * sigmoid(-z)`` from one exp and one
    division, both to full precision: with e = exp(-|z|), the slope is
    e / (1 + e)^2 for either sign (``s * (1 - s)`` would cancel for large z).

    ``shared``: the form for a forward and a backward pass that XLA computes
    once for both: everything from the one tensor q = sigmoid(-|z|) =
    e / (1 + e) (the sigmoid is 1 - q or q by the sign of z, the slope
    q (1 - q)). Not otherwise: recomputed, it measured slower than 1 / (1 + e).
    """
    e = tf.exp(negated(tf.abs(z)))
    one = const(1.0, z)
    if shared:
        q = e / (one + e)
        p = one - q
        return tf.where(z >= 0, p, q), q * p
    r = tf.math.reciprocal(one + e)
    er = e * r
    return tf.where(z >= 0, r, er), er * r

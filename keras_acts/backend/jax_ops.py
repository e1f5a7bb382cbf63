"""The formulas' primitives on JAX: ``jax.numpy`` and ``jax.nn``, each of
which keeps float64 in float64 (with x64 enabled)."""

import jax
import jax.numpy as jnp
from jax.scipy import special

# -- element-wise ----------------------------------------------------------------
abs = jnp.abs  # noqa: A001  (keras.ops's names, shadowing builtins on purpose)
cos = jnp.cos
erf = special.erf
erfc = special.erfc
exp = jnp.exp
expm1 = jnp.expm1
log = jnp.log
log1p = jnp.log1p
reciprocal = jnp.reciprocal
relu = jax.nn.relu
relu6 = jax.nn.relu6
sigmoid = jax.nn.sigmoid
sign = jnp.sign
sin = jnp.sin
softsign = jax.nn.soft_sign
sqrt = jnp.sqrt
tanh = jnp.tanh
isnan = jnp.isnan
isinf = jnp.isinf
isfinite = jnp.isfinite
maximum = jnp.maximum
minimum = jnp.minimum
clip = jnp.clip
where = jnp.where
equal = jnp.equal
not_equal = jnp.not_equal
logical_and = jnp.logical_and
logical_or = jnp.logical_or
logical_not = jnp.logical_not
zeros_like = jnp.zeros_like
ones_like = jnp.ones_like


def softplus(x):
    """``log(1 + exp(x))`` for any x (jax.nn.softplus is logaddexp(x, 0))."""
    return jnp.maximum(x, 0) + jnp.log1p(jnp.exp(-jnp.abs(x)))


def identity(x):
    return x


# A jitted train step is one XLA program: what a backward pass recomputes
# from a kept tensor passes through this barrier, or XLA merges it with the
# forward pass's same terms and keeps those alive between the passes
# (``keras_acts.numerics.recomputed_from``).
optimization_barrier = jax.lax.optimization_barrier


# -- reductions and shapes ---------------------------------------------------------
def sum(x, axis=None, keepdims=False):  # noqa: A001
    return jnp.sum(x, axis=axis, keepdims=keepdims)


def max(x, axis=None, keepdims=False):  # noqa: A001
    return jnp.max(x, axis=axis, keepdims=keepdims)


def min(x, axis=None, keepdims=False):  # noqa: A001
    return jnp.min(x, axis=axis, keepdims=keepdims)


def any(x, axis=None, keepdims=False):  # noqa: A001
    return jnp.any(x, axis=axis, keepdims=keepdims)


def cumsum(x, axis):
    return jnp.cumsum(x, axis=axis)


moveaxis = jnp.moveaxis
reshape = jnp.reshape
stack = jnp.stack


def cast(x, dtype):
    return x.astype(dtype)


def unstack(x, num, axis):
    return [jnp.take(x, i, axis=axis) for i in range(num)]


def full_like(x, value):
    return jnp.full_like(x, value)


def dims(x):
    return list(x.shape)


def sort_descending(x):
    return -jnp.sort(-x, axis=-1)


def arange(start, stop, like):
    return jnp.arange(start, stop, dtype=like.dtype)


def constant(value, like):
    return jnp.asarray(value, dtype=like.dtype)


def dtype_name(x):
    return jnp.dtype(x.dtype).name


def largest(x):
    return float(jnp.finfo(x.dtype).max)

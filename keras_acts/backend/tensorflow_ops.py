"""The formulas' primitives on TensorFlow: the ``tf`` kernels themselves,
so that a formula traces to exactly the graph it traced to before the seam."""

import tensorflow as tf

# -- element-wise ----------------------------------------------------------------
abs = tf.abs  # noqa: A001  (keras.ops's names, shadowing builtins on purpose)
cos = tf.cos
erf = tf.math.erf
erfc = tf.math.erfc
exp = tf.exp
expm1 = tf.math.expm1
log = tf.math.log
log1p = tf.math.log1p
reciprocal = tf.math.reciprocal
relu = tf.nn.relu
relu6 = tf.nn.relu6
sigmoid = tf.sigmoid
sign = tf.sign
sin = tf.sin
softplus = tf.math.softplus
softsign = tf.nn.softsign
sqrt = tf.sqrt
tanh = tf.tanh
isnan = tf.math.is_nan
isinf = tf.math.is_inf
isfinite = tf.math.is_finite
maximum = tf.maximum
minimum = tf.minimum
clip = tf.clip_by_value
where = tf.where
equal = tf.equal
not_equal = tf.not_equal
logical_and = tf.logical_and
logical_or = tf.logical_or
logical_not = tf.logical_not
zeros_like = tf.zeros_like
ones_like = tf.ones_like
identity = tf.identity

# -- reductions and shapes ---------------------------------------------------------
sum = tf.reduce_sum  # noqa: A001
max = tf.reduce_max  # noqa: A001
min = tf.reduce_min  # noqa: A001
any = tf.reduce_any  # noqa: A001
cumsum = tf.math.cumsum
moveaxis = tf.experimental.numpy.moveaxis
reshape = tf.reshape
stack = tf.stack
cast = tf.cast


def unstack(x, num, axis):
    return tf.unstack(x, num=num, axis=axis)


def full_like(x, value):
    """``x``'s shape filled with the scalar tensor ``value``."""
    return tf.fill(tf.shape(x), value)


def dims(x):
    """``x``'s shape as a list: ints where known, scalar tensors elsewhere
    (a static shape costs no kernels at run time)."""
    return [tf.shape(x)[i] if d is None else d for i, d in enumerate(x.shape)]


def sort_descending(x):
    """``x`` sorted along its last axis, largest first."""
    return tf.math.top_k(x, k=tf.shape(x)[-1], sorted=True)[0]


def arange(start, stop, like):
    """``start, ..., stop - 1`` in ``like``'s dtype (``stop`` may be a
    tensor)."""
    return tf.cast(tf.range(start, stop), like.dtype)


def constant(value, like):
    """``value`` as a constant of ``like``'s dtype."""
    return tf.constant(value, dtype=like.dtype)


def dtype_name(x):
    """``x``'s dtype as Keras names it ("float32", "bfloat16", ...)."""
    return x.dtype.name


def largest(x):
    """The largest finite number of ``x``'s dtype."""
    return x.dtype.max

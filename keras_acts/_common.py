"""Small helpers shared by the catalog modules."""

import tensorflow as tf

# Keyword arguments every catalog definition passes to define_activation.
CATALOG = dict(package="keras_acts")


def const(value, x):
    """``value`` as a constant of ``x``'s dtype (float64 stays float64)."""
    return tf.constant(value, dtype=x.dtype)

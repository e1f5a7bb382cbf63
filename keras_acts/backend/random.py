"""Uniform draws from a seed tensor, as each backend's ``keras.random``
draws them, so that the forward and backward passes of a random activation
regenerate the same numbers from the one seed they share.

``keras.random.uniform`` takes a ``SeedGenerator`` or an int, not the seed
tensor a generator hands out: the draw from that tensor is written here,
per backend, as Keras writes it.
"""

from keras_acts import backend


def uniform_like(x, lower, upper, seed):
    """Numbers uniform in ``[lower, upper)``, shaped and typed like ``x``,
    from the seed tensor ``seed`` (two integers)."""
    return _UNIFORM[backend.NAME](x, lower, upper, seed)


def _tensorflow(x, lower, upper, seed):
    import tensorflow as tf

    return tf.random.stateless_uniform(
        tf.shape(x), seed=seed, minval=tf.constant(lower, x.dtype),
        maxval=tf.constant(upper, x.dtype), dtype=x.dtype,
    )


def _jax(x, lower, upper, seed):
    import jax

    return jax.random.uniform(seed, shape=x.shape, dtype=x.dtype, minval=lower, maxval=upper)


def _torch(x, lower, upper, seed):
    import torch

    generator = torch.Generator(device=x.device)
    first, second = (int(s) for s in seed)
    generator.manual_seed((first + second) & 0xFFFFFFFF)
    unit = torch.rand(x.shape, generator=generator, dtype=x.dtype, device=x.device)
    return (upper - lower) * unit + lower


_UNIFORM = {"tensorflow": _tensorflow, "jax": _jax, "torch": _torch}

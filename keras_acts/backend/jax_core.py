"""The hand-written-gradient core on JAX: ``jax.custom_vjp``.

The residuals between the passes are the tensors the activation's ``keep``
names (``x``, ``y``, both or neither) and its parameter tensors (weights,
alive anyway); autodiff of the formula would keep every intermediate. It
composes with ``jit``, ``vmap`` and ``grad`` of ``grad`` (the backward is
written in differentiable ops). Forward mode (``jax.jvp``, ``jacfwd``) is
not defined for ``custom_vjp`` functions: JAX raises its own TypeError.
"""

import jax
import jax.numpy as jnp


def sum_to_shape(grad, like):
    """A broadcast gradient summed back to the shape of ``like``."""
    if grad.shape == like.shape:
        return grad
    lead = grad.ndim - like.ndim
    axes = tuple(range(lead)) + tuple(
        lead + i for i, size in enumerate(like.shape) if size == 1 and grad.shape[lead + i] != 1
    )
    return jnp.reshape(jnp.sum(grad, axis=axes), like.shape)


def apply(forward, backward, keep, x, tensors):
    """``forward(x, *tensors)`` whose gradient is ``backward(dy, kept_x,
    kept_y, *tensors)``."""

    @jax.custom_vjp
    def core(x, *tensors):
        return forward(x, *tensors)

    def forward_keeping(x, *tensors):
        y = forward(x, *tensors)
        return y, (x if "x" in keep else None, y if "y" in keep else None, tensors)

    def backward_from_kept(residuals, dy):
        kept_x, kept_y, tensors = residuals
        grads = backward(dy, kept_x, kept_y, *tensors)
        if not tensors:
            return (grads,)
        dx, *dparams = grads
        return (dx, *(sum_to_shape(g, p) for g, p in zip(dparams, tensors)))

    core.defvjp(forward_keeping, backward_from_kept)
    return core(x, *tensors)

"""The hand-written-gradient core on PyTorch: a ``torch.autograd.Function``.

It saves for the backward pass only the tensors the activation's ``keep``
names, and its parameter tensors (weights, alive anyway). Keras's own
``keras.ops.custom_gradient`` on PyTorch saves every input and calls the
gradient with another signature, so the core is ours.
"""

import torch


def sum_to_shape(grad, like):
    """A broadcast gradient summed back to the shape of ``like``."""
    if grad.shape == like.shape:
        return grad
    lead = grad.dim() - like.dim()
    axes = tuple(range(lead)) + tuple(
        lead + i for i, size in enumerate(like.shape) if size == 1 and grad.shape[lead + i] != 1
    )
    return torch.sum(grad, dim=axes).reshape(like.shape)


class _Core(torch.autograd.Function):
    @staticmethod
    def forward(ctx, passes, x, *tensors):
        forward, backward, keep = passes
        y = forward(x, *tensors)
        ctx.backward_pass = backward
        ctx.save_for_backward(
            x if "x" in keep else None, y if "y" in keep else None, *tensors
        )
        return y

    @staticmethod
    def backward(ctx, dy):
        kept_x, kept_y, *tensors = ctx.saved_tensors
        grads = ctx.backward_pass(dy, kept_x, kept_y, *tensors)
        if not tensors:
            return None, grads
        dx, *dparams = grads
        return (None, dx, *(sum_to_shape(g, p) for g, p in zip(dparams, tensors)))


def apply(forward, backward, keep, x, tensors):
    """``forward(x, *tensors)`` whose gradient is ``backward(dy, kept_x,
    kept_y, *tensors)``."""
    return _Core.apply((forward, backward, keep), x, *tensors)

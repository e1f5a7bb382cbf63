"""The custom-gradient core: one activation call, forward and backward.

The forward pass runs the activation's formula; the backward pass is its
hand-written vector-Jacobian product, which keeps alive only what the
activation's ``keep`` names (``x``, ``y``, both or neither) and recomputes
the rest. Trainable parameters enter as explicit tensors, and their
gradients are summed back to each parameter's shape. Each pass is compiled
by XLA where ``fusion`` says that pays.

This module and ``keras_acts.numerics`` are the seam behind which the
TensorFlow-only machinery sits (``tf.custom_gradient``, fusion, native
kernels): the catalog's formulas do not depend on it.
"""

import tensorflow as tf

from keras_acts.engine import fusion


def _in_dtype(value, dtype):
    # tf.cast(0.1, float64) would round 0.1 through float32 first.
    if isinstance(value, (int, float)):
        return tf.constant(value, dtype=dtype)
    return tf.cast(value, dtype)


def _cache_logits(y, x):
    # Keras's cross-entropy losses look for this to work from logits.
    try:
        y._keras_logits = x
    except AttributeError:  # eager tensors are C types
        pass


def apply(activation, x, params):
    """Run ``activation`` on a floating tensor ``x`` with validated
    ``params`` (``keras_acts.engine.inputs.apply`` makes sure of both)."""
    static = {k: v for k, v in params.items() if k not in activation.differentiable}
    tensors = [_in_dtype(params[k], x.dtype) for k in activation.differentiable]
    y = _core(activation, x, tensors, static)
    if activation.keras_logits:
        _cache_logits(y, x)
    return y


def _sum_to_shape(grad, like):
    """Reduce a broadcast gradient back to the shape of ``like``."""
    grad_shape, like_shape = tf.shape(grad), tf.shape(like)
    axes, _ = tf.raw_ops.BroadcastGradientArgs(s0=like_shape, s1=grad_shape)
    return tf.reshape(tf.reduce_sum(grad, axis=axes), like_shape)


def _core(activation, x, tensors, static):
    keep = activation.kept(static)
    has_parameters = bool(activation.differentiable)
    forward, backward = (
        fusion.fused_pair(activation, x, tensors, static, keep)
        or activation.passes(static)
    )

    @tf.custom_gradient
    def core(x, *tensors):
        if tf.executing_eagerly():
            # An eager tape would also record the forward's own ops (only the
            # custom gradient is ever used), keeping their tensors alive, and
            # would ask a compiled forward for a differentiable variant.
            y = forward(tf.stop_gradient(x), *map(tf.stop_gradient, tensors))
        else:
            y = forward(x, *tensors)
        # The backward closure references only what it keeps: that is the
        # memory a training step holds for this activation.
        kept_x = x if "x" in keep else None
        kept_y = y if "y" in keep else None

        def grad(dy):
            grads = backward(dy, kept_x, kept_y, *tensors)
            if not has_parameters:
                return grads
            dx, *dparams = grads
            return [dx] + [_sum_to_shape(g, p) for g, p in zip(dparams, tensors)]

        return y, grad

    return core(x, *tensors)

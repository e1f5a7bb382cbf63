"""The custom-gradient core on TensorFlow: ``tf.custom_gradient``.

The backward closure keeps alive only what the activation's ``keep`` names
(``x``, ``y``, both or neither). Each pass is compiled by XLA where
``fusion`` says that pays (the fused pair), which is why this core, unlike
the other backends' (``keras_acts.backend``), lives with the engine.
"""

import tensorflow as tf

from keras_acts.engine import fusion


def _sum_to_shape(grad, like):
    """Reduce a broadcast gradient back to the shape of ``like``."""
    grad_shape, like_shape = tf.shape(grad), tf.shape(like)
    axes, _ = tf.raw_ops.BroadcastGradientArgs(s0=like_shape, s1=grad_shape)
    return tf.reshape(tf.reduce_sum(grad, axis=axes), like_shape)


def core(activation, x, tensors, static):
    """``activation`` on ``x`` with its parameter ``tensors`` and ``static``
    parameters, through ``tf.custom_gradient``."""
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

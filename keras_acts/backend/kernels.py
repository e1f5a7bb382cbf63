"""Where TensorFlow has one native kernel for a step of a formula, the
kernel; on the other backends the same step written out.

The kernels keep TensorFlow's graph optimizer's fusions (a Dense layer's
MatMul + BiasAdd + Relu, say) and are each one pass over memory; the formula
beside each is the kernel's exact rule, NaN and kinks included, so every
backend gives the values TensorFlow does.
"""

from keras_acts import backend
from keras_acts.backend import ops

if backend.is_tensorflow():
    import tensorflow as tf

_NATIVE = backend.is_tensorflow()


def _zero(like):
    return ops.zeros_like(like)


def relu_grad(dy, features):
    """``dy`` where ``features > 0``, else 0 (TensorFlow's ReluGrad)."""
    if _NATIVE:
        return tf.raw_ops.ReluGrad(gradients=dy, features=features)
    return ops.where(features > 0, dy, _zero(dy))


def relu6_grad(dy, features):
    """``dy`` where ``0 < features < 6``, else 0 (Relu6Grad)."""
    if _NATIVE:
        return tf.raw_ops.Relu6Grad(gradients=dy, features=features)
    inside = ops.logical_and(features > 0, features < ops.constant(6.0, features))
    return ops.where(inside, dy, _zero(dy))


def leaky_relu(x, negative_slope):
    """``x`` where ``x > 0``, else ``negative_slope * x`` (LeakyRelu, whose
    slope attribute is float32: float64 takes the formula)."""
    if _NATIVE and ops.dtype_name(x) != "float64":
        return tf.nn.leaky_relu(x, alpha=negative_slope)
    return ops.where(x > 0, x, x * ops.constant(negative_slope, x))


def leaky_relu_grad(dy, features, negative_slope):
    """``dy`` where ``features > 0``, else ``negative_slope * dy``
    (LeakyReluGrad; float64 takes the formula, as ``leaky_relu``)."""
    if _NATIVE and ops.dtype_name(features) != "float64":
        return tf.raw_ops.LeakyReluGrad(gradients=dy, features=features, alpha=negative_slope)
    return ops.where(features > 0, dy, dy * ops.constant(negative_slope, features))


def elu_grad(dy, y):
    """``dy * (y + 1)`` where ``y < 0``, else ``dy`` (EluGrad, alpha 1)."""
    if _NATIVE:
        return tf.raw_ops.EluGrad(gradients=dy, outputs=y)
    return ops.where(y < 0, dy * (y + ops.constant(1.0, y)), dy)


def selu_grad(dy, y, scale, alpha):
    """``dy * (y + scale * alpha)`` where ``y < 0``, else ``dy * scale``
    (SeluGrad, whose constants are these)."""
    if _NATIVE:
        return tf.raw_ops.SeluGrad(gradients=dy, outputs=y)
    negative = dy * (y + ops.constant(scale * alpha, y))
    return ops.where(y < 0, negative, dy * ops.constant(scale, y))


def sigmoid_grad(dy, y):
    """``dy * y * (1 - y)`` (SigmoidGrad)."""
    if _NATIVE:
        return tf.raw_ops.SigmoidGrad(y=y, dy=dy)
    return dy * y * (ops.constant(1.0, y) - y)


def tanh_grad(dy, y):
    """``dy * (1 - y^2)`` (TanhGrad)."""
    if _NATIVE:
        return tf.raw_ops.TanhGrad(y=y, dy=dy)
    return dy * (ops.constant(1.0, y) - y * y)


def softsign_grad(dy, x):
    """``dy / (1 + |x|)^2`` (SoftsignGrad)."""
    if _NATIVE:
        return tf.raw_ops.SoftsignGrad(gradients=dy, features=x)
    denominator = ops.constant(1.0, x) + ops.abs(x)
    return dy / (denominator * denominator)


# -- TensorFlow's alone: callers check that the native form suffices -------------


def native_elu(x):
    """TensorFlow's Elu kernel (``exp(x) - 1`` below 0: imprecise near 0; see
    ``keras_acts.numerics.native_elu_suffices``)."""
    return tf.nn.elu(x)


def native_selu(x):
    """TensorFlow's Selu kernel, as ``native_elu``."""
    return tf.nn.selu(x)


def native_softplus_grad(dy, x):
    """TensorFlow's SoftplusGrad, ``dy / (1 + exp(-x))``."""
    return tf.raw_ops.SoftplusGrad(gradients=dy, features=x)


def native_softmax(x, axis):
    """TensorFlow's Softmax kernel (exact for finite logits)."""
    return tf.nn.softmax(x, axis=axis)


def native_log_softmax(x, axis):
    """TensorFlow's LogSoftmax kernel (exact for finite logits)."""
    return tf.nn.log_softmax(x, axis=axis)


def native_while_loop(condition, body, loop_vars, maximum_iterations):
    """TensorFlow's while_loop (one graph loop, not a Python one)."""
    return tf.while_loop(condition, body, loop_vars, maximum_iterations=maximum_iterations)

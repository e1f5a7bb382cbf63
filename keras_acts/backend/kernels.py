"""Where TensorFlow has one native kernel for a step of a formula, the
kernel; on the other backends the same step written out.

The kernels keep TensorFlow's graph optimizer's fusions (a Dense layer's
MatMul + BiasAdd + Relu, say) and are each one pass over memory; the formula
beside each is the kernel's exact rule, NaN and kinks included, so every
backend gives the values TensorFlow does. On PyTorch, which runs each op of
a formula eagerly as its own kernel, ``eager_or`` and ``finite_or`` put
PyTorch's own kernel of the same rule in a formula's place (the formulas of
the families too), where ``keras_acts.backend.torch_ops`` has one.
"""

from keras_acts import backend
from keras_acts.backend import ops

if backend.is_tensorflow():
    import tensorflow as tf

_NATIVE = backend.is_tensorflow()


def _zero(like):
    return ops.zeros_like(like)


def eager_or(name, formula, *tensors, **static):
    """``formula(*tensors)``, or on PyTorch its own kernel of the same exact
    rule, ``ops.EXACT_KERNELS[name]``, where that applies to these tensors
    and ``static`` arguments (which go to the kernel; the formula holds its
    own). Eager PyTorch runs each op of a formula as a kernel of its own, a
    pass over memory into a fresh tensor; the kernel is one. Exact wherever
    it applies, so its result is not checked (``numerics.eager_kernel`` is
    for kernels exact only at finite inputs). Elsewhere the formula alone
    runs: no op is added to TensorFlow's graphs or JAX's programs."""
    entry = _EXACT.get(name)
    if entry is not None and entry[0](*tensors, **static):
        return entry[1](*tensors, **static)
    return formula(*tensors)


def finite_or(name, formula, *tensors, **static):
    """As ``eager_or``, for PyTorch's kernels ``ops.FINITE_KERNELS[name]``
    exact only where their result is finite (softmax's, at finite logits):
    the result is checked (one read of it) and the formula runs where it is
    not finite. Unlike ``numerics.eager_kernel`` it marks nothing finite: a
    finite softmax does not say its logits are (-inf gives 0)."""
    entry = _FINITE.get(name)
    if entry is None or not entry[0](*tensors, **static):
        return formula(*tensors)
    out = entry[1](*tensors, **static)
    return out if ops.all_finite(out) else formula(*tensors)


_EXACT = getattr(ops, "EXACT_KERNELS", {})
_FINITE = getattr(ops, "FINITE_KERNELS", {})


def relu_grad(dy, features):
    """``dy`` where ``features > 0``, else 0 (TensorFlow's ReluGrad)."""
    if _NATIVE:
        return tf.raw_ops.ReluGrad(gradients=dy, features=features)
    return eager_or("relu_grad", lambda dy, f: ops.where(f > 0, dy, _zero(dy)), dy, features)


def relu6_grad(dy, features):
    """``dy`` where ``0 < features < 6``, else 0 (Relu6Grad)."""
    if _NATIVE:
        return tf.raw_ops.Relu6Grad(gradients=dy, features=features)
    return eager_or("relu6_grad", _relu6_grad, dy, features)


def _relu6_grad(dy, features):
    inside = ops.logical_and(features > 0, features < ops.constant(6.0, features))
    return ops.where(inside, dy, _zero(dy))


def leaky_relu(x, negative_slope):
    """``x`` where ``x > 0``, else ``negative_slope * x`` (LeakyRelu, whose
    slope attribute is float32: float64 takes the formula)."""
    if _NATIVE and ops.dtype_name(x) != "float64":
        return tf.nn.leaky_relu(x, alpha=negative_slope)
    return eager_or(
        "leaky_relu",
        lambda x: ops.where(x > 0, x, x * ops.constant(negative_slope, x)),
        x,
        negative_slope=negative_slope,
    )


def leaky_relu_grad(dy, features, negative_slope):
    """``dy`` where ``features > 0``, else ``negative_slope * dy``
    (LeakyReluGrad; float64 takes the formula, as ``leaky_relu``)."""
    if _NATIVE and ops.dtype_name(features) != "float64":
        return tf.raw_ops.LeakyReluGrad(gradients=dy, features=features, alpha=negative_slope)
    return eager_or(
        "leaky_relu_grad",
        lambda dy, f: ops.where(f > 0, dy, dy * ops.constant(negative_slope, f)),
        dy,
        features,
        negative_slope=negative_slope,
    )


def elu_grad(dy, y):
    """``dy * (y + 1)`` where ``y < 0``, else ``dy`` (EluGrad, alpha 1)."""
    if _NATIVE:
        return tf.raw_ops.EluGrad(gradients=dy, outputs=y)
    return eager_or(
        "elu_grad", lambda dy, y: ops.where(y < 0, dy * (y + ops.constant(1.0, y)), dy), dy, y
    )


def selu_grad(dy, y, scale, alpha):
    """``dy * (y + scale * alpha)`` where ``y < 0``, else ``dy * scale``
    (SeluGrad, whose constants are these)."""
    if _NATIVE:
        return tf.raw_ops.SeluGrad(gradients=dy, outputs=y)

    def formula(dy, y):
        negative = dy * (y + ops.constant(scale * alpha, y))
        return ops.where(y < 0, negative, dy * ops.constant(scale, y))

    return eager_or("selu_grad", formula, dy, y, scale=scale, alpha=alpha)


def sigmoid_grad(dy, y):
    """``dy * y * (1 - y)`` (SigmoidGrad)."""
    if _NATIVE:
        return tf.raw_ops.SigmoidGrad(y=y, dy=dy)
    return eager_or("sigmoid_grad", lambda dy, y: dy * y * (ops.constant(1.0, y) - y), dy, y)


def tanh_grad(dy, y):
    """``dy * (1 - y^2)`` (TanhGrad)."""
    if _NATIVE:
        return tf.raw_ops.TanhGrad(y=y, dy=dy)
    return eager_or("tanh_grad", lambda dy, y: dy * (ops.constant(1.0, y) - y * y), dy, y)


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

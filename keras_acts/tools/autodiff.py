"""The tools' view of the active Keras backend: tensors in and NumPy out,
gradients through the backend's own autodiff, and the modes a check runs in.

``keras-acts plot``, ``check`` and ``check --stress`` call the activations
through this module, so they run on TensorFlow, JAX or PyTorch alike and
import only the backend in use. What differs:

* **gradients**: ``tf.GradientTape`` on TensorFlow, ``jax.vjp`` on JAX,
  ``torch.autograd.grad`` on PyTorch; each goes through our hand-written
  backward pass (``tf.custom_gradient``, ``jax.custom_vjp``,
  ``torch.autograd.Function``).
* **modes** (``GRADIENT_MODES``): where the same step also runs compiled.
  On JAX that is ``jax.jit``; PyTorch has eager mode only here. TensorFlow's
  ``tf.function``, fused and XLA paths are the stress checks' own
  (``keras_acts.tools.properties``).
* **float64**: JAX computes in float32 unless its x64 mode is on;
  ``float64()`` turns it on inside a block (elsewhere it does nothing).
"""

import contextlib

import numpy as np

# The modes the gradient check of ``keras-acts check`` runs in, per backend.
GRADIENT_MODES = {"tensorflow": ("eager",), "jax": ("eager", "jax.jit"), "torch": ("eager",)}
BACKEND_TITLES = {"tensorflow": "TensorFlow", "jax": "JAX", "torch": "PyTorch"}


def name():
    """The active Keras backend: ``"tensorflow"``, ``"jax"`` or ``"torch"``."""
    import keras

    return keras.backend.backend()


def title():
    """The active backend as people write it (``PyTorch``)."""
    return BACKEND_TITLES.get(name(), name())


def is_tensorflow():
    return name() == "tensorflow"


def gradient_modes():
    return GRADIENT_MODES.get(name(), ("eager",))


@contextlib.contextmanager
def float64():
    """A block where float64 tensors stay float64 (JAX's x64 mode)."""
    if name() == "jax":
        import jax

        with jax.enable_x64(True):
            yield
    else:
        yield


def tensor(value, dtype):
    """``value`` (NumPy or a number) as a tensor of the backend, of ``dtype``."""
    import keras

    return keras.ops.convert_to_tensor(np.asarray(value), dtype=dtype)


def cast(value, dtype):
    import keras

    return keras.ops.cast(value, dtype)


def numpy(value, dtype=None):
    """A tensor of any backend (or a list of them) as NumPy, detached."""
    import keras

    if isinstance(value, (list, tuple)):
        return [numpy(v, dtype) for v in value]
    if dtype is not None:
        value = keras.ops.cast(value, dtype)
    return np.asarray(keras.ops.convert_to_numpy(value))


def vjp_step(f, mode="eager"):
    """``step(upstream, *inputs) -> (y, [dy/d input . upstream, ...])``:
    ``f``'s value and its vector-Jacobian product with respect to every
    input through the backend's autodiff, run in ``mode`` (one of
    ``gradient_modes()``; ``"jax.jit"`` compiles the step once for each
    input shape and dtype). A gradient that does not depend on an input is
    zeros. Tensors in, tensors out."""
    backend = name()
    if backend == "tensorflow":
        return _tensorflow_step(f)
    if backend == "jax":
        return _jax_step(f, jit=mode == "jax.jit")
    if backend == "torch":
        return _torch_step(f)
    raise ValueError(f"no gradient step for the Keras backend {backend!r}")


def _tensorflow_step(f):
    import tensorflow as tf

    def step(upstream, *inputs):
        with tf.GradientTape() as tape:
            for value in inputs:
                tape.watch(value)
            y = f(*inputs)
        grads = tape.gradient(y, list(inputs), output_gradients=tf.cast(upstream, y.dtype),
                              unconnected_gradients=tf.UnconnectedGradients.ZERO)
        return y, grads

    return step


def _jax_step(f, jit):
    import jax

    def step(upstream, *inputs):
        y, pull = jax.vjp(f, *inputs)
        return y, list(pull(upstream.astype(y.dtype)))

    return jax.jit(step) if jit else step


def _torch_step(f):
    import torch

    def step(upstream, *inputs):
        leaves = [v.detach().clone().requires_grad_(True) for v in inputs]
        y = f(*leaves)
        grads = torch.autograd.grad(y, leaves, upstream.to(y.dtype), allow_unused=True)
        return y.detach(), [torch.zeros_like(v) if g is None else g for v, g in zip(leaves, grads)]

    return step


def quiet():
    """TensorFlow's and absl's Python loggers down to errors, where TensorFlow
    is the backend (elsewhere nothing: TensorFlow is not imported)."""
    if not is_tensorflow():
        return
    import logging

    import tensorflow as tf

    tf.get_logger().setLevel(logging.ERROR)
    try:
        import absl.logging

        absl.logging.set_verbosity(absl.logging.ERROR)
    except ImportError:  # pragma: no cover
        pass

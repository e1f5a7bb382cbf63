"""One activation call, forward and backward, on the active backend.

The forward pass runs the activation's declared forward as it stands when
the call is traced (``Activation.forward``: its ``portable_forward`` while
TensorFlow traces a graph for export, its standard formula otherwise). A
formula may itself run one native kernel of the backend for a pass
(TensorFlow's Elu or Softplus, PyTorch's gelu), where its docstring and
``keras_acts.numerics`` say why and at what precision; nothing here picks
kernels. The backward pass is the declared, hand-written vector-Jacobian product, which
keeps alive only what the activation's ``keep`` names (``x``, ``y``, both
or neither) besides the parameter tensors, and recomputes the rest.
Trainable parameters enter the core as explicit, positional tensors in the
input's dtype, and their gradients are summed back to each parameter's
shape by the core.

The cores: TensorFlow's ``tf.custom_gradient`` (``tf_core``, where each
pass may run compiled by XLA: ``keras_acts.engine.fusion``), JAX's
``jax.custom_vjp`` and PyTorch's ``torch.autograd.Function``
(``keras_acts.backend``).
"""

import importlib

import keras

from keras_acts import backend

if backend.is_tensorflow():
    from keras_acts.engine.tf_core import core as _core
else:
    _backend_core = importlib.import_module(f"keras_acts.backend.{backend.NAME}_core")

    def _core(activation, x, tensors, static):
        forward, backward = activation.passes(static)
        return _backend_core.apply(forward, backward, activation.kept(static), x, tensors)


def _in_dtype(value, x):
    # A Python number becomes a constant of x's dtype directly: a cast of a
    # float32 constant would round 0.1 through float32 first. A Keras
    # variable becomes a tensor before it enters a core.
    if isinstance(value, (int, float)):
        return backend.ops.constant(value, x)
    if not backend.is_tensorflow():  # tf.cast reads a variable itself
        value = keras.ops.convert_to_tensor(value)
    return backend.ops.cast(value, x.dtype)


def _cache_logits(y, x):
    # Keras's cross-entropy losses look for this to work from logits.
    try:
        y._keras_logits = x
    except AttributeError:  # eager TensorFlow tensors and JAX arrays are C types
        pass


def apply(activation, x, params):
    """Run ``activation`` on a floating tensor ``x`` with validated
    ``params`` (``keras_acts.engine.inputs.apply`` makes sure of both)."""
    static = {k: v for k, v in params.items() if k not in activation.differentiable}
    tensors = [_in_dtype(params[k], x) for k in activation.differentiable]
    y = _core(activation, x, tensors, static)
    if activation.keras_logits:
        _cache_logits(y, x)
    return y

"""The one seam between the catalog and the Keras backend in use.

The catalog's formulas are written once, with the primitives of ``ops``
(named as ``keras.ops`` names them). ``ops`` binds those names to the active
backend's own kernels: on TensorFlow to the very ``tf`` functions the
formulas called before there was a seam (so TensorFlow's graphs, and its
bench rows, are unchanged), on JAX to ``jax.numpy``, on PyTorch to
``torch``. Each binding keeps float64 in float64, which ``keras.ops`` does
not everywhere (on PyTorch its ``minimum``, ``maximum`` and ``logaddexp``,
on JAX its ``tanh``, ``sin``, ``cos`` and ``logaddexp`` return float32).

The hand-written-gradient core is each backend's hand-written-gradient core:
TensorFlow's is ``tf.custom_gradient`` (``keras_acts.engine.gradient``),
JAX's ``jax.custom_vjp`` (``jax_core``), PyTorch's a
``torch.autograd.Function`` (``torch_core``); each keeps for the backward
pass only the tensors an activation's ``keep`` names.
"""

import importlib

import keras

#: The active Keras backend's name: "tensorflow", "jax" or "torch".
NAME = keras.backend.backend()

SUPPORTED = ("tensorflow", "jax", "torch")

ops = importlib.import_module(f"keras_acts.backend.{NAME}_ops")


def is_tensorflow():
    """Whether TensorFlow-only machinery (native gradient kernels, XLA
    fusion, portable export forms) may run."""
    return NAME == "tensorflow"

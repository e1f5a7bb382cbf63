"""Switches for how activations run: fusion of forward and backward passes.

Every activation's forward and backward pass can each be compiled by XLA
into one kernel (``tf.function(jit_compile=True)`` inside the custom
gradient). That saves memory traffic on large tensors, but each new input
shape costs a compilation and each call a little overhead, so by default
(``"auto"``) each pass is compiled only where it pays:

* the call is not traced inside a model-wide ``tf.function(jit_compile=True)``
  (XLA fuses the plain ops there by itself), and
* the input has at least ``min_size`` elements (counting only the known
  dimensions of a partly unknown shape; an unknown rank never fuses), and
* the pass is more than one TensorFlow kernel (an activation written as one
  native kernel each way, such as ``relu`` with ``Relu``/``ReluGrad``, gains
  nothing and would lose TensorFlow's own MatMul + BiasAdd + Relu graph
  fusion), and its function is not marked with ``native_kernels`` (its
  author measured that TensorFlow's native kernels beat XLA's, as for
  ``softmax``'s forward on CPU), and
* neither pass draws random numbers (those never fuse).

``"always"`` fuses every call (whatever its size), ``"never"`` none. Fusion
never changes results beyond float rounding.

Portable mode (``portable()``, ``set_portable()``) is for graphs that leave
TensorFlow: SavedModel signatures, TFLite, ONNX. There nothing fuses (an
XLA-compiled call would tie serving to an XLA runtime), and the few
activations whose fast form uses ops that converters lack or that run
control flow (gelu's erfc, celu's expm1, prelu's multiply_no_nan, softmax's
repair branch, sparsemax's loop) switch to a form in plain portable ops. It
is on by itself while TensorFlow traces for a SavedModel (``model.export``,
``tf.saved_model.save``, and so TFLite's ``from_keras_model``); converters
that trace on their own (tf2onnx) need ``with keras_acts.config.portable():``
(``keras-acts export`` does it). Training never runs in it.

```python
import keras_acts

keras_acts.config.set_fusion("never")
with keras_acts.config.fusion("always", min_size=0):
    pass
keras_acts.config.set_fusion("auto")
```
"""

from keras_acts.engine import fusion as _fusion

MODES = _fusion.MODES
DEFAULT_MIN_SIZE = _fusion.DEFAULT_MIN_SIZE
DEFAULT_CACHE_SIZE = _fusion.DEFAULT_CACHE_SIZE
NATIVE_ATTRIBUTE = _fusion.NATIVE_ATTRIBUTE


def fusion_mode():
    """The fusion mode in effect: ``"auto"``, ``"always"`` or ``"never"``."""
    return _fusion.mode()


def fusion_min_size():
    """The least number of elements that ``"auto"`` fuses."""
    return _fusion.min_size()


def set_fusion(mode="auto", min_size=None):
    """Set the fusion mode (process-wide default), and optionally ``min_size``.

    Affects functions traced from now on; a ``tf.function`` already traced
    keeps the choice it was traced with.
    """
    _fusion.set_defaults(mode, min_size)


def fusion(mode, min_size=None):
    """Use ``mode`` (and ``min_size``) inside a ``with`` block, this thread."""
    return _fusion.overridden(mode, min_size)


def set_portable(enabled=True):
    """Trace portable graphs from now on (process-wide default); functions
    already traced keep their graphs."""
    _fusion.set_portable_default(enabled)


def portable(enabled=True):
    """Trace portable graphs inside a ``with`` block, this thread."""
    return _fusion.portable_overridden(enabled)


def is_portable():
    """Whether graphs traced now are portable (see the module's docstring)."""
    return _fusion.portable()


def native_kernels(function):
    """Mark an activation's forward or backward function as built from native
    kernels that XLA would not beat (``"auto"`` then never fuses that pass);
    use it as a decorator, below ``define_activation`` for the forward.
    ``"always"`` still fuses it."""
    return _fusion.mark_native(function)


def set_fusion_cache_size(size):
    """At most ``size`` compiled (activation, parameters, dtype) pairs are
    kept; the least recently used go first."""
    _fusion.set_cache_size(size)


def fusion_cache_size():
    """The most compiled pairs kept (see ``set_fusion_cache_size``)."""
    return _fusion.cache_size()


def fusion_cache_entries():
    """How many compiled pairs are kept now."""
    return len(_fusion.cached_pairs())


def clear_fusion_cache():
    """Forget every compiled forward/backward pair."""
    _fusion.clear_cache()

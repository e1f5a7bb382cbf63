"""Switches for how activations run: fusion of forward and backward passes.

They steer TensorFlow. On JAX and PyTorch the fusion settings are kept but
change nothing (JAX compiles with XLA itself; PyTorch runs eagerly or under
``torch.compile``), and ``portable`` and ``set_portable``, which are about
TensorFlow's export formats, raise ``RuntimeError`` naming the backend.

Every activation's forward and backward pass can each be compiled by XLA
into one kernel (``tf.function(jit_compile=True)`` inside the custom
gradient). That saves memory traffic on large tensors, but each new input
shape costs a compilation and each call a little overhead, so by default
(``"auto"``) each pass is compiled only where it pays:

* the call is not traced inside a model-wide ``tf.function(jit_compile=True)``
  (XLA fuses the plain ops there by itself), and
* the input has at least ``min_size`` elements, where a dimension unknown
  while tracing counts as ``ASSUMED_UNKNOWN_DIM`` (64, a typical batch: a
  Keras ``fit`` whose last batch is partial traces its step with batch
  ``None``, and a layer of 1024 features still fuses there; an unknown
  rank never fuses), and
* the pass is more than one TensorFlow kernel (an activation written as one
  native kernel each way, such as ``relu`` with ``Relu``/``ReluGrad``, gains
  nothing and would lose TensorFlow's own MatMul + BiasAdd + Relu graph
  fusion), and its function is not marked with ``native_kernels`` (its
  author measured that TensorFlow's native kernels beat XLA's, as for
  ``softmax``'s forward on CPU), and
* neither pass draws random numbers (those never fuse).

``"always"`` fuses every call (whatever its size), ``"never"`` none. Fusion
never changes results beyond float rounding.

Settings and threads: ``set_fusion`` sets the process-wide default. A
``with fusion(...)`` block governs the thread that enters it, and also every
thread that has no block of its own while it is active (the most recently
entered such block): the threads ``tf.distribute`` starts for work run or
traced inside the block (MirroredStrategy's replica threads) see it, as
``set_fusion`` reaches them. ``portable()`` blocks behave the same. Settings
and caches may be read and changed from any number of threads.

The cache is bounded twice. At most ``fusion_cache_size()`` compiled
(activation, parameters, dtype) pairs are kept (256), least recently used
out first. And an eager call compiles its passes anew for each new input
shape, code that TensorFlow keeps for the life of the process (clearing or
evicting does not return it; about 490 KiB a shape, forward and backward,
measured for mish at 2^16 elements): each pair compiles at most 8 eager
shapes (``set_fusion_cache_size(size, shapes=...)``), after which a new
shape runs the plain passes, while shapes already compiled stay fused. So
while pairs are not evicted, eager compiled code stays under 256 x 8 x 490
KiB, and under 8 x 490 KiB per activation and dtype in use; a pair evicted
(or cleared) and used again compiles again. ``fusion_cache_info()`` says
where both stand, with an estimate of the memory held. Calls traced inside
a ``tf.function`` belong to that function: it compiles once per traced
signature.

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

from keras_acts import backend as _backend
from keras_acts.engine import fusion as _fusion

MODES = _fusion.MODES
DEFAULT_MIN_SIZE = _fusion.DEFAULT_MIN_SIZE
DEFAULT_CACHE_SIZE = _fusion.DEFAULT_CACHE_SIZE
NATIVE_ATTRIBUTE = _fusion.NATIVE_ATTRIBUTE
DEFAULT_SHAPE_BUDGET = _fusion.DEFAULT_SHAPE_BUDGET
ASSUMED_UNKNOWN_DIM = _fusion.ASSUMED_UNKNOWN_DIM


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
    """Use ``mode`` (and ``min_size``) inside a ``with`` block: in this
    thread, and in threads without a block of their own (see the module's
    docstring)."""
    return _fusion.overridden(mode, min_size)


def _require_tensorflow(what):
    if not _backend.is_tensorflow():
        raise RuntimeError(
            f"{what} is TensorFlow's (portable graphs are for SavedModel, TFLite "
            f"and ONNX export), but the active Keras backend is {_backend.NAME!r}. "
            "Export from a process with KERAS_BACKEND=tensorflow: a .keras file "
            "saved here loads there."
        )


def set_portable(enabled=True):
    """Trace portable graphs from now on (process-wide default); functions
    already traced keep their graphs. TensorFlow only."""
    _require_tensorflow("keras_acts.config.set_portable")
    _fusion.set_portable_default(enabled)


def portable(enabled=True):
    """Trace portable graphs inside a ``with`` block (threads as ``fusion``).
    TensorFlow only."""
    _require_tensorflow("keras_acts.config.portable")
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


def set_fusion_cache_size(size, shapes=None):
    """At most ``size`` compiled (activation, parameters, dtype) pairs are
    kept; the least recently used go first. ``shapes``, if given: each pair
    compiles at most that many eager input shapes (see the module's
    docstring)."""
    _fusion.set_cache_size(size, shapes)


def fusion_cache_info():
    """A dict: ``entries`` (compiled pairs kept), ``limit`` (the most kept),
    ``shapes_per_entry`` (the most eager shapes a pair compiles),
    ``eager_shapes_compiled`` (in this process, evicted pairs' included) and
    ``estimated_bytes``, the compiled code those hold (about 490 KiB a
    shape)."""
    return _fusion.cache_info()


def fusion_cache_size():
    """The most compiled pairs kept (see ``set_fusion_cache_size``)."""
    return _fusion.cache_size()


def fusion_cache_entries():
    """How many compiled pairs are kept now."""
    return len(_fusion.cached_pairs())


def clear_fusion_cache():
    """Forget every compiled forward/backward pair."""
    _fusion.clear_cache()

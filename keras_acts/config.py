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

```python
keras_acts.config.set_fusion("never")
with keras_acts.config.fusion("always", min_size=0):
    ...
```
"""

import contextlib
import threading

MODES = ("auto", "always", "never")
DEFAULT_MIN_SIZE = 1 << 16
DEFAULT_CACHE_SIZE = 256
NATIVE_ATTRIBUTE = "_keras_acts_native"

_state = threading.local()
_defaults = {"mode": "auto", "min_size": DEFAULT_MIN_SIZE}
_cache_size = DEFAULT_CACHE_SIZE


def _get(key):
    return getattr(_state, key, _defaults[key])


def _check_mode(mode):
    if mode not in MODES:
        raise ValueError(f"fusion mode must be one of {MODES}, got {mode!r}.")
    return mode


def _check_min_size(min_size):
    if isinstance(min_size, bool) or not isinstance(min_size, int) or min_size < 0:
        raise ValueError(f"min_size must be an int >= 0, got {min_size!r}.")
    return min_size


def fusion_mode():
    """The fusion mode in effect: ``"auto"``, ``"always"`` or ``"never"``."""
    return _get("mode")


def fusion_min_size():
    """The least number of elements that ``"auto"`` fuses."""
    return _get("min_size")


def set_fusion(mode="auto", min_size=None):
    """Set the fusion mode (process-wide default), and optionally ``min_size``.

    Affects functions traced from now on; a ``tf.function`` already traced
    keeps the choice it was traced with.
    """
    _defaults["mode"] = _check_mode(mode)
    if min_size is not None:
        _defaults["min_size"] = _check_min_size(min_size)
    for key in ("mode", "min_size"):
        if hasattr(_state, key):
            delattr(_state, key)


@contextlib.contextmanager
def fusion(mode, min_size=None):
    """Use ``mode`` (and ``min_size``) inside a ``with`` block, this thread."""
    _check_mode(mode)
    if min_size is not None:
        _check_min_size(min_size)
    saved = {k: getattr(_state, k) for k in ("mode", "min_size") if hasattr(_state, k)}
    _state.mode = mode
    if min_size is not None:
        _state.min_size = min_size
    try:
        yield
    finally:
        for key in ("mode", "min_size"):
            if key in saved:
                setattr(_state, key, saved[key])
            elif hasattr(_state, key):
                delattr(_state, key)


def native_kernels(function):
    """Mark an activation's forward or backward function as built from native
    kernels that XLA would not beat (``"auto"`` then never fuses that pass);
    use it as a decorator, below ``define_activation`` for the forward.
    ``"always"`` still fuses it."""
    setattr(function, NATIVE_ATTRIBUTE, True)
    return function


def set_fusion_cache_size(size):
    """At most ``size`` compiled (activation, parameters, dtype) pairs are
    kept; the least recently used go first."""
    global _cache_size
    _cache_size = _check_min_size(size)
    from keras_acts import core

    core._trim_fusion_cache()


def fusion_cache_size():
    return _cache_size


def clear_fusion_cache():
    """Forget every compiled forward/backward pair."""
    from keras_acts import core

    core._FUSED.clear()
    core._KERNEL_COUNTS.clear()

"""TensorFlow without JAX in the suite's own processes.

Importing TensorFlow or Keras imports JAX wherever JAX is installed
(TensorFlow's TFLite utilities try ``from jax import jit``, Keras's Orbax
callback ``import jax``; both go on without it): about 110 MB in every
TensorFlow process, and the suite's TensorFlow processes never run JAX.
``keep_jax_out()`` makes those imports fail, as they do where JAX is not
installed; JAX imported by anyone else, before or after, is untouched (the
JAX checks run in processes of their own, without TensorFlow).
"""

import sys

_JAX = ("jax", "jaxlib")
_REFUSED_TO = ("tensorflow", "keras")


def _loading(package):
    """True while ``import package`` runs (its module exists but is not
    initialized yet)."""
    module = sys.modules.get(package)
    return bool(getattr(getattr(module, "__spec__", None), "_initializing", False))


class _NoJaxWhileTensorFlowLoads:
    """A finder that refuses JAX to TensorFlow's and Keras's own imports."""

    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in _JAX and any(map(_loading, _REFUSED_TO)):
            raise ImportError(f"No module named {name!r} (kept out of TensorFlow's import by the tests)")
        return None


def keep_jax_out():
    """From now on, TensorFlow's and Keras's imports in this process do not
    import JAX."""
    if not any(isinstance(finder, _NoJaxWhileTensorFlowLoads) for finder in sys.meta_path):
        sys.meta_path.insert(0, _NoJaxWhileTensorFlowLoads())

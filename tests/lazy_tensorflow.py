"""``tf``, imported only when first used.

The reference tables' ``plain`` formulas are TensorFlow expressions (their
autodiff is a gradient reference on TensorFlow); the JAX and PyTorch checks
read the same tables for their NumPy formulas, in processes without
TensorFlow. Where TensorFlow is imported already, ``tf.x.y`` is the real
attribute; elsewhere it is a stand-in that imports TensorFlow only when
called (a table row may name ``tf.nn.relu`` as it is defined).
"""

import importlib
import sys


def _resolve(path):
    found = importlib.import_module("tensorflow")
    for name in path:
        found = getattr(found, name)
    return found


class _Lazy:
    def __init__(self, path=()):
        self._path = path

    def __getattr__(self, name):
        path = self._path + (name,)
        if sys.modules.get("tensorflow") is not None:
            return _resolve(path)
        return _Lazy(path)

    def __call__(self, *args, **kwargs):
        return _resolve(self._path)(*args, **kwargs)


tf = _Lazy()

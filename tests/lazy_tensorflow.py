"""``tf``, imported only when first used.

The reference tables' ``plain`` formulas are TensorFlow expressions (their
autodiff is a gradient reference on TensorFlow); the JAX and PyTorch checks
read the same tables for their NumPy formulas, in processes that should not
pay for importing TensorFlow.
"""

import importlib


class _Lazy:
    def __getattr__(self, name):
        return getattr(importlib.import_module("tensorflow"), name)


tf = _Lazy()

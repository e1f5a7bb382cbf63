"""Every activation of the catalog as a function: ``keras_acts.activations.<name>``.

Each is made by ``keras_acts.define_activation``'s pipeline from one
declaration in ``keras_acts.families``; this module exports them (and their
aliases, such as ``swish``) from the registry.
"""

from keras_acts import families as _families  # noqa: F401  (defines the catalog)
from keras_acts.engine.registry import builtin_faces as _builtin_faces

globals().update(_builtin_faces("function"))
__all__ = list(_builtin_faces("function"))

"""Every activation of the catalog as a Keras layer: ``keras_acts.layers.<Layer>``.

The classes are made by ``keras_acts.define_activation``'s pipeline from the
declarations in ``keras_acts.families``; this module exports each from the
registry under its name and its aliases (``Mish``, ``SiLU``, ``Swish``, ...).
"""

from keras_acts import families as _families  # noqa: F401  (defines the catalog)
from keras_acts.engine.registry import builtin_faces as _builtin_faces

globals().update(_builtin_faces("layer"))
__all__ = list(_builtin_faces("layer"))

"""Keras layers for every activation in the catalog.

The classes are made by ``keras_acts.define_activation`` from the catalog in
``keras_acts.activations``; this module exports each under its name and its
aliases (``keras_acts.layers.Mish``, ``keras_acts.layers.Swish``, ...).
"""

from keras_acts import activations as _catalog_definitions  # noqa: F401
from keras_acts.core import catalog as _catalog

__all__ = []
for _spec in _catalog():
    if _spec.package != "keras_acts":
        continue
    for _name in (_spec.layer_name, *_spec.aliases.values()):
        globals()[_name] = _spec.layer
        __all__.append(_name)
del _spec, _name

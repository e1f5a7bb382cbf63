"""keras-acts: activation functions for Keras 3, on TensorFlow, JAX and PyTorch.

Each activation has three faces: a function in ``keras_acts.activations``
with a hand-written gradient, a serializable layer in ``keras_acts.layers``,
and a string ``"<name>_custom"`` for any Keras ``activation=`` argument.
Define your own with ``keras_acts.define_activation``.
"""

from importlib import metadata as _metadata

from keras_acts._backend import require_supported_backend

require_supported_backend()

# Other libraries' parameter names, which the catalog's errors point from:
# known to the engine before the catalog is defined.
from keras_acts.compat import other_names as _other_names  # noqa: E402, F401
from keras_acts import activations  # noqa: E402  (defines the catalog)
from keras_acts import config  # noqa: E402
from keras_acts import layers  # noqa: E402
from keras_acts import params  # noqa: E402
from keras_acts.compat.torch import from_torch  # noqa: E402
from keras_acts.engine.define import define_activation  # noqa: E402
from keras_acts.engine.description import Activation, Docs, Edges, LayerOptions  # noqa: E402
from keras_acts.engine.layer_bases import NormalizerLayer  # noqa: E402
from keras_acts.engine.layers import ActivationLayer  # noqa: E402
from keras_acts.engine.registry import catalog, get, lookup, names  # noqa: E402

try:  # pyproject.toml is the one place the version is written
    __version__ = _metadata.version("keras-acts")
except _metadata.PackageNotFoundError:  # a checkout on sys.path, not installed
    __version__ = "unknown"

__all__ = [
    "Activation",
    "ActivationLayer",
    "Docs",
    "Edges",
    "LayerOptions",
    "NormalizerLayer",
    "activations",
    "catalog",
    "config",
    "define_activation",
    "from_torch",
    "get",
    "layers",
    "lookup",
    "names",
    "params",
]

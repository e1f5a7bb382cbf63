"""Fail early and clearly when Keras is not Keras 3 on a backend we support
(TensorFlow, JAX, PyTorch)."""

import json
import os
import sys

# The values with which TensorFlow's lazy loader of ``tf.keras`` switches it
# to the legacy Keras 2 package, tf_keras (tensorflow/python/util/lazy_loader.py).
LEGACY_KERAS_VARIABLE = "TF_USE_LEGACY_KERAS"
_LEGACY_KERAS_VALUES = ("true", "True", "1")


def legacy_keras_requested(environ=None):
    """True where ``tf.keras`` will be tf_keras (Keras 2), as TensorFlow reads
    the environment."""
    environ = os.environ if environ is None else environ
    return environ.get(LEGACY_KERAS_VARIABLE) in _LEGACY_KERAS_VALUES


def installed_keras_version():
    """The version of the ``keras`` package, read without importing it (an
    import under the wrong settings can fail for unrelated reasons); None
    where it is not installed."""
    if "keras" in sys.modules:
        return getattr(sys.modules["keras"], "__version__", None)
    from importlib import metadata

    try:
        return metadata.version("keras")
    except metadata.PackageNotFoundError:
        return None


def keras_problem(environ=None, keras_version=None):
    """Why keras_acts cannot bind to Keras here, or None where it can."""
    if legacy_keras_requested(environ):
        value = (os.environ if environ is None else environ)[LEGACY_KERAS_VARIABLE]
        return (
            f"keras_acts needs Keras 3, but {LEGACY_KERAS_VARIABLE}={value} makes "
            "tf.keras the legacy Keras 2 (tf_keras), whose models cannot hold "
            "keras_acts layers or strings and would load saved models with "
            "tf_keras's own activations in place of ours. Unset "
            f"{LEGACY_KERAS_VARIABLE} (or set it to 0) before importing "
            "TensorFlow, and build models with `import keras` (Keras 3)."
        )
    if keras_version is not None and not str(keras_version).startswith("3."):
        return (
            f"keras_acts needs Keras 3, but the installed keras is "
            f"{keras_version}. Install it with: pip install 'keras>=3'"
        )
    return None


def require_keras_3():
    problem = keras_problem(keras_version=installed_keras_version())
    if problem is not None:
        raise ImportError(problem)


def _configured_backend():
    """The backend Keras will use, read as Keras reads it, without importing
    Keras: importing it under another backend can fail for unrelated reasons
    (a missing JAX or SciPy), hiding the real problem."""
    if "keras" in sys.modules:
        return sys.modules["keras"].backend.backend()
    if os.environ.get("KERAS_BACKEND"):
        return os.environ["KERAS_BACKEND"]
    keras_home = os.environ.get("KERAS_HOME") or os.path.join(
        os.path.expanduser("~"), ".keras"
    )
    try:
        with open(os.path.join(keras_home, "keras.json")) as f:
            return json.load(f).get("backend", "tensorflow")
    except (OSError, ValueError):
        return "tensorflow"


#: The Keras backends keras_acts runs on.
SUPPORTED_BACKENDS = ("tensorflow", "jax", "torch")


def require_supported_backend():
    require_keras_3()
    backend = _configured_backend()
    if backend not in SUPPORTED_BACKENDS:
        raise ImportError(
            "keras_acts runs on Keras's TensorFlow, JAX and PyTorch backends, "
            f"but the active backend is {backend!r}. Set the environment "
            "variable KERAS_BACKEND to one of tensorflow, jax or torch (or "
            '"backend" in ~/.keras/keras.json) before importing keras.'
        )

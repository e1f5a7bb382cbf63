"""Fail early and clearly when Keras is not set to run on TensorFlow."""

import json
import os
import sys


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


def require_tensorflow_backend():
    backend = _configured_backend()
    if backend != "tensorflow":
        raise ImportError(
            "keras_acts needs Keras's TensorFlow backend, but the active "
            f"backend is {backend!r}. Set the environment variable "
            "KERAS_BACKEND=tensorflow (or \"backend\": \"tensorflow\" in "
            "~/.keras/keras.json) before importing keras."
        )

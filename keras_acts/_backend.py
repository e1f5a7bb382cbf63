"""Fail early and clearly when Keras is not running on TensorFlow."""

import keras


def require_tensorflow_backend():
    backend = keras.backend.backend()
    if backend != "tensorflow":
        raise ImportError(
            "keras_acts needs Keras's TensorFlow backend, but the active "
            f"backend is {backend!r}. Set the environment variable "
            "KERAS_BACKEND=tensorflow (or \"backend\": \"tensorflow\" in "
            "~/.keras/keras.json) before importing keras."
        )

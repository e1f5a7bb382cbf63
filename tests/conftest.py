import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import keras  # noqa: E402
import pytest  # noqa: E402

import keras_acts  # noqa: E402,F401


@pytest.fixture
def policy():
    """Set a Keras dtype policy for one test and restore float32 after."""
    yield keras.config.set_dtype_policy
    keras.config.set_dtype_policy("float32")

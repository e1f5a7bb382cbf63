import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import gc  # noqa: E402

import keras  # noqa: E402
import pytest  # noqa: E402

import keras_acts  # noqa: E402,F401


@pytest.fixture
def policy():
    """Set a Keras dtype policy for one test and restore float32 after."""
    yield keras.config.set_dtype_policy
    keras.config.set_dtype_policy("float32")


@pytest.fixture(autouse=True, scope="module")
def _release_what_each_module_traced():
    """Each test module traces and compiles its own functions and models;
    dropping them after the module keeps the suite's memory flat (it grew
    past 3 GB without this)."""
    yield
    keras.backend.clear_session()
    keras_acts.config.clear_fusion_cache()
    gc.collect()

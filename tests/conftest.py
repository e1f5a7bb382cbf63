import gc
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import pytest  # noqa: E402

# Keras and keras_acts are imported by the test modules that use them, not
# here: a run of tests that need neither stays without TensorFlow.


@pytest.fixture
def policy():
    """Set a Keras dtype policy for one test and restore float32 after."""
    import keras

    yield keras.config.set_dtype_policy
    keras.config.set_dtype_policy("float32")


@pytest.fixture(autouse=True, scope="module")
def _release_what_each_module_traced():
    """Each test module traces and compiles its own functions and models;
    dropping them after the module keeps the suite's memory flat (it grew
    past 3 GB without this)."""
    yield
    import keras

    import keras_acts

    keras.backend.clear_session()
    keras_acts.config.clear_fusion_cache()
    gc.collect()

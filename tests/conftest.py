import gc
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import pytest  # noqa: E402

import background  # noqa: E402
import producers  # noqa: E402
import tensorflow_without_jax  # noqa: E402

# This process runs TensorFlow alone: JAX, which TensorFlow's and Keras's
# imports pull in where it is installed, would hold ~110 MB of it for nothing
# (a test that imports JAX itself still gets it).
tensorflow_without_jax.keep_jax_out()

# Keras and keras_acts are imported by the test modules that use them, not
# here: a run of tests that need neither stays without TensorFlow.

# Release what a module traced once the process has grown this much since
# the last release. Releasing after every module kept memory flat but cost
# ~90 s of the suite (a full collection over TensorFlow's graphs takes 1 to
# 6 s once the heap is large); most modules trace little.
RELEASE_AFTER_GROWTH_MIB = 250
_resident_at_release = [0.0]


def _resident_mib():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


# For the suite's memory (summed over its processes), what this process
# holds when the largest background processes run:
# - the modules that leave this process largest (the compiled XLA programs
#   TensorFlow keeps, ~450 MB) run after test_backends has its results: the
#   JAX check (~1 GB) is the largest background process;
# - the modules that bring PyTorch and JAX into this process (they check our
#   code against them here, ~340 MB) run at the very end, when every
#   background process is done.
AFTER_THE_BACKENDS_CHECKS = ("test_modes", "test_properties")
OTHER_BACKENDS_HERE = ("test_bench", "test_port_torch")


def pytest_collection_modifyitems(items):
    """The modules that wait for a background job run last, in the order
    their jobs run: by then the jobs are done (tests/background.py); those
    above where they say."""
    order = {module: rank for rank, module in enumerate(background.modules_with_jobs(), 1)}
    backends = order.get("test_backends", 0)
    order.update({module: backends + 0.5 for module in AFTER_THE_BACKENDS_CHECKS})
    order.update({module: len(order) + 1 for module in OTHER_BACKENDS_HERE})
    items.sort(key=lambda item: order.get(item.module.__name__, 0))


def pytest_collection_finish(session):
    if not session.config.option.collectonly:
        background.start({item.module.__name__ for item in session.items})


def pytest_sessionfinish(session):
    background.stop()


@pytest.fixture
def policy():
    """Set a Keras dtype policy for one test and restore float32 after."""
    import keras

    yield keras.config.set_dtype_policy
    keras.config.set_dtype_policy("float32")


@pytest.fixture
def isolated_registry():
    """Activations a test defines are gone after it: the registry and
    Keras's string table get their entries back."""
    with producers.catalog_as_it_was():
        yield


@pytest.fixture(autouse=True, scope="module")
def _release_what_each_module_traced():
    """Each test module traces and compiles its own functions and models;
    once they add up, dropping them keeps the suite's memory flat (it grew
    past 3 GB without this)."""
    yield
    if not os.path.exists("/proc/self/statm"):
        return
    if _resident_mib() - _resident_at_release[0] < RELEASE_AFTER_GROWTH_MIB:
        return
    import keras

    import keras_acts

    keras.backend.clear_session()
    keras_acts.config.clear_fusion_cache()
    gc.collect()
    _resident_at_release[0] = _resident_mib()

"""The catalog on JAX and PyTorch, each in a process of its own
(tests/backend_check.py), and files crossing the three backends."""

import json
import os
import sys

import keras
import numpy as np
import pytest

import background
import producers
import keras_acts  # noqa: F401  (registers what the files use)

CHECK = os.path.join(background.TESTS_DIR, "backend_check.py")
ORDER = ["jax", "torch"]


# JAX's data-parallel check runs over two host devices.
TWO_HOST_DEVICES = {"XLA_FLAGS": "--xla_force_host_platform_device_count=2"}


def _check(folder, backend, *flags):
    env = {**background.TESTS_ON_PATH, "KERAS_BACKEND": backend}
    if backend == "jax":
        env.update(TWO_HOST_DEVICES)
    (done,) = background.run_together(
        [([sys.executable, CHECK, folder, *flags], {"env": env})],
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _run(folder):
    # TensorFlow's file comes from the producers' process (TensorFlow itself
    # is checked by the rest of the suite). JAX and PyTorch each save a file
    # and load those saved before; JAX then loads PyTorch's, and pytest's
    # TensorFlow loads JAX's and PyTorch's.
    folder = producers.made("backends")
    reports = {backend: _check(folder, backend) for backend in ORDER}
    reports["jax, loading"] = _check(folder, "jax", "--load-only")
    return folder, reports


RUNS = background.Job(_run)


@pytest.fixture(scope="module")
def runs():
    return RUNS.result()


@pytest.mark.parametrize("backend", ORDER)
def test_every_activation_holds_on_the_backend(runs, backend):
    report = runs[1][backend]
    assert report["backend"] == backend
    assert report["failures"] == []
    assert report["cases"] > 80


@pytest.mark.parametrize("backend", ["jax", "torch"])
def test_jax_and_torch_run_without_tensorflow(runs, backend):
    # backend_check makes any import of TensorFlow fail there, as for a user
    # who never installed it: every check ran without it.
    assert runs[1][backend]["without_tensorflow"] is True


def test_files_cross_every_backend(runs):
    folder, reports = runs
    assert reports["jax"]["loaded"] == ["tensorflow.keras"]
    assert reports["torch"]["loaded"] == ["jax.keras", "tensorflow.keras"]
    assert reports["jax, loading"]["loaded"] == ["tensorflow.keras", "torch.keras"]
    assert reports["jax, loading"]["failures"] == []
    for backend in ("jax", "torch"):
        path = os.path.join(folder, f"{backend}.keras")
        got = np.asarray(keras.saving.load_model(path)(np.load(path + ".x.npy")))
        # Another backend's float32 matmul may round differently.
        np.testing.assert_allclose(got, np.load(path + ".expected.npy"), rtol=1e-5, atol=1e-5)

"""Training under tf.distribute: MirroredStrategy over two logical CPUs
(fit, save, load) and MultiWorkerMirroredStrategy with two worker processes
on loopback (a custom loop). Each runs examples/distributed_training.py in
processes of its own: logical devices must be set before TensorFlow starts,
and the workers need a cluster of their own."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from keras_acts.tools.strategies import free_ports

STARTS_PROCESSES = 2  # the two workers: conftest runs this module first of all

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLE = os.path.join(ROOT, "examples", "distributed_training.py")
TIMEOUT = 180


def _start(*args):
    env = dict(os.environ, PYTHONPATH=ROOT, TF_CPP_MIN_LOG_LEVEL="3", KERAS_BACKEND="tensorflow")
    env.pop("TF_CONFIG", None)
    return subprocess.Popen(
        [sys.executable, EXAMPLE, *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )


def _finish(process):
    try:
        out, err = process.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
        pytest.fail(f"timed out after {TIMEOUT} s:\n{err[-3000:]}")
    assert process.returncode == 0, err[-3000:]
    return json.loads(out.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """The MirroredStrategy run, then the two workers together: three
    TensorFlow processes at once beside this one would hold ~2.6 GB."""
    folder = str(tmp_path_factory.mktemp("distribute"))
    ports = ",".join(map(str, free_ports(2)))
    reports = {}
    for group in (
        {"mirrored": ("mirrored", folder)},
        {"worker0": ("worker", "0", ports, folder), "worker1": ("worker", "1", ports, folder)},
    ):
        processes = {name: _start(*args) for name, args in group.items()}
        try:
            reports.update({name: _finish(p) for name, p in processes.items()})
        finally:
            for p in processes.values():
                if p.poll() is None:
                    p.kill()
    return folder, reports


def test_mirrored_fit_trains_with_identical_replicas(runs):
    _, reports = runs
    report = reports["mirrored"]
    assert np.all(np.isfinite(report["loss"]))
    assert report["replicas_identical"]


def test_mirrored_model_saves_and_loads(runs):
    _, reports = runs
    assert reports["mirrored"]["reload_difference"] <= 1e-5


def test_fusion_context_reaches_replica_threads(runs):
    # MirroredStrategy runs replicas in threads of their own; a thread with no
    # fusion block of its own sees the active one.
    _, reports = runs
    assert reports["mirrored"]["fusion_in_replicas"] == ["never", "never"]


def test_two_workers_end_with_identical_weights(runs):
    folder, reports = runs
    assert reports["worker0"]["loss"] == reports["worker1"]["loss"]
    with np.load(os.path.join(folder, "worker0.npz")) as a, np.load(
        os.path.join(folder, "worker1.npz")
    ) as b:
        assert sorted(a.files) == sorted(b.files) and len(a.files) == 6
        for key in a.files:
            np.testing.assert_array_equal(a[key], b[key])

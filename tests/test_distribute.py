"""Training under tf.distribute: MirroredStrategy over two logical CPUs
(fit, save, load) and MultiWorkerMirroredStrategy with two worker processes
on loopback (a custom loop). Each runs examples/distributed_training.py in
processes of its own: logical devices must be set before TensorFlow starts,
and the workers need a cluster of their own."""

import json
import os

import numpy as np
import pytest

import background
from scripts.distribution_checks import free_ports

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLE = os.path.join(ROOT, "examples", "distributed_training.py")


def _run(folder):
    """The MirroredStrategy run, then the two workers together: three
    TensorFlow processes at once beside pytest's would hold ~2.6 GB."""
    ports = ",".join(map(str, free_ports(2)))
    options = {"env": {"PYTHONPATH": ROOT}}
    done = background.run_together([(background.python(EXAMPLE, "mirrored", folder), options)], 180)
    done += background.run_together(
        [(background.python(EXAMPLE, "worker", rank, ports, folder), options) for rank in "01"], 180
    )
    return folder, dict(zip(["mirrored", "worker0", "worker1"], done))


RUNS = background.Job(_run, first=True)  # two processes at once: first, while pytest's is small


@pytest.fixture(scope="module")
def runs():
    folder, done = RUNS.result()
    reports = {}
    for name, process in done.items():
        assert process.returncode == 0, f"{name}:\n{process.stderr[-3000:]}"
        reports[name] = json.loads(process.stdout.strip().splitlines()[-1])
    return folder, reports


def test_mirrored_fit_trains_with_identical_replicas(runs):
    _, reports = runs
    report = reports["mirrored"]
    assert np.all(np.isfinite(report["loss"]))
    assert report["replicas_identical"]


def test_mirrored_model_saves_and_loads(runs):
    folder, reports = runs
    assert os.path.exists(os.path.join(folder, "mirrored.keras"))  # as its docstring says
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

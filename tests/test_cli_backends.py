"""The ``keras-acts`` command on JAX and PyTorch, as a user with that backend
and no TensorFlow runs it.

One process per backend (tests/cli_backend_check.py) runs ``list``,
``plot``, ``export`` (refused: it needs TensorFlow), ``check`` with its save
and load, ``inspect`` and ``demo --quick`` through ``keras_acts_cli.main``, with
TensorFlow's import refused and every attempt recorded. The two processes
run one after the other in the background (tests/background.py), beside
pytest's own work.
"""

import json
import os

import pytest

import background

CHECK = os.path.join(background.TESTS_DIR, "cli_backend_check.py")
BACKENDS = ["jax", "torch"]
TITLES = {"jax": "JAX", "torch": "PyTorch"}


def _run(folder):
    runs = {}
    for backend in BACKENDS:
        out = os.path.join(folder, backend)
        os.makedirs(out)
        runs[backend] = out, background.run(background.python(CHECK, out), 240,
                                            env={"KERAS_BACKEND": backend})
    return runs


RUNS = background.Job(_run)


@pytest.fixture(scope="module", params=BACKENDS)
def run(request):
    """(backend, folder, report) of the backend's process."""
    folder, done = RUNS.result()[request.param]
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["backend"] == request.param
    return request.param, folder, report


def _command(run, name):
    result = run[2]["results"][name]
    return result["code"], result["stdout"], result["stderr"]


def test_no_command_imports_tensorflow(run):
    report = run[2]
    assert report["tensorflow_imported"] is False
    asked = report["tensorflow_asked"]
    # Only Keras asks (its saving looks for TensorFlow's TensorShape), and
    # only in the commands that save or load a model; keras_acts never does.
    assert [a for a in asked if not a["by"].startswith("keras/")] == [], asked
    assert {a["command"] for a in asked} <= {"check", "inspect", "demo"}, asked


def test_list(run):
    code, out, err = _command(run, "list")
    assert code == 0, err
    assert "relu_custom" in out and "ReLU" in out


def test_plot_draws_through_the_backends_gradient(run):
    backend, folder, _ = run
    code, out, err = _command(run, "plot")
    assert code == 0, err
    path = os.path.join(folder, "three.png")
    with open(path, "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"
    assert path in out and "3 activation(s)" in out
    assert f"through our gradient on {TITLES[backend]}" in out


def test_check_gradients_and_save_load(run):
    backend = run[0]
    code, out, err = _command(run, "check")
    assert code == 0, (out, err)
    assert "FAIL" not in out
    assert "5 of 5 activations passed" in out
    for name in ("relu", "mish", "prelu", "softmax", "glu"):
        row = next(line for line in out.splitlines() if line.startswith(name + " "))
        assert row.rstrip().endswith("ok") and "ok (layer" in row
    modes = "gradients eager and under jax.jit," if backend == "jax" else "gradients eager,"
    assert f"Ran on {TITLES[backend]}: {modes}" in out


def test_export_refuses_in_one_line(run):
    backend, folder, _ = run
    code, out, err = _command(run, "export")
    assert code == 1 and out == ""
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1, err
    assert err.startswith("keras-acts: error: export needs TensorFlow")
    assert repr(backend) in err and "KERAS_BACKEND=tensorflow" in err
    assert not os.path.exists(os.path.join(folder, "model.onnx"))


def test_inspect_loads_the_file(run):
    code, out, err = _command(run, "inspect")
    assert code == 0, err
    report = json.loads(out)
    assert report["loads_here"] is True and report["unknown_here"] == []


def test_demo_trains_saves_and_loads(run):
    folder = run[1]
    code, out, err = _command(run, "demo")
    assert code == 0, err
    report = json.loads(out)
    assert [r["name"] for r in report["results"]] == ["linear", "step", "relu"]
    assert report["round_trip_identical"] is True
    assert os.path.exists(os.path.join(folder, "best.keras"))

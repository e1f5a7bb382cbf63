"""The ``keras-acts`` command.

Every subcommand runs as a user runs it, in a subprocess, including an
unknown name (non-zero exit, a one-line error with close-name suggestions,
never a traceback). Each subprocess pays TensorFlow's import, so the many
bad-argument cases and the slow whole-catalog runs call ``cli.main`` in
this process instead. ``demo`` runs with its hidden ``--quick`` option here;
the full demo is run by hand (README).
"""

import inspect
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import keras_acts

TIMEOUT = 300


def run_cli(*args, cwd=None):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    return subprocess.run(
        [sys.executable, "-m", "keras_acts.tools.cli", *map(str, args)],
        capture_output=True, text=True, timeout=TIMEOUT, cwd=cwd, env=env,
    )


def run_python(code):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True, text=True, timeout=TIMEOUT, env=env,
    )


class Done:
    """``cli.main``'s outcome, shaped like ``subprocess.run``'s."""

    def __init__(self, returncode, stdout, stderr):
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


@pytest.fixture
def main(capsys, monkeypatch):
    """Run ``cli.main`` in this process, from ``cwd`` if given."""
    from keras_acts.tools import cli

    def run(*args, cwd=None):
        if cwd is not None:
            monkeypatch.chdir(cwd)
        capsys.readouterr()
        code = cli.main([str(a) for a in args])
        out, err = capsys.readouterr()
        return Done(code, out, err)

    return run


def assert_clean_failure(done, code=2):
    assert done.returncode == code, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr, done.stderr
    assert "keras-acts" in done.stderr  # says who is complaining


def is_png(path):
    return Path(path).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# -- list --------------------------------------------------------------------


def shipped_catalog():
    """What a fresh process registers: the catalog, without activations that
    other test modules define in this process."""
    return [spec for spec in keras_acts.catalog() if spec.package == "keras_acts"]


def test_list_shows_every_activation():
    done = run_cli("list")
    assert done.returncode == 0, done.stderr
    for spec in shipped_catalog():
        assert spec.name in done.stdout
        assert spec.layer_name in done.stdout
        if spec.string:
            assert spec.string in done.stdout
    assert "Traceback" not in done.stderr


def test_list_json_describes_every_activation():
    done = run_cli("list", "--json")
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    specs = shipped_catalog()
    assert [r["name"] for r in rows] == [s.name for s in specs]
    for row, spec in zip(rows, specs):
        assert {"name", "string", "layer", "params", "output_range", "monotonic", "smooth"} <= set(row)
        assert row["string"] == spec.string
        assert row["layer"] == spec.layer_name
        assert [p["name"] for p in row["params"]] == list(spec.defaults)
        for p in row["params"]:
            assert p["required"] == (spec.defaults[p["name"]] is inspect.Parameter.empty)
            assert isinstance(p["accepts"], str)
    relu = next(r for r in rows if r["name"] == "relu")
    assert {p["name"]: p["default"] for p in relu["params"]} == {
        "negative_slope": 0.0, "max_value": None, "threshold": 0.0
    }


# -- plot --------------------------------------------------------------------


def test_plot_names_writes_a_png(tmp_path):
    out = tmp_path / "some.png"
    done = run_cli("plot", "relu", "softmax", "swish", "-o", out, "--range", "-3", "3")
    assert done.returncode == 0, done.stderr
    assert is_png(out)
    assert str(out) in done.stdout


def test_plot_all_writes_the_gallery(main, tmp_path):
    done = main("plot", "--all", cwd=tmp_path)  # default name gallery.png
    assert done.returncode == 0, done.stderr
    assert is_png(tmp_path / "gallery.png")
    assert f"{len(keras_acts.catalog())} activation(s)" in done.stdout


def test_plot_unknown_name_suggests_close_names(tmp_path):
    done = run_cli("plot", "relu", "mihs", "-o", tmp_path / "x.png")
    assert_clean_failure(done)
    with pytest.raises(ValueError) as error:
        keras_acts.lookup("mihs")
    assert "Closest known names: mish" in str(error.value)
    assert str(error.value) in done.stderr  # the registry's own suggestion
    assert not (tmp_path / "x.png").exists()


@pytest.mark.parametrize(
    "args",
    [
        ["plot"],                              # no names, no --all
        ["plot", "relu", "--all"],             # both
        ["plot", "relu", "--range", "3", "-3"],  # empty range
        ["plot", "relu", "--range", "a", "b"],   # not numbers
        ["plot", "relu", "-o", "picture.jpg"],   # not a png
    ],
    ids=["nothing", "names-and-all", "empty-range", "bad-range", "not-png"],
)
def test_plot_bad_arguments(main, args, tmp_path):
    assert_clean_failure(main(*args, cwd=tmp_path))


# -- check -------------------------------------------------------------------


def test_check_named_activations_passes():
    names = ["relu", "softmax", "glu", "threshold_custom", "swish"]
    names = [n for n in names if _known(n)]
    done = run_cli("check", *names, "step")
    assert done.returncode == 0, (done.stdout, done.stderr)
    assert "FAIL" not in done.stdout
    for name in names + ["step"]:
        assert keras_acts.lookup(name).name in done.stdout
    assert "passed" in done.stdout


def test_check_everything_passes(main):
    done = main("check")
    assert done.returncode == 0, (done.stdout, done.stderr)
    assert f"{len(keras_acts.catalog())} of {len(keras_acts.catalog())} activations passed" in done.stdout


def test_check_finds_a_wrong_gradient():
    # An activation whose hand-written gradient is off by a factor of 2.
    done = run_python(
        """
        import sys, tensorflow as tf, keras_acts
        from keras_acts.tools import cli

        @keras_acts.define_activation(backward=lambda dy, x, y: dy * 4 * x, keep="x",
                                      params={}, package="test_cli")
        def wrong_square(x):
            return x * x

        sys.exit(cli.main(["check", "wrong_square", "relu"]))
        """
    )
    assert done.returncode == 1, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    line = next(l for l in done.stdout.splitlines() if l.startswith("wrong_square"))
    assert "FAIL" in line
    assert "1 of 2 activations passed" in done.stdout


def test_check_unknown_name(main):
    done = main("check", "relu", "sofmax")
    assert_clean_failure(done)
    assert "softmax" in done.stderr


# -- demo --------------------------------------------------------------------


def test_demo_quick_json_and_plot(tmp_path):
    picture = tmp_path / "boundaries.png"
    saved = tmp_path / "best.keras"
    done = run_cli("demo", "--quick", "--json", "--plot", picture, "--save", saved)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)  # progress went to stderr
    activations = [r["activation"] for r in report["results"]]
    assert activations[0] == "linear"
    assert any("step" in a for a in activations)
    for row in report["results"]:
        assert 0.0 <= row["accuracy"] <= 1.0
        assert row["seconds"] > 0
        assert row["epochs"] >= 1
    assert report["round_trip_identical"] is True
    assert saved.exists()
    assert is_png(picture)
    assert "epoch" in done.stderr  # progress is shown


def test_demo_quick_table(main):
    done = main("demo", "--quick")
    assert done.returncode == 0, done.stderr
    assert "test accuracy" in done.stdout and "epochs" in done.stdout
    assert "identical predictions" in done.stdout


@pytest.mark.parametrize(
    "args", [["demo", "--plot", "x.pdf"], ["demo", "--epochs", "3"]], ids=["not-png", "unknown-option"]
)
def test_demo_bad_arguments(main, args, tmp_path):
    assert_clean_failure(main(*args, cwd=tmp_path))


def test_two_spirals_is_deterministic_and_balanced():
    from keras_acts.tools.demo import two_spirals

    x1, y1 = two_spirals(100, seed=3)
    x2, y2 = two_spirals(100, seed=3)
    assert x1.shape == (200, 2) and y1.shape == (200,)
    assert (x1 == x2).all() and (y1 == y2).all()
    assert y1.sum() == 100


# -- the command itself ------------------------------------------------------


@pytest.mark.parametrize(
    "args", [[], ["frobnicate"], ["list", "--yaml"]], ids=["nothing", "unknown-command", "unknown-option"]
)
def test_usage_errors(main, args):
    assert_clean_failure(main(*args))


def test_help_lists_every_subcommand(main):
    done = main("--help")
    assert done.returncode == 0
    for command in ("list", "plot", "check", "demo", "bench"):
        assert command in done.stdout


def test_bench_forwards_its_arguments(main):
    done = main("bench", "no_such_activation", "--quick")
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    "args", [["plot", "relu", "-o", "never.png"], ["demo", "--quick", "--plot", "never.png"]],
    ids=["plot", "demo"],
)
def test_missing_plot_extra_is_a_clear_error(main, monkeypatch, tmp_path, args):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # as if not installed
    done = main(*args, cwd=tmp_path)
    assert_clean_failure(done, code=1)
    assert 'pip install "keras-acts[plot]"' in done.stderr
    assert not (tmp_path / "never.png").exists()


def test_installed_script():
    script = Path(sys.executable).with_name("keras-acts")
    if not script.exists():
        pytest.skip("the keras-acts script is not installed next to this Python")
    done = subprocess.run([script, "--version"], capture_output=True, text=True, timeout=TIMEOUT)
    assert done.returncode == 0
    assert keras_acts.__version__ in done.stdout


def _known(name):
    try:
        keras_acts.lookup(name)
        return True
    except ValueError:
        return False

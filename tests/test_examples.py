"""The examples run as a reader runs them: in a subprocess, from the repo."""

import os
import py_compile
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def run_example(name):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    return subprocess.run(
        [sys.executable, str(EXAMPLES / name)],
        capture_output=True, text=True, timeout=300, env=env, cwd=EXAMPLES.parent,
    )


def test_quickstart():
    done = run_example("quickstart.py")
    assert done.returncode == 0, done.stderr
    assert "identical predictions: True" in done.stdout
    assert "Closest known names: leaky_relu_custom" in done.stdout


def test_custom_activation_loads_in_a_fresh_process():
    done = run_example("custom_activation.py")
    assert done.returncode == 0, (done.stdout, done.stderr)
    assert "gradient matches numeric differences: True" in done.stdout
    assert "fresh process: loaded BentIdentity - identical predictions: True" in done.stdout


@pytest.mark.parametrize("name", ["compare_activations.py"])
def test_other_examples_compile(name):
    py_compile.compile(str(EXAMPLES / name), doraise=True)

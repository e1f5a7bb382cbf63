"""The examples run as a reader runs them, from the repository: in this
process (``runpy``, as ``__main__``; a subprocess would pay TensorFlow's
import again), where what they define is dropped afterwards; except
custom_activation.py, which loads its model in a fresh process of its own:
it runs in the process of tests/producers.py, in the background."""

import py_compile
import runpy
import sys
from pathlib import Path

import pytest

import background
import producers

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
CUSTOM_ACTIVATION = background.Job(lambda folder: (Path(producers.made("example")) / "output.txt").read_text())


@pytest.fixture
def run_example(isolated_registry, monkeypatch, capfd):
    """Run an example file as ``python examples/NAME ARGS...``: (exit code, stdout)."""

    def run(name, *args):
        path = EXAMPLES / name
        monkeypatch.chdir(EXAMPLES.parent)
        monkeypatch.setattr(sys, "argv", [str(path), *args])
        code = 0
        try:
            runpy.run_path(str(path), run_name="__main__")
        except SystemExit as exit_:
            code = exit_.code or 0
        return code, capfd.readouterr().out

    return run


def test_quickstart(run_example):
    code, out = run_example("quickstart.py")
    assert code == 0, out
    assert "identical predictions: True" in out
    assert "Closest known names: leaky_relu_custom" in out


def test_transformer_block(run_example):
    code, out = run_example("transformer_block.py", "--quick")
    assert code == 0, out
    assert "saved, loaded, identical predictions: True" in out
    before, after = (float(v) for v in out.split("loss ")[1].split(" after")[0].split(" -> "))
    assert after < before
    # Ours keeps the input alone; keras.ops keeps a, b and silu(a): 2 halves against 3.
    ours = int(out.split("keras_acts swiglu:")[1].split("bytes")[0].replace(",", ""))
    theirs = int(out.split("keras.ops swiglu:")[1].split("bytes")[0].replace(",", ""))
    assert ours == 8 * 32 * 344 * 4 and 3 * ours == 2 * theirs
    assert "gate first: largest difference" in out and "matches: True" in out


def test_custom_activation_loads_in_a_fresh_process():
    out = CUSTOM_ACTIVATION.result()  # its exit code was 0, or this failed
    assert "gradient matches numeric differences: True" in out
    assert "fresh process: loaded BentIdentity - identical predictions: True" in out


@pytest.mark.parametrize("name", ["compare_activations.py"])
def test_other_examples_compile(name):
    py_compile.compile(str(EXAMPLES / name), doraise=True)


@pytest.mark.parametrize(
    "args, said",
    [
        ([], "the following arguments are required: MODE"),
        (["worker", "2", "1,2", "out"], "invalid choice: 2"),
        (["worker", "0", "1", "out"], "give two ports"),
    ],
    ids=["no-mode", "bad-index", "one-port"],
)
def test_distributed_training_usage_without_tensorflow(args, said, monkeypatch, capfd):
    # As `python examples/distributed_training.py`: the usage, exit status 2,
    # and neither TensorFlow nor Keras imported to say so (an import fails here).
    path = EXAMPLES / "distributed_training.py"
    for heavy in ("tensorflow", "keras", "keras_acts"):
        monkeypatch.setitem(sys.modules, heavy, None)
    monkeypatch.setattr(sys, "argv", [str(path), *args])
    with pytest.raises(SystemExit) as exit_:
        runpy.run_path(str(path), run_name="__main__")
    assert exit_.value.code == 2
    err = capfd.readouterr().err
    assert "usage: distributed_training.py mirrored OUT_DIR" in err
    assert said in err

"""The ``keras-acts`` command.

Subcommands run through ``keras_acts_cli.main`` in this process: a subprocess would
pay TensorFlow's import each time. Two processes run beside the suite, in
the background (tests/background.py): one runs the installed entry point's
launcher as a user does: ``--help`` (every subcommand's, fast, without
importing TensorFlow), then a plot of an unknown name (a one-line error
with close-name suggestions, no traceback, no TensorFlow log lines); the
other (tests/producers.py) runs the commands that train or check every
activation (``demo`` with its hidden ``--quick`` option, ``check``,
``plot --all``). The full demo is run by hand (README).
"""

import inspect
import json
import os
import subprocess
import sys
import struct
from pathlib import Path

import pytest

import background
import keras_acts
import producers
from keras_acts.tools.common import runnable

TIMEOUT = 300
REPO = Path(__file__).resolve().parent.parent
COMMANDS = ("list", "plot", "check", "demo", "bench", "inspect", "export")


class Done:
    """``keras_acts_cli.main``'s outcome, shaped like ``subprocess.run``'s."""

    def __init__(self, returncode, stdout, stderr):
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


@pytest.fixture
def main(capsys, monkeypatch):
    """Run ``keras_acts_cli.main`` in this process, from ``cwd`` if given."""
    import keras_acts_cli

    def run(*args, cwd=None):
        if cwd is not None:
            monkeypatch.chdir(cwd)
        capsys.readouterr()
        code = keras_acts_cli.main([str(a) for a in args])
        out, err = capsys.readouterr()
        return Done(code, out, err)

    run.capsys = capsys
    return run


def assert_clean_failure(done, code=2):
    assert done.returncode == code, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr, done.stderr
    assert "keras-acts" in done.stderr  # says who is complaining


def is_png(path):
    return Path(path).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def png_size(path):
    width, height = struct.unpack(">II", Path(path).read_bytes()[16:24])
    return width, height


# -- list --------------------------------------------------------------------


def shipped_catalog():
    """What a fresh process registers: the catalog, without activations that
    other test modules define in this process."""
    return [spec for spec in keras_acts.catalog() if spec.package == "keras_acts"]


def test_list_shows_every_activation(main):
    done = main("list")
    assert done.returncode == 0, done.stderr
    for spec in shipped_catalog():
        assert spec.name in done.stdout
        assert spec.layer_name in done.stdout
        if spec.string:
            assert spec.string in done.stdout
    assert "Traceback" not in done.stderr


def test_list_json_describes_every_activation(main):
    done = main("list", "--json")
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    specs = shipped_catalog()
    rows = [r for r in rows if r["name"] in {s.name for s in specs}]  # not other tests' own
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


def test_list_fits_in_100_columns_and_wide_shows_everything(main):
    narrow = main("list")
    assert max(len(line) for line in narrow.stdout.splitlines()) <= 100
    wide = main("list", "--wide")
    assert wide.returncode == 0
    assert "monotonic" in wide.stdout and "smooth" in wide.stdout and "range" in wide.stdout
    assert "monotonic" not in narrow.stdout.splitlines()[0]


def test_list_pattern_filters_by_substring(main):
    done = main("list", "SHRINK")
    assert done.returncode == 0, done.stderr
    body = done.stdout.split("\n\n")[0].splitlines()[2:]  # the table's rows
    names = [line.split()[0] for line in body if not line[0].isspace()]
    shrinks = [s.name for s in shipped_catalog() if "shrink" in s.name]
    assert set(shrinks) <= set(names)
    assert "relu" not in names and "mish" not in names
    assert f"{len(names)} activation(s)" in done.stdout


def test_list_pattern_without_a_match_suggests_names(main):
    done = main("list", "mihs")
    assert_clean_failure(done, code=1)
    assert "'mihs'" in done.stderr and "mish" in done.stderr


def test_list_shows_layer_arguments_that_differ(main):
    done = main("list", "prelu")
    assert "alpha*" in done.stdout  # the function's alpha is required
    assert "layer: alpha=None" in done.stdout  # the layer's starting value
    assert "alpha_initializer='Zeros'" in done.stdout
    rows = {r["name"]: r for r in json.loads(main("list", "snake", "--json").stdout)}
    layer = {p["name"]: p["default"] for p in rows["snake"]["layer_params"]}
    assert layer["frequency"] is None and layer["frequency_initializer"] == "ones"
    assert "layer: negative_slope=0.3" in main("list", "leaky").stdout
    assert "layer:" not in main("list", "mish").stdout.split("\n\n")[0]


# -- plot --------------------------------------------------------------------


def test_plot_names_writes_a_png(main, tmp_path):
    out = tmp_path / "some.png"
    done = main("plot", "relu", "softmax", "swish", "-o", out, "--range", "-3", "3")
    assert done.returncode == 0, done.stderr
    assert is_png(out)
    assert str(out) in done.stdout


def test_plot_one_activation_is_wide_and_holds_its_legend(main, tmp_path):
    done = main("plot", "mish", cwd=tmp_path)  # no -o: mish.png here, and it says so
    assert done.returncode == 0, done.stderr
    written = tmp_path / "mish.png"
    assert is_png(written)
    assert str(written) in done.stdout and "no -o given" in done.stdout
    assert png_size(written)[0] >= 800
    from keras_acts.tools import plotting

    figure = plotting.activation_figure([(keras_acts.lookup("mish"), {})])
    figure.canvas.draw()
    inside = figure.bbox
    (legend,) = figure.legends
    box = legend.get_window_extent()
    assert inside.x0 <= box.x0 and box.x1 <= inside.x1 and inside.y0 <= box.y0 and box.y1 <= inside.y1
    plotting.pyplot().close(figure)


def test_plot_all_writes_the_gallery():
    folder, done = USER_SESSION.result()
    done = done["plot --all"]
    assert done.returncode == 0, done.stderr
    assert is_png(folder / "gallery.png")
    assert f"{len(runnable(shipped_catalog())[0])} activation(s)" in done.stdout


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


def test_check_named_activations_passes(main):
    names = ["relu", "softmax", "glu", "threshold_custom", "swish"]
    names = [n for n in names if _known(n)]
    done = main("check", *names, "step")
    assert done.returncode == 0, (done.stdout, done.stderr)
    assert "FAIL" not in done.stdout
    for name in names + ["step"]:
        assert keras_acts.lookup(name).name in done.stdout
    assert "passed" in done.stdout


def test_check_everything_passes():
    done = USER_SESSION.result()[1]["check"]
    assert done.returncode == 0, (done.stdout, done.stderr)
    checkable = len(runnable(shipped_catalog())[0])
    assert checkable == len(shipped_catalog())  # every catalog row has example arguments
    assert f"{checkable} of {checkable} activations passed" in done.stdout


def test_check_finds_a_wrong_gradient(main, isolated_registry):
    # An activation whose hand-written gradient is off by a factor of 2,
    # defined for this test only.
    @keras_acts.define_activation(backward=lambda dy, x, y: dy * 4 * x, keep="x",
                                  validators={}, package="test_cli")
    def wrong_square(x):
        return x * x

    done = main("check", "wrong_square", "relu")
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


def test_demo_quick_json_plot_and_cleanup():
    folder, done = USER_SESSION.result()
    done = done["demo --json"]
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
    assert (folder / "best.keras").exists()
    assert is_png(folder / "boundaries.png")
    assert "epoch" in done.stderr  # progress is shown
    assert list((folder / "tmp").iterdir()) == []  # nothing left in the temporary directory


def test_demo_table_without_save(capsys):
    # The table a run without --json prints, from the run above's outcome.
    from keras_acts.tools import cmd_demo

    report = json.loads(USER_SESSION.result()[1]["demo --json"].stdout)
    cmd_demo._print_table(report, None, 1.0, None)
    table = capsys.readouterr().out
    assert "test accuracy" in table and "epochs" in table
    assert "identical predictions" in table
    assert "removed; --save FILE.keras keeps it" in table


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


def test_help_lists_every_subcommand_and_its_options(main):
    done = main("--help")
    assert done.returncode == 0
    for command in COMMANDS:
        assert f"keras-acts {command} " in done.stdout
    for option in ("-v", "--markdown", "--parts", "--repeats", "--sizes", "--wide", "--save"):
        assert option in done.stdout
    assert "bench --help" not in done.stdout


# One process, as a user's: every --help first (TensorFlow must stay
# unimported), then a plot of an unknown name, whose stderr (TensorFlow's C++
# log lines included) goes to a file.
USER_PROBE = """
import json, os, sys, time
start = time.perf_counter()
import keras_acts_cli
codes = {command: keras_acts_cli.main([command, "--help"]) for command in [""] + COMMANDS}
inspected = keras_acts_cli.main(["inspect", FIXTURE, "--no-load", "--json"])
seconds = time.perf_counter() - start
report = {"codes": codes, "inspected": inspected, "seconds": seconds,
          "tensorflow": "tensorflow" in sys.modules, "keras": "keras" in sys.modules}
sys.stderr.flush()
with open(ERRORS, "w") as errors:
    os.dup2(errors.fileno(), 2)
    report["plot_code"] = keras_acts_cli.main(["plot", "relu", "mihs", "-o", PICTURE])
    sys.stderr.flush()
print(json.dumps(report))
"""


def _probe(folder):
    fixture = str(REPO / "tests" / "fixtures" / "before_layout.keras")
    code = USER_PROBE.replace('[""]', '["--help"]').replace("COMMANDS", repr(list(COMMANDS)))
    for name, value in (("FIXTURE", fixture), ("ERRORS", os.path.join(folder, "stderr.txt")),
                        ("PICTURE", os.path.join(folder, "x.png"))):
        code = code.replace(name, repr(value))
    # TF_CPP_MIN_LOG_LEVEL unset: the command's own default.
    return Path(folder), background.run(background.python("-c", code), TIMEOUT,
                                        env={"TF_CPP_MIN_LOG_LEVEL": None})


PROBE = background.Job(_probe)


def _user_session(folder):
    """The commands of producers.COMMANDS, run in the background: the folder
    they ran in and {name: Done}."""
    commands = producers.made("commands")
    with open(os.path.join(commands, "results.json")) as f:
        results = json.load(f)
    return Path(commands), {name: Done(*results[name]) for name in producers.COMMANDS}


USER_SESSION = background.Job(_user_session)


@pytest.fixture(scope="module")
def user_probe():
    folder, done = PROBE.result()
    assert done.returncode == 0, done.stderr
    probe = json.loads(done.stdout.strip().splitlines()[-1])
    return probe, done.stdout, (folder / "stderr.txt").read_text(), folder


def test_help_answers_at_once_without_tensorflow(user_probe):
    probe, stdout, _, _ = user_probe
    assert set(probe["codes"].values()) == {0}, probe
    assert probe["inspected"] == 0
    assert probe["tensorflow"] is False and probe["keras"] is False
    # A user-experience bound, generous for a loaded machine (about 0.3 s idle).
    assert probe["seconds"] < 3.0, f"every --help took {probe['seconds']:.1f} s"
    assert "usage: keras-acts list" in stdout and '"package": "keras_acts"' in stdout


def test_plot_unknown_name_suggests_close_names(user_probe):
    # One line on stderr, no traceback, none of TensorFlow's log lines.
    probe, _, stderr, folder = user_probe
    assert probe["plot_code"] == 2
    assert "Traceback" not in stderr and "keras-acts" in stderr
    assert "cudart_stub" not in stderr and "absl::InitializeLog" not in stderr
    assert len(stderr.strip().splitlines()) == 1, stderr
    with pytest.raises(ValueError) as error:
        keras_acts.lookup("mihs")
    assert "Closest known names: mish" in str(error.value)
    assert str(error.value) in stderr  # the registry's own suggestion
    assert not (folder / "x.png").exists()


def test_bench_forwards_its_arguments(main):
    done = main("bench", "no_such_activation", "--quick")
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    assert "no_such_activation" in done.stderr
    done = main("bench", "relu", "--parts", "kernels,nothing")
    assert_clean_failure(done)
    assert "--parts" in done.stderr and "nothing" in done.stderr


# -- inspect -------------------------------------------------------------------


def test_inspect_names_what_a_file_uses_and_how_to_load_it(main):
    fixture = REPO / "tests" / "fixtures" / "before_layout.keras"
    done = main("inspect", fixture, "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    uses = {(u["package"], u["name"], u["kind"]) for u in report["uses"]}
    assert {("keras_acts", "mish", "function"), ("keras_acts", "PReLU", "layer"),
            ("keras_acts", "ActivationCall", "layer")} <= uses
    prelu = next(u for u in report["uses"] if u["name"] == "PReLU")
    assert prelu["arguments"]["alpha_initializer"] == "Zeros"
    assert report["loads_here"] is True and report["unknown_here"] == []
    assert "import keras_acts" in "\n".join(report["load_with"])
    text = main("inspect", fixture).stdout
    assert "Loads here (keras_acts imported): yes" in text
    assert f"model = keras.saving.load_model({str(fixture)!r})" in text


def _saved_models_using_activations(folder):
    """An activation in each place a model can hold one: a string in
    activation=, a layer object there, a function called on a symbolic input."""
    import keras

    dense = keras.layers.Dense
    string = keras.Sequential([keras.Input((4,)), dense(8, activation="leaky_relu_custom", name="x")])
    mish = keras_acts.layers.Mish(name="act")
    layer = keras.Sequential([keras.Input((4,)), dense(8, activation=mish, name="body")])
    symbolic = keras.Input((4,))
    called = keras_acts.activations.elu(symbolic, alpha=0.5)
    functional = keras.Model(symbolic, dense(2, name="out")(called), name="net")
    paths = {}
    for name, model in (("string", string), ("layer", layer), ("function", functional)):
        paths[name] = Path(folder) / f"{name}.keras"
        model.save(str(paths[name]))
    return paths


def test_inspect_says_each_use_in_a_sentence(main, tmp_path):
    paths = _saved_models_using_activations(tmp_path)
    expected = {
        "string": "leaky_relu (function) is the activation argument of Dense layer 'x'.",
        "layer": "Mish (layer) is the activation argument of Dense layer 'body', as layer 'act'.",
        "function": "elu (function) is called on a symbolic tensor as layer '",
    }
    for name, path in paths.items():
        done = main("inspect", path)
        assert done.returncode == 0, done.stderr
        lines = [line for line in done.stdout.splitlines() if line.strip()]
        assert not [line for line in lines if line.rstrip().endswith("=")], done.stdout
        uses = lines[lines.index("Objects of package 'keras_acts':") + 1:
                     lines.index("Load it with:") - 1]  # up to the "Loads here" line
        assert uses and all(line.startswith("  ") and line.endswith(".") for line in uses), uses
        assert any(expected[name] in line for line in uses), done.stdout
    calls = main("inspect", paths["function"]).stdout
    assert "of Functional model 'net', with alpha=0.5." in calls


def test_inspect_a_file_that_is_not_a_model(main, tmp_path):
    not_zip = tmp_path / "model.keras"
    not_zip.write_text("hello")
    done = main("inspect", not_zip)
    assert_clean_failure(done)
    assert str(not_zip) in done.stderr
    done = main("inspect", tmp_path / "missing.keras")
    assert_clean_failure(done)
    assert "missing.keras" in done.stderr


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


def test_check_stress_prints_the_figures_and_fails_on_a_violation(main, monkeypatch):
    from keras_acts.tools import stress

    figures = {
        "property_batches": 3, "property_values": 144, "property_violations": 0,
        "violations": [], "threads": 9, "thread_errors": [], "seconds": 1.0,
        "files": {"cases": 60, "clean_errors": 58, "loaded_same": 2, "executions": 0, "failures": []},
    }
    monkeypatch.setattr(stress, "run_stress", lambda log=None: dict(figures))
    done = main("check", "relu", "--stress")
    assert done.returncode == 0, done.stderr
    assert "tampered files tried" in done.stdout and "60" in done.stdout
    figures["files"] = dict(figures["files"], executions=1)
    assert main("check", "relu", "--stress").returncode == 1

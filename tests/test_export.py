"""Every activation leaves TensorFlow: SavedModel served without keras_acts,
TFLite with builtin ops only, ONNX through tf2onnx and onnxruntime; and the
export command. One model holds every activation as one output each, so
each format costs one conversion (scripts/deploy_checks.py)."""

import importlib.util
import os
import subprocess
import sys

import keras
import numpy as np
import pytest
import tensorflow as tf

import background
import keras_acts
import producers
from keras_acts import _backend
from keras_acts.tools import export as export_tool
from scripts import deploy_checks

CASES = deploy_checks.cases()
IDS = [case.label for case in CASES]
# Forward passes that a portable graph must run without control flow,
# gathers or scatters (GPU delegates run none of them).
NO_CONTROL_FLOW = {"softmax", "log_softmax", "softmin", "sparsemax"}
CONTROL_FLOW_OPS = {"IF", "WHILE", "WHERE", "GATHER_ND", "SCATTER_ND"}
needs_onnx = pytest.mark.skipif(
    not export_tool.onnx_available(), reason="tf2onnx and onnxruntime not installed"
)


@pytest.fixture(scope="module")
def batch():
    return deploy_checks.sample_batch()


@pytest.fixture(scope="module")
def tflite_results(batch):
    return deploy_checks.check_tflite(CASES, batch)


@pytest.fixture(scope="module")
def onnx_results(batch):
    return deploy_checks.check_onnx(CASES, batch)


# Exported by the process of tests/producers.py, served in a fresh one that
# never imports keras_acts; both in the background.
def _serve(folder):
    made = producers.made("export")
    outputs, report = deploy_checks.serve_in_fresh_process(made + "/model", deploy_checks.sample_batch())
    return made, outputs, report


SERVED = background.Job(_serve)


@pytest.fixture(scope="module")
def saved_model():
    """({key: Result} of the served model against Keras, its XLA-compiled functions)."""
    folder, outputs, report = SERVED.result()
    assert report["keras_acts_imported"] is False
    with np.load(folder + "/expected.npz") as expected:
        results = deploy_checks.compare_outputs(CASES, outputs, expected)
    return results, deploy_checks.xla_compiled_functions(folder + "/model")


# -- SavedModel --------------------------------------------------------------


def test_saved_model_with_fusion_on_holds_no_xla_calls(saved_model):
    _, xla_functions = saved_model
    assert xla_functions == []


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_saved_model_serves_without_keras_acts(saved_model, case):
    results, _ = saved_model
    result = results[case.key]
    assert result.ok, f"{case.label}: {result.max_diff}"


# -- TFLite ------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_tflite_builtins_only_and_parity(tflite_results, case):
    result = tflite_results[case.key]
    assert result.ok, f"{case.label}: {result.error or result.max_diff}"
    if case.key in NO_CONTROL_FLOW:
        assert not CONTROL_FLOW_OPS & set(result.ops), result.ops


def test_tflite_exact_gelu_is_one_gelu_op(tflite_results):
    assert tflite_results["gelu"].ops == ("GELU", "MAXIMUM")


# -- ONNX --------------------------------------------------------------------


@needs_onnx
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_onnx_conversion_and_parity(onnx_results, case):
    result = onnx_results[case.key]
    assert result.ok, f"{case.label}: {result.error or result.max_diff}"
    assert not {"Loop", "If", "ScatterND", "GatherND"} & set(result.ops), result.ops


# -- portable mode: what changes and what does not ---------------------------


def _op_types(function, *args):
    """Op types of the traced graph; control flow counts by its kind (If for
    StatelessIf, While for StatelessWhile)."""
    graph = tf.function(function, autograph=False).get_concrete_function(*args).graph
    types = {op.type for op in graph.get_operations()}
    return types | {kind for kind in ("If", "While") for t in types if t.endswith(kind)}


def test_training_graphs_keep_their_fast_paths():
    spec = tf.TensorSpec((None, 8))
    acts = keras_acts.activations
    assert "If" in _op_types(acts.softmax, spec)  # the native kernel, repaired
    assert "While" in _op_types(acts.sparsemax, spec)
    assert "Erfc" in _op_types(acts.gelu, spec)
    with keras_acts.config.portable():
        assert not {"If", "Where", "TensorScatterUpdate"} & _op_types(acts.softmax, spec)
        assert "While" not in _op_types(acts.sparsemax, spec)
        assert "Erfc" not in _op_types(acts.gelu, spec)
        assert "Expm1" not in _op_types(acts.celu, spec)
        assert "MulNoNan" not in _op_types(lambda x: acts.prelu(x, 0.25), spec)


def test_portable_mode_never_fuses():
    spec = tf.TensorSpec((512, 256))
    with keras_acts.config.fusion("always", min_size=0), keras_acts.config.portable():
        graph = tf.function(keras_acts.activations.mish).get_concrete_function(spec).graph
    calls = [op for op in graph.get_operations() if "PartitionedCall" in op.type]
    assert calls == []


def test_portable_forms_keep_documented_limits():
    inf, nan = np.inf, np.nan
    rows = np.array(
        [[inf, 1, inf, 0], [-inf] * 4, [nan, 1, 2, 3], [3, -inf, 2, 1], [1.0, 0.9, 0, -1]],
        np.float32,
    )
    acts = keras_acts.activations
    for name in ("softmax", "log_softmax", "softmin", "sparsemax"):
        fast = getattr(acts, name)(rows).numpy()
        with keras_acts.config.portable():
            portable = tf.function(getattr(acts, name))(rows).numpy()
        np.testing.assert_allclose(portable, fast, rtol=1e-6, atol=1e-7, err_msg=name)
    edges = np.array([-inf, -200.0, -1e-30, 0.0, 2.0, inf, nan], np.float32)
    for name in ("gelu", "celu"):
        with keras_acts.config.portable():
            portable = tf.function(getattr(acts, name))(edges).numpy()
        np.testing.assert_array_equal(portable, getattr(acts, name)(edges).numpy(), err_msg=name)


def test_portable_gelu_precision():
    x = np.linspace(-12.0, 12.0, 4001)
    for dtype, bound in ((np.float32, 1e-6), (np.float64, 1e-14)):
        with keras_acts.config.portable():
            portable = tf.function(keras_acts.activations.gelu)(x.astype(dtype)).numpy()
        exact = keras_acts.activations.gelu(x.astype(dtype)).numpy()
        assert np.max(np.abs(portable - exact)) < bound


def test_portable_switch_checks_its_argument():
    with pytest.raises(ValueError, match="argument `enabled`: 'yes'"):
        keras_acts.config.set_portable("yes")
    assert not keras_acts.config.is_portable()
    with keras_acts.config.portable():
        assert keras_acts.config.is_portable()
    assert not keras_acts.config.is_portable()


# -- the export command ------------------------------------------------------


@pytest.fixture(scope="module")
def small_model_file(tmp_path_factory):
    inputs = keras.Input((6,))
    hidden = keras.layers.Dense(8, activation="gelu_custom")(inputs)
    hidden = keras_acts.layers.PReLU()(hidden)
    outputs = keras_acts.layers.Softmax()(keras.layers.Dense(4)(hidden))
    path = str(tmp_path_factory.mktemp("cmd") / "small.keras")
    keras.Model(inputs, outputs).save(path)
    return path


@pytest.fixture(scope="module")
def quick_start_file(tmp_path_factory):
    """The README quick start's model, built as the README builds it: a
    Sequential model, which export once failed on for want of ``model.output``."""
    model = keras.Sequential([
        keras.Input((16,)),
        keras.layers.Dense(32),
        keras_acts.layers.LeakyReLU(negative_slope=0.1),       # the layer
        keras.layers.Dense(8, activation="leaky_relu_custom"),  # the string
    ])
    path = str(tmp_path_factory.mktemp("quick") / "model.keras")
    model.save(path)
    return path


def _export(*args):
    """``keras-acts export ...`` run in this process; its exit code."""
    import keras_acts_cli

    return keras_acts_cli.main(["export", *map(str, args)])


def _plant(path, kind):
    """An earlier output at ``path``: a file, or a folder holding one."""
    if kind == "file":
        path.write_bytes(b"previous")
    else:
        path.mkdir()
        (path / "kept").write_bytes(b"previous")


def _is_previous(path, kind):
    if kind == "file":
        return path.is_file() and path.read_bytes() == b"previous"
    return path.is_dir() and [p.name for p in path.iterdir()] == ["kept"]


@pytest.mark.parametrize("model", ["functional", "quick_start"])
@pytest.mark.parametrize("to", ["savedmodel", "tflite", pytest.param("onnx", marks=needs_onnx)])
def test_export_command_writes_and_checks(small_model_file, quick_start_file, model, tmp_path, to,
                                          capsys):
    model_file = quick_start_file if model == "quick_start" else small_model_file
    output = tmp_path / f"out.{to}"
    # An earlier output of the other kind (a folder for a file, a file for a
    # folder) is replaced by the new one.
    _plant(output, "file" if to == "savedmodel" else "folder")
    code = _export(model_file, "--to", to, "-o", output)
    printed = capsys.readouterr()
    assert code == 0, printed.err
    assert (output / "saved_model.pb").is_file() if to == "savedmodel" else output.is_file()
    assert [p.name for p in tmp_path.iterdir()] == [output.name]  # nothing else left beside it
    difference = float(printed.out.rsplit(":", 1)[1])
    assert difference <= 1e-5, printed.out


def _failing_save(self, path, **kwargs):
    os.makedirs(os.path.join(path, "variables"))  # half a SavedModel, then the failure
    raise RuntimeError("the converter gave up\nat its second line")


def _failing_interpreter(*args, **kwargs):
    raise RuntimeError("the written model does not run")


@pytest.mark.parametrize(
    "to, previous", [("savedmodel", "file"), ("tflite", "folder"), ("tflite", None)],
    ids=["savedmodel-over-a-file", "tflite-over-a-folder", "tflite-nothing-before"],
)
def test_failed_export_leaves_the_previous_output(quick_start_file, tmp_path, monkeypatch, capsys,
                                                  to, previous):
    # savedmodel: the converter fails half-way through; tflite: the complete
    # file is written, and fails its check.
    monkeypatch.setattr(keras.Model, "export", _failing_save)
    monkeypatch.setattr(tf.lite, "Interpreter", _failing_interpreter)
    output = tmp_path / f"out.{to}"
    if previous:
        _plant(output, previous)
    code = _export(quick_start_file, "--to", to, "-o", output)
    printed = capsys.readouterr()
    assert code == 1
    assert "Traceback" not in printed.err and printed.err.startswith("keras-acts: error: ")
    assert f"writing {str(output)!r} as {to} failed" in printed.err
    assert "gave up" in printed.err or "does not run" in printed.err
    assert len(printed.err.strip().splitlines()) == 1, printed.err
    if previous:
        assert _is_previous(output, previous)
    assert [p.name for p in tmp_path.iterdir()] == ([output.name] if previous else [])


class Unregistered(keras.Model):
    """A subclassed model, never registered with Keras."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.dense = keras.layers.Dense(2, activation="mish_custom")

    def call(self, inputs):
        return self.dense(inputs)


def test_export_names_a_class_it_cannot_import(tmp_path, capsys):
    model = Unregistered()
    model(np.zeros((1, 3), np.float32))
    path = tmp_path / "subclassed.keras"
    model.save(str(path))
    code = _export(path, "--to", "tflite", "-o", tmp_path / "out.tflite")
    err = capsys.readouterr().err
    assert code == 1 and "Traceback" not in err, err
    assert f"a model of class 'Unregistered' (defined in module {Unregistered.__module__!r}" in err
    assert "importable" in err and "register_keras_serializable" in err
    assert [p.name for p in tmp_path.iterdir()] == ["subclassed.keras"]
    # Registered, it loads; a subclassed model has no symbolic input to export from.
    with keras.saving.CustomObjectScope({"Unregistered": Unregistered}):
        with pytest.raises(ValueError, match="export takes Sequential and functional models"):
            export_tool.export_model(str(path), "tflite", str(tmp_path / "out.tflite"))


def test_export_says_what_to_install_without_tf2onnx(small_model_file, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "tf2onnx", None)  # import fails
    with pytest.raises(export_tool.ConverterMissing, match=r"pip install 'keras-acts\[onnx\]'"):
        export_tool.export_model(small_model_file, "onnx", str(tmp_path / "m.onnx"))


def test_export_checks_its_arguments(small_model_file, tmp_path):
    with pytest.raises(ValueError, match="argument `to`: 'pb'"):
        export_tool.export_model(small_model_file, "pb", str(tmp_path / "m"))
    with pytest.raises(ValueError, match="argument `batch`: 0"):
        export_tool.export_model(small_model_file, "tflite", str(tmp_path / "m"), batch=0)
    with pytest.raises(ValueError, match="the folder of OUT .* does not exist"):
        export_tool.export_model(small_model_file, "tflite", str(tmp_path / "no" / "m.tflite"))
    with pytest.raises(ValueError, match="is the model file itself"):
        export_tool.export_model(small_model_file, "tflite", small_model_file)


# -- tf-keras ----------------------------------------------------------------


@pytest.mark.parametrize("value", ["1", "true", "True"])
def test_legacy_keras_setting_is_refused(value):
    problem = _backend.keras_problem({"TF_USE_LEGACY_KERAS": value}, "3.15.0")
    assert f"TF_USE_LEGACY_KERAS={value}" in problem
    assert "Unset TF_USE_LEGACY_KERAS" in problem


@pytest.mark.parametrize("value", [None, "0", "false", ""])
def test_keras_3_settings_pass(value):
    environ = {} if value is None else {"TF_USE_LEGACY_KERAS": value}
    assert _backend.keras_problem(environ, "3.15.0") is None


def test_keras_2_package_is_refused():
    problem = _backend.keras_problem({}, "2.15.0")
    assert "installed keras is 2.15.0" in problem and "keras>=3" in problem


@pytest.mark.skipif(importlib.util.find_spec("tf_keras") is None, reason="tf_keras not installed")
def test_import_under_legacy_keras_raises_a_clear_error():
    env = dict(os.environ, TF_USE_LEGACY_KERAS="1", TF_CPP_MIN_LOG_LEVEL="3")
    done = subprocess.run(
        [sys.executable, "-c", "import keras_acts"], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode != 0
    assert "ImportError: keras_acts needs Keras 3, but TF_USE_LEGACY_KERAS=1" in done.stderr


# -- docs/deploy.md ----------------------------------------------------------


def test_deploy_page_rows_match_these_results(saved_model, tflite_results, onnx_results):
    """Regenerating the page costs a minute; its rows come from the same
    checks as the results above, so those rows must be on the committed page."""
    from scripts import deploy_page

    with open(os.path.join(os.path.dirname(__file__), "..", "docs", "deploy.md")) as f:
        page = f.read()
    onnx = onnx_results if export_tool.onnx_available() else None
    rows = deploy_page.table_rows(CASES, saved_model[0], tflite_results, onnx)
    # The strategy columns come from a run of every activation under both
    # strategies, too slow for the suite (tests/test_distribute.py runs the
    # small model): the page must show them all ok.
    lines = page.splitlines()
    missing = []
    for row in rows:
        exports = row.rsplit("|", 3)[0]
        match = [line for line in lines if line.startswith(exports)]
        if not match or not match[0].endswith("| ok | ok |"):
            missing.append(row)
    assert not missing, "regenerate docs/deploy.md:\n" + "\n".join(missing)

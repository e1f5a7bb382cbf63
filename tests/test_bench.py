"""Smoke test of ``keras-acts bench``: it runs and prints its report. No
timing is asserted: the benchmark is not a test. Sizes are tiny and rounds
single. The memory and fit parts run each case in a fresh process: here the
cases' own code runs in this process, and the processes are stood in for
(each would pay TensorFlow's import)."""

import json
import os
import subprocess

import pytest

import keras_acts_cli
from keras_acts.tools import (
    bench, bench_fit, bench_memory, bench_memory_child, bench_report, bench_transformer,
)

TINY = ["--parts", "kernels", "--repeats", "1", "--sizes", "12"]


def test_bench_prints_its_report_and_progress_apart(capsys):
    code = bench.main(["relu", "gelu", "--quick", *TINY])
    assert code == 0
    out, err = capsys.readouterr()
    assert "| activation | elements | mode |" in out
    assert "| gelu | 2^12 | graph |" in out
    assert "| relu | 2^12 | xla |" in out
    assert "Machine:" in out
    # Each column defined once, in words; the ratio's definition says why it
    # is not the quotient of the printed medians.
    assert "ours/keras: the median of each round's ratio" in out
    assert "not the quotient of the two printed medians" in out
    assert "floor ms:" in out
    # Targets as a table, not raw JSON.
    assert "| target | measured | met? |" in out
    assert '"met"' not in out and "{" not in out.split("Targets", 1)[1]
    # Progress on stderr, the report on stdout.
    assert "kernels: forward + backward" in err and "kernels: forward + backward" not in out


def test_bench_quick_json_has_every_part(capsys, monkeypatch):
    # The memory and fit parts run each case in a fresh process: here they
    # get made-up figures (the cases' code is tested below), so the JSON's shape is checked without them.
    def memory_case(activation, depth, width, batch, cache):
        return {"step": 100.0 + len(activation), "first": 120.0, "compiled": False}

    def fit_case(activation, sizes):
        return {"step_ms": 2.0, "partial_step_ms": 1.5, "extra_mib": 30.0 + len(activation)}

    def transformer_child(backend, part, variants, sizes):
        if part == "time":
            return [{v: {"step_ms": 2.0, "partial_step_ms": 1.0} for v in variants}]
        return {v: 2**20 * (10 + bench_transformer.VARIANTS.index(v)) for v in variants}

    monkeypatch.setattr(bench_memory, "_memory_case", memory_case)
    monkeypatch.setattr(bench_fit, "_case", fit_case)
    monkeypatch.setattr(bench_transformer, "_run_child", transformer_child)
    code = bench.main(["relu", "--quick", "--json", "--repeats", "1", "--sizes", "12"])
    assert code == 0
    result = json.loads(capsys.readouterr().out)
    assert {"machine", "kernels", "training", "memory", "fit", "transformer", "targets"} <= set(result)
    assert [r["activation"] for r in result["transformer"]] == ["swiglu", "geglu"]
    assert result["kernels"][0]["name"] == "relu"
    assert result["memory"]["rows"][0]["name"] == "relu"
    assert result["memory"]["rows"][0]["ours_compiled"] is False
    assert result["fit"][0]["name"] == "relu"
    assert result["fit"][0]["ours_extra_mib"] == 30.0 + len("relu_custom")
    low, high = result["training"][0]["speedup_spread"]
    assert low <= high
    assert {"geomean_ours_vs_keras", "met", "above_target"} <= set(result["targets"]["graph_2^12"])


def test_fit_case_figures():
    # The case's own code, in this process: bench runs it in a fresh one, so
    # that its memory figure is its own.
    row = bench_fit._child("relu_custom", depth=1, width=64, batch=32, rows=70, epochs=2)
    assert row["step_ms"] > 0 and row["partial_step_ms"] > 0 and row["extra_mib"] >= 0


def test_training_table_shows_the_middle_half_of_its_rounds():
    row = {"model": "mlp", "name": "tanh", "ours_steps_per_s": 31.1, "keras_steps_per_s": 35.7,
           "speedup": 0.90, "speedup_spread": [0.86, 1.02]}
    table = bench_report.training_table([row])
    assert "| speed, middle half of rounds |" in table
    assert "| mlp | tanh | 31.1 | 35.7 | 0.90 | 0.86-1.02 |" in table


def test_memory_keeps_xla_compiling_apart(tmp_path, monkeypatch):
    # Each case is a fresh process (``bench_memory_child``); where the first
    # one compiled (it left code in the persistent XLA cache), the case runs
    # again on the warm cache and that is the step's figure. The processes
    # are stood in for here: a compiling one writes to the cache.
    calls = []

    def child(args, env, **kwargs):
        cache = env["TF_XLA_FLAGS"].split("--tf_xla_persistent_cache_directory=")[1]
        compiles = args[-4] == "gelu_custom" and not os.listdir(cache)
        if compiles:
            open(os.path.join(cache, "module.pb"), "w").close()
        calls.append(args[-4])
        peak = (160 if compiles else 100) * 2**20
        return subprocess.CompletedProcess(args, 0, stdout=json.dumps({"step_peak_bytes": peak}))

    monkeypatch.setattr(bench_memory.subprocess, "run", child)
    (tmp_path / "gelu").mkdir()
    (tmp_path / "relu").mkdir()
    gelu = bench_memory._memory_case("gelu_custom", 1, 256, 256, str(tmp_path / "gelu"))
    assert gelu == {"step": 100.0, "first": 160.0, "compiled": True}
    relu = bench_memory._memory_case("relu_custom", 1, 256, 256, str(tmp_path / "relu"))
    assert relu == {"step": 100.0, "first": 100.0, "compiled": False}
    assert calls == ["gelu_custom", "gelu_custom", "relu_custom"]


def test_memory_child_measures_a_step():
    # The child's own code, in this process (bench runs it in a fresh one).
    assert bench_memory_child.step_peak_bytes("gelu_custom", 1, 64, 32) >= 0


def test_memory_report_says_what_compiled(monkeypatch):
    # How bench_memory logs and tabulates a case that compiled, with made-up peaks.
    peaks = {"linear": 100.0, "relu_custom": 110.0, "relu": 120.0, "gelu_custom": 130.0, "gelu": 150.0}

    def case(activation, depth, width, batch, cache):
        compiled = activation == "gelu_custom"
        return {"step": peaks[activation], "first": peaks[activation] + 30 * compiled, "compiled": compiled}

    monkeypatch.setattr(bench_memory, "_memory_case", case)
    logged = []
    memory = bench.bench_memory(["relu", "gelu"], quick=True, log=logged.append)
    rows = {r["name"]: r for r in memory["rows"]}
    assert rows["gelu"]["ours_compiled"] and not rows["relu"]["ours_compiled"]
    assert rows["gelu"]["ours_first_step_extra_mib"] == 60.0
    assert any("gelu/ours" in line and "first step, compiling" in line for line in logged)
    assert "| ours first step MiB |" in bench_report.memory_table(memory)


def test_bench_rejects_unknown_names_and_parts(capsys):
    assert bench.main(["no_such_activation", "--quick"]) == 2
    assert bench.main(["relu", "--parts", "nothing"]) == 2
    err = capsys.readouterr().err
    assert "--parts 'nothing'" in err


@pytest.mark.parametrize(
    "option, value, said",
    [
        ("--repeats", "0", "0 is below 1"),
        ("--repeats", "-2", "-2 is below 1"),
        ("--repeats", "two", "'two' is not an integer"),
        ("--sizes", "12,-1", "'12,-1': log2 size -1 is below 0"),
        ("--sizes", "big", "'big': give comma-separated integers"),
    ],
)
def test_bench_refuses_bad_counts_before_running(option, value, said, capsys, monkeypatch):
    # A usage error (exit status 2) naming the option and the value, from the
    # command and from `python -m keras_acts.tools.bench`; nothing is measured.
    monkeypatch.setattr(bench, "run", lambda *a, **k: pytest.fail("bench ran"))
    assert keras_acts_cli.main(["bench", "relu", f"{option}={value}"]) == 2
    with pytest.raises(SystemExit) as exit_:
        bench.main(["relu", f"{option}={value}"])
    assert exit_.value.code == 2
    for err in capsys.readouterr().err.strip().split("usage:")[1:]:
        assert f"error: argument {option}: {said}" in err


def test_markdown_and_targets_of_a_single_size():
    args = bench.parser().parse_args(["relu", *TINY])
    result = bench.run(args, log=lambda *a: None)
    page = bench.markdown(result)
    assert "## Speed targets" in page and "## Forward + backward" in page
    assert "| relu |" in page
    assert "middle half" in page
    assert "| no XLA, 2^12: none above 1.05 |" in page
    assert "| 2^12, no XLA: none above 1.10 |" not in page
    assert "| mish and softmax within 1.5x of the floor (XLA) | not measured | - |" in page
    assert "- ours/keras: the median of each round's ratio" in page


# -- other backends: the report of their results, and their steps --------------------------


def _backend_result(backend, mode):
    """A made-up result of `keras-acts bench` on JAX or PyTorch: the report's input."""
    kernel = {"name": "mish", "size": 2**12, "mode": mode, "ours_ms": 1.0, "keras_ms": 2.0,
              "floor_ms": 0.5, "ours_vs_keras": 0.5, "ours_vs_keras_spread": [0.4, 0.6],
              "ours_vs_floor": 2.0, "keras_vs_floor": 4.0}
    memory_row = {"name": "mish", "ours_extra_mib": 224.0, "keras_extra_mib": 736.0,
                  "ours_first_step_extra_mib": 224.0, "ours_compiled": False,
                  "ours_extra_tensors": 0.88, "keras_extra_tensors": 2.88}
    if backend == "torch":
        memory_row.update(ours_saved_extra_mib=128.0, keras_saved_extra_mib=256.0)
    fit = {"name": "mish", "backend": backend, "depth": 8, "width": 1024, "batch": 4096, "rows": 9000,
           "ours_step_ms": 900.0, "keras_step_ms": 1000.0, "step_ratio": 0.9, "step_ratio_range": [0.85, 1.02],
           "ours_partial_step_ms": 200.0, "keras_partial_step_ms": 210.0,
           "ours_extra_mib": 112.0, "keras_extra_mib": 368.0}
    return {
        "machine": {"backend": backend, "cpu": "test", "cores": 2},
        "fusion": "auto",
        "kernels": [kernel],
        "targets": bench_report.kernel_summary([kernel], 2**12, 2**12),
        "memory": {"backend": backend, "depth": 8, "width": 1024, "batch": 8192, "tensor_mib": 32.0,
                   "linear_peak_mib": 292.0, "rows": [memory_row]},
        "fit": [fit],
    }


def test_jax_report_sits_under_its_heading_and_judges_the_fit_targets():
    page = bench_report.markdown(_backend_result("jax", "jit"))
    assert "**Machine:** backend jax" in page
    assert "### Speed targets" in page and "\n## " not in page
    assert "| jax.jit, 2^12: geometric mean <= 1.0 | 0.50 | **met** |" in page
    assert "| mish and softmax within 1.5x of the floor (jax.jit) | mish 2.00x | not met |" in page
    assert "| fit mish: extra memory <= 0.60x Keras's | 0.30 (112 vs 368 MiB) | **met** |" in page
    assert "| fit mish: step time <= 1.00x Keras's | 0.90 (0.85-1.02) | **met** |" in page
    assert "memory_analysis().temp_size_in_bytes" in page
    assert "first step MiB" not in page and "saved MiB" not in page
    assert "| mish | 8 x Dense(1024) | 4096 / 9000 | 900.0 / 1000.0 | 0.90 | 0.85-1.02 |" in page


def test_torch_report_lists_its_kernels_and_the_saved_tensors():
    result = _backend_result("torch", "eager")
    result["fit"][0].update(ours_extra_mib=400.0, keras_extra_mib=500.0)  # 0.80: over 0.70
    page = bench_report.markdown(result)
    # No kernel target is set for eager PyTorch: listed, not judged.
    assert "| eager, 2^12: geometric mean ours/Keras (no target set) | 0.50 over 1 | - |" in page
    assert "| fit mish: extra memory <= 0.70x Keras's | 0.80 (400 vs 500 MiB) | not met |" in page
    assert "| ours saved MiB | keras saved MiB |" in page and "| 128 | 256 |" in page
    assert "saved_tensors_hooks" in page
    assert "### Training" not in page  # no training part in this result
    assert "Targets" in bench_report.report(result)


def test_backend_steps_return_values_and_gradients(monkeypatch):
    # bench_backends' step and floor on PyTorch (which this process has
    # imported already) and on JAX, with their own functions: the bench's
    # plumbing, without a process per backend.
    import jax.numpy as jnp
    import numpy as np
    import torch

    from keras_acts.tools import bench_backends

    x, dy = np.linspace(-2.0, 2.0, 8, dtype="float32"), np.full(8, 0.5, "float32")
    expected = (np.tanh(x), 0.5 * (1 - np.tanh(x) ** 2))
    for backend, tanh, as_tensor in (("torch", torch.tanh, torch.from_numpy), ("jax", jnp.tanh, jnp.asarray)):
        monkeypatch.setattr(bench_backends, "BACKEND", backend)
        ((_, compiled),) = bench_backends.MODES[backend]  # jit on JAX, eager on PyTorch
        y, dx = bench_backends.step(tanh, compiled)(as_tensor(x), as_tensor(dy))
        np.testing.assert_allclose(np.asarray(y.detach() if backend == "torch" else y), expected[0], rtol=1e-6)
        np.testing.assert_allclose(np.asarray(dx), expected[1], rtol=1e-5)
        y, dx = bench_backends.step(bench_backends.floor_fn(), False)(as_tensor(x), as_tensor(dy))
        np.testing.assert_allclose(np.asarray(dx), 2 * dy)


def test_fit_on_jax_and_torch_pairs_ours_and_keras_in_each_process(monkeypatch):
    # There each process times ours and Keras's epoch by epoch in turn,
    # half of them building Keras's model first; memory comes from the
    # memory part at the fit's batch. The processes are stood in for.
    calls = []

    def pair_case(name, sizes, keras_first=False):
        calls.append(keras_first)
        ours = 90.0 if keras_first else 110.0
        return [{"ours": {"step_ms": ours, "partial_step_ms": 20.0},
                 "keras": {"step_ms": 100.0, "partial_step_ms": 25.0}}] * 3

    def step_memory(names, sizes, log):
        assert (sizes["depth"], sizes["width"], sizes["batch"]) == (8, 1024, 4096)
        return {n: {"ours_extra_mib": 112.0, "keras_extra_mib": 368.0} for n in names}

    monkeypatch.setattr(bench_fit, "_pair_case", pair_case)
    monkeypatch.setattr(bench_fit, "_step_memory", step_memory)
    monkeypatch.setattr(bench_fit.keras.backend, "backend", lambda: "jax")
    (row,) = bench_fit.bench_fit(["mish"], quick=False, log=lambda *a: None)
    assert calls == [False, True, False, True]
    assert row["backend"] == "jax" and row["ours_extra_mib"] == 112.0
    assert row["step_ratio"] == 1.0 and row["step_ratio_range"] == [0.9, 1.1]
    assert row["ours_partial_step_ms"] == 20.0


def test_pair_child_times_both_models():
    # The pair's own code, in this process (bench runs it in a fresh one).
    epochs = bench_fit._pair_child("relu", depth=1, width=16, batch=8, rows=20, epochs=3, keras_first=True)
    assert len(epochs) == 2
    assert all(e[who]["step_ms"] > 0 and e[who]["partial_step_ms"] > 0 for e in epochs for who in ("ours", "keras"))

"""Smoke test of ``keras-acts bench``: it runs and prints its report. No
timing is asserted: the benchmark is not a test. Sizes are tiny and rounds
single. The memory and fit parts run each case in a fresh process: here the
cases' own code runs in this process, and the processes are stood in for
(each would pay TensorFlow's import)."""

import json
import os
import subprocess

import pytest

from keras_acts.tools import bench, bench_fit, bench_memory, bench_memory_child, bench_report, cli

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

    monkeypatch.setattr(bench_memory, "_memory_case", memory_case)
    monkeypatch.setattr(bench_fit, "_case", fit_case)
    code = bench.main(["relu", "--quick", "--json", "--repeats", "1", "--sizes", "12"])
    assert code == 0
    result = json.loads(capsys.readouterr().out)
    assert {"machine", "kernels", "training", "memory", "fit", "targets"} <= set(result)
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
    assert cli.main(["bench", "relu", f"{option}={value}"]) == 2
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

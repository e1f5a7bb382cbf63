"""Smoke test of ``keras-acts bench``: it runs and prints its table. No
timing is asserted: the benchmark is not a test."""

import json

from keras_acts.tools import bench, bench_report


def test_bench_quick_prints_its_table(capsys):
    code = bench.main(["relu", "gelu", "--quick", "--parts", "kernels", "--repeats", "1", "--sizes", "12"])
    assert code == 0
    out = capsys.readouterr().out
    assert "| activation | elements | mode |" in out
    assert "| gelu | 2^12 | graph |" in out
    assert "| relu | 2^12 | xla |" in out
    assert "Machine:" in out


def test_bench_quick_json_has_every_part(capsys):
    code = bench.main(["relu", "--quick", "--json", "--repeats", "1", "--sizes", "12"])
    assert code == 0
    result = json.loads(capsys.readouterr().out)
    assert {"machine", "kernels", "training", "memory", "targets"} <= set(result)
    assert result["kernels"][0]["name"] == "relu"
    assert result["memory"]["rows"][0]["name"] == "relu"
    low, high = result["training"][0]["speedup_spread"]
    assert low <= high


def test_training_table_shows_the_middle_half_of_its_rounds():
    row = {"model": "mlp", "name": "tanh", "ours_steps_per_s": 31.1, "keras_steps_per_s": 35.7,
           "speedup": 0.90, "speedup_spread": [0.86, 1.02]}
    table = bench_report.training_table([row])
    assert "| speed, middle half of rounds |" in table
    assert "| mlp | tanh | 31.1 | 35.7 | 0.90 | 0.86-1.02 |" in table


def test_memory_keeps_xla_compiling_apart():
    # gelu fuses at this size: its first step compiles, and the step's own
    # figure comes from a second process on the warm persistent cache.
    logged = []
    memory = bench.bench_memory(["relu", "gelu"], quick=True, log=logged.append)
    rows = {r["name"]: r for r in memory["rows"]}
    assert rows["gelu"]["ours_compiled"] and not rows["relu"]["ours_compiled"]
    assert any("gelu/ours" in line and "first step, compiling" in line for line in logged)
    assert "| ours first step MiB |" in bench_report.memory_table(memory)


def test_bench_rejects_unknown_names_and_parts(capsys):
    assert bench.main(["no_such_activation", "--quick"]) == 2
    assert bench.main(["relu", "--parts", "nothing"]) == 2


def test_markdown_renders_targets_and_tables():
    from keras_acts.tools import bench

    result = bench.run(bench.parser().parse_args(["relu", "--quick", "--parts", "kernels", "--repeats", "1"]), log=lambda *a: None)
    page = bench.markdown(result)
    assert "## Speed targets" in page and "## Forward + backward" in page
    assert "| relu |" in page
    assert "middle half" in page


def test_targets_of_a_single_size_are_not_repeated_as_small_ones():
    args = bench.parser().parse_args(["relu", "--parts", "kernels", "--repeats", "1", "--sizes", "12"])
    page = bench.markdown(bench.run(args, log=lambda *a: None))
    assert "| no XLA, 2^12: none above 1.05 |" in page
    assert "| 2^12, no XLA: none above 1.10 |" not in page
    assert "| mish and softmax within 1.5x of the floor (XLA) | not measured | - |" in page

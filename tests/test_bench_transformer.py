"""Smoke test of the transformer feed-forward bench: it runs a tiny
configuration and reports its fields. No timing or memory figure is
asserted: the benchmark is not a test. The children's code runs in this
process on the active backend (a real run's fresh processes cost ~17 s of
the suite's budget: `python -m keras_acts.tools.bench_transformer --quick`
is the end-to-end check)."""

import json

import keras

from keras_acts.tools import bench_report, bench_transformer

TINY = dict(d_model=8, hidden=8, blocks=2, rows=10, batch=4, epochs=2, repeats=1)


def test_time_child_times_every_timed_variant():
    epochs = bench_transformer._time_child(list(bench_transformer.VARIANTS[:4]), TINY)
    assert len(epochs) == TINY["epochs"] - 1
    for epoch in epochs:
        assert set(epoch) == set(bench_transformer.VARIANTS[:4])
        for figures in epoch.values():
            assert figures["step_ms"] > 0 and figures["partial_step_ms"] > 0


def test_memory_child_measures_every_variant():
    memory = bench_transformer._memory_child(list(bench_transformer.VARIANTS), TINY)
    assert set(memory) == set(bench_transformer.VARIANTS)
    assert all(isinstance(b, int) for b in memory.values())


def test_report_has_its_fields(monkeypatch, capsys):
    # The children run here instead of in fresh processes (each would pay
    # the backend's import); the parent's assembly and tables are the same.
    def in_process(backend, part, variants, sizes):
        child = {"time": bench_transformer._time_child, "memory": bench_transformer._memory_child}[part]
        return child(list(variants), TINY)

    backend = keras.backend.backend()
    monkeypatch.setattr(bench_transformer, "_run_child", in_process)
    assert bench_transformer.main(["--quick", "--json", "--backends", backend]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["activation"] for r in rows] == ["swiglu", "geglu"]
    for row in rows:
        assert row["backend"] == backend
        assert {"time_ratio", "time_ratio_range", "ours_extra_mib", "keras_ops_extra_mib",
                "memory_ratio", "ours_step_ms", "keras_ops_step_ms"} <= set(row)
    table = bench_report.transformer_table(rows)
    assert table.startswith("| backend | activation |")
    assert f"| {backend} | geglu |" in table
    # keras-acts bench's report and page carry the table and the targets.
    result = {"machine": {"backend": backend}, "fusion": "auto", "transformer": rows}
    for text in (bench_report.report(result), bench_report.markdown(result)):
        assert table in text
        assert "feed-forward swiglu: extra memory <= 0.70x keras.ops's" in text
        assert "feed-forward geglu: step time <= 1.00x keras.ops's" in text

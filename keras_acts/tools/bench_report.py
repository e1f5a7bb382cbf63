"""``keras-acts bench``'s report: the tables, the speed targets and the
markdown of docs/benchmarks.md, from the results that ``bench`` measured."""

import math
import statistics


def middle_half(values):
    """The quartiles of ``values`` (their range where fewer than four)."""
    values = sorted(values)
    if len(values) < 4:
        return [values[0], values[-1]]
    q1, _, q3 = statistics.quantiles(values, n=4)
    return [q1, q3]


def _fmt(value, digits=2):
    return "-" if value is None else f"{value:.{digits}f}"


def _spread(spread):
    return "-" if spread is None else f"{spread[0]:.2f}-{spread[1]:.2f}"


def kernel_line(row):
    return (
        f"{row['name']:<14} 2^{int(math.log2(row['size'])):<3} {row['mode']:<5} "
        f"ours {_fmt(row['ours_ms'], 3)} ms  keras {_fmt(row['keras_ms'], 3)} ms  "
        f"floor {_fmt(row['floor_ms'], 3)} ms  ours/keras {_fmt(row['ours_vs_keras'])}"
    )


def kernel_table(rows):
    lines = [
        "| activation | elements | mode | ours ms | keras ms | floor ms | ours/keras "
        "| ours/keras, middle half of rounds | ours/floor | keras/floor |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        spread = _spread(r.get("ours_vs_keras_spread"))
        lines.append(
            f"| {r['name']} | 2^{int(math.log2(r['size']))} | {r['mode']} | "
            f"{_fmt(r['ours_ms'], 3)} | {_fmt(r['keras_ms'], 3)} | {_fmt(r['floor_ms'], 3)} | "
            f"{_fmt(r['ours_vs_keras'])} | {spread} | {_fmt(r['ours_vs_floor'])} | "
            f"{_fmt(r['keras_vs_floor'])} |"
        )
    return "\n".join(lines)


def _above(row):
    """(name, ratio, middle half of the per-round ratios) of a row over its target."""
    spread = row.get("ours_vs_keras_spread") or [row["ours_vs_keras"]] * 2
    return (row["name"], round(row["ours_vs_keras"], 2), [round(v, 2) for v in spread])


# Per kernel mode: (its words in the targets, geometric-mean target, worst-row
# target). TensorFlow's modes are graph and xla, JAX's jit, PyTorch's eager,
# which has no kernel targets set: its rows are listed, not judged.
KERNEL_TARGETS = {
    "graph": ("no XLA", 0.6, 1.05),
    "xla": ("model-wide XLA", 1.0, 1.10),
    "jit": ("jax.jit", 1.0, 1.10),
    "eager": ("eager", None, None),
}
_LISTED_ABOVE = 1.10  # where a mode has no target, the rows above this are listed
# The product owner's targets for the fit row on JAX and PyTorch: ours / Keras's
# (extra memory, step time) at most.
# Resident figures move by a page or two between identical runs: a memory
# target is met within this much.
_MEMORY_SLACK_MIB = 1.0
FIT_TARGETS = {
    "jax": {"mish": (0.60, 1.0), "gelu": (0.60, 1.0)},
    "torch": {"mish": (0.70, 1.0), "gelu": (1.0, 1.0)},
}


def _big_summary(mode, sel):
    _, gmean_max, worst_max = KERNEL_TARGETS.get(mode, (mode, None, None))
    ratios = [r["ours_vs_keras"] for r in sel]
    gmean = math.exp(sum(math.log(v) for v in ratios) / len(ratios))
    worst = max(sel, key=lambda r: r["ours_vs_keras"])
    bar = _LISTED_ABOVE if worst_max is None else worst_max
    summary = {
        "n": len(sel),
        "geomean_ours_vs_keras": gmean,
        "geomean_target": gmean_max,
        "worst": (worst["name"], worst["ours_vs_keras"]),
        "worst_target": worst_max,
        "above_target": sorted(_above(r) for r in sel if r["ours_vs_keras"] > bar),
        "met": None if gmean_max is None else gmean <= gmean_max and worst["ours_vs_keras"] <= worst_max,
    }
    if mode in ("xla", "jit"):
        floors = {r["name"]: r["ours_vs_floor"] for r in sel if r["name"] in ("mish", "softmax")}
        summary["ours_vs_floor"] = floors
        summary["floor_met"] = all(v <= 1.5 for v in floors.values())
    return summary


def kernel_summary(rows, big, small):
    """The speed targets, checked on the rows measured."""
    out = {}
    modes = [m for m in KERNEL_TARGETS if any(r["mode"] == m for r in rows)]
    for mode in modes:
        sel = [r for r in rows if r["mode"] == mode and r["size"] == big and r["ours_vs_keras"]]
        if sel:
            out[f"{mode}_2^{int(math.log2(big))}"] = _big_summary(mode, sel)
    if small is not None and small != big:
        for mode in modes:
            sel = [r for r in rows if r["mode"] == mode and r["size"] == small and r["ours_vs_keras"]]
            if not sel:
                continue
            judged = KERNEL_TARGETS[mode][2] is not None
            above = sorted(_above(r) for r in sel if r["ours_vs_keras"] > 1.10)
            out[f"{mode}_2^{int(math.log2(small))}"] = {
                "n": len(sel),
                "worst_target": 1.10 if judged else None,
                "above_target": above,
                "met": (not above) if judged else None,
            }
    return out


def training_table(rows):
    lines = [
        "| model | activation | ours steps/s | keras steps/s | speed ours/keras "
        "| speed, middle half of rounds |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['model']} | {r['name']} | {r['ours_steps_per_s']:.1f} | "
            f"{r['keras_steps_per_s']:.1f} | {r['speedup']:.2f} | {_spread(r.get('speedup_spread'))} |"
        )
    return "\n".join(lines)


# What the memory part's step figure is on each backend (bench_memory_child).
MEMORY_METHODS = {
    "tensorflow": (
        "step peak with `linear`: {base} MiB. Extra = step peak - step peak with linear (step "
        "peak: resident memory above the level just before the step, with XLA's compiled code "
        "from a warm persistent cache); first step = the same where the step also compiles what "
        "it fuses (a one-time cost); tensors = extra / (layers x tensor size)."
    ),
    "jax": (
        "temporary buffers of the compiled train step with `linear`: {base} MiB. Extra = XLA's "
        "temporary buffers of Keras's train step (`model.train_step` under `jax.jit`, as `fit` "
        "compiles it: `memory_analysis().temp_size_in_bytes`, exact, the same every run) minus "
        "the same with linear; tensors = extra / (layers x tensor size)."
    ),
    "torch": (
        "step peak with `linear`: {base} MiB. Extra = step peak - step peak with linear (step "
        "peak: resident memory above the level just before a `train_on_batch` step, after a "
        "first one, glibc's mmap threshold fixed); saved = bytes autograd saved for the backward "
        "pass during a step (its `saved_tensors_hooks`, each storage once), minus linear's; "
        "tensors = extra / (layers x tensor size)."
    ),
}


def memory_table(result):
    backend = result.get("backend", "tensorflow")
    # The last columns: TensorFlow's first step (compiling), PyTorch's saved tensors.
    last = {"tensorflow": ["ours first step MiB"], "torch": ["ours saved MiB", "keras saved MiB"]}
    last = last.get(backend, [])
    lines = [
        f"Deep MLP: {result['depth']} x Dense({result['width']}), batch {result['batch']} "
        f"(one activation tensor = {result['tensor_mib']:.0f} MiB); "
        + MEMORY_METHODS[backend].format(base=f"{result['linear_peak_mib']:.0f}"),
        "",
        "| activation | ours extra MiB | keras extra MiB | ours tensors/layer | keras tensors/layer |"
        + "".join(f" {c} |" for c in last),
        "|---|---|---|---|---|" + "---|" * len(last),
    ]
    for r in result["rows"]:
        if backend == "torch":
            end = f" {r['ours_saved_extra_mib']:.0f} | {_fmt(r['keras_saved_extra_mib'], 0)} |"
        elif backend == "tensorflow":
            end = f" {r.get('ours_first_step_extra_mib', r['ours_extra_mib']):.0f} |"
        else:
            end = ""
        lines.append(
            f"| {r['name']} | {r['ours_extra_mib']:.0f} | {_fmt(r['keras_extra_mib'], 0)} | "
            f"{r['ours_extra_tensors']:.2f} | {_fmt(r['keras_extra_tensors'])} |" + end
        )
    return "\n".join(lines)


KERNEL_COLUMNS = (
    "ours ms: our function's forward + backward pass (our hand-written gradient), median "
    "milliseconds per call over the interleaved rounds.",
    "keras ms: the same for Keras's built-in of the same name and arguments (the backend's "
    "autodiff).",
    "floor ms: a custom-gradient y = 2x, one read and one write each way: what moving the "
    "tensor costs. A native or XLA-fused kernel may beat it.",
    "ours/keras: the median of each round's ratio, below 1 = ours faster. It is not the "
    "quotient of the two printed medians: when load drifts between rounds the two differ, and "
    "the per-round ratio is the steadier figure.",
    "ours/keras, middle half of rounds: the quartiles of those per-round ratios.",
    "ours/floor, keras/floor: per-round ratios against the floor, medians likewise.",
)
TRAINING_COLUMNS = (
    "steps/s: training steps per second (median over rounds).",
    "speed ours/keras: the median of each round's ratio of Keras's step time to ours, above "
    "1 = ours faster (not the quotient of the printed medians, as above).",
)


def _legend(lines):
    return "\n".join("  - " + line for line in lines)


def report(result):
    """The report on the terminal: each table with its columns defined once, and
    the targets as target / measured / met."""
    lines = ["Machine: " + ", ".join(f"{k} {v}" for k, v in result["machine"].items())]
    if "kernels" in result:
        lines += ["", "Forward + backward, float32:", _legend(KERNEL_COLUMNS), "",
                  kernel_table(result["kernels"])]
    if "training" in result:
        lines += ["", "Training steps per second:", _legend(TRAINING_COLUMNS), "",
                  training_table(result["training"])]
    if "memory" in result:
        lines += ["", "Memory:", "", memory_table(result["memory"])]
    if "fit" in result:
        lines += ["", "Keras fit with a partial last batch:", "", fit_table(result["fit"])]
    if "transformer" in result:
        lines += ["", "Transformer feed-forward blocks, ours against keras.ops:", "",
                  transformer_table(result["transformer"])]
    if any(part in result for part in ("targets", "fit", "transformer")):
        lines += ["", "Targets (in parentheses after a ratio over its target: the middle half of "
                  "its per-round ratios):", "", targets_table(result)]
    return "\n".join(lines)


def _above_text(entry):
    return ", ".join(
        f"{name} {value:.2f} ({low:.2f}-{high:.2f})" for name, value, (low, high) in entry["above_target"]
    ) or "none"


def _kernel_target_rows(t):
    exponents = sorted({int(key.split("^")[1]) for key in t})
    big, small = f"2^{exponents[-1]}", f"2^{exponents[0]}"
    modes = [m for m in KERNEL_TARGETS if f"{m}_{big}" in t]
    rows, floor_rows = [], []
    for mode in modes:
        words, gmean_max, worst_max = KERNEL_TARGETS[mode]
        e = t[f"{mode}_{big}"]
        measured = f"{e['geomean_ours_vs_keras']:.2f}"
        if gmean_max is None:
            rows += [(f"{words}, {big}: geometric mean ours/Keras (no target set)",
                      f"{measured} over {e['n']}", None),
                     (f"{words}, {big}: above {_LISTED_ABOVE:.2f} (no target set)",
                      "above: " + _above_text(e), None)]
            continue
        first = (f"{words}, {big}: geometric mean ours/Keras <= {gmean_max}" if mode == "graph"
                 else f"{words}, {big}: geometric mean <= {gmean_max}")
        rows += [(first, f"{measured} over {e['n']}" if mode == "graph" else measured,
                  e["geomean_ours_vs_keras"] <= gmean_max),
                 (f"{words}, {big}: none above {worst_max:.2f}", "above: " + _above_text(e),
                  not e["above_target"])]
        if "ours_vs_floor" in e:
            floor = ", ".join(f"{n} {v:.2f}x" for n, v in e["ours_vs_floor"].items())
            where = "XLA" if mode == "xla" else words
            floor_rows.append((f"mish and softmax within 1.5x of the floor ({where})",
                               floor or "not measured", e["floor_met"] if floor else None))
    rows += floor_rows
    if small != big:
        short = {"graph": "no XLA", "xla": "XLA"}
        for mode in modes:
            e = t.get(f"{mode}_{small}")
            if e is None:
                continue
            words = short.get(mode, KERNEL_TARGETS[mode][0])
            judged = e["met"] is not None
            rows.append((f"{small}, {words}: none above 1.10" + ("" if judged else " (no target set)"),
                         "above: " + _above_text(e), e["met"]))
    return rows


def _fit_target_rows(result):
    backend = result["machine"].get("backend", "tensorflow")
    targets = FIT_TARGETS.get(backend, {})
    rows = []
    for r in result.get("fit", []):
        if r["name"] not in targets:
            continue
        memory_max, time_max = targets[r["name"]]
        memory = r["ours_extra_mib"] / max(r["keras_extra_mib"], 1e-9)
        step = r.get("step_ratio", r["ours_step_ms"] / r["keras_step_ms"])
        low, high = r.get("step_ratio_range", [step, step])
        rows += [
            (f"fit {r['name']}: extra memory <= {memory_max:.2f}x Keras's",
             f"{memory:.2f} ({r['ours_extra_mib']:.0f} vs {r['keras_extra_mib']:.0f} MiB)",
             r["ours_extra_mib"] <= memory_max * r["keras_extra_mib"] + _MEMORY_SLACK_MIB),
            (f"fit {r['name']}: step time <= {time_max:.2f}x Keras's",
             f"{step:.2f} ({low:.2f}-{high:.2f})", step <= time_max),
        ]
    return rows


def target_rows(result):
    """``(target, measured, met)`` for each speed and memory target; ``met`` is
    None where nothing was measured or no target is set."""
    rows = _kernel_target_rows(result["targets"]) if result.get("targets") else []
    if "training" in result:
        slow = [r for r in result["training"] if r["speedup"] < 1.0]
        rows.append(("training steps/s >= 1.0x Keras's",
                     "below: " + (", ".join(
                         f"{r['model']} {r['name']} {r['speedup']:.2f} ({_spread(r.get('speedup_spread'))})"
                         for r in slow) or "none"),
                     not slow))
    if "memory" in result:
        over = [r for r in result["memory"]["rows"]
                if r["keras_extra_mib"] is not None and r["ours_extra_mib"] > r["keras_extra_mib"] + 4]
        rows.append(("extra training memory <= Keras's",
                     "more: " + (", ".join(f"{r['name']} {r['ours_extra_mib']:.0f} vs {r['keras_extra_mib']:.0f} MiB" for r in over) or "none"),
                     not over))
    return rows + _fit_target_rows(result) + _transformer_target_rows(result)


def _verdict(ok, bold=False):
    if ok is None:
        return "-"
    return ("**met**" if bold else "met") if ok else "not met"


def targets_table(result, bold=False):
    lines = ["| target | measured | met? |", "|---|---|---|"]
    lines += [f"| {a} | {b} | {_verdict(c, bold)} |" for a, b, c in target_rows(result)]
    return "\n".join(lines)


TRANSFORMER_TEXT = (
    "Four residual blocks `x + Dense(512)(gate(Dense(2 x 4096)(x)))` trained by `fit` on 600 rows "
    "at batch 256 (a partial last batch), the gate ours or the same written with `keras.ops` "
    "(`silu(a) * b`, `gelu(a) * b`, differentiated by the backend): step time (median of the "
    "per-epoch ratios, epochs interleaved) and the step's memory over the same blocks gating "
    "with `a + b` (`keras_acts.tools.bench_transformer` says how each backend's is measured)."
)
TRAINING_MODES = {"tensorflow": "graph mode", "jax": "jit", "torch": "eager"}
FIT_MEMORY = (
    "Extra MiB on this backend: the memory part's figure for one train step at the fit's "
    "batch, over the same model with `linear` (see the memory section's method)."
)


def markdown(result):
    """The results as the body of docs/benchmarks.md: targets, then tables.
    TensorFlow's sections are the page's own (##); another backend's sit
    under its heading (###)."""
    backend = result["machine"].get("backend", "tensorflow")
    h = "##" if backend == "tensorflow" else "###"
    machine = ", ".join(f"{k} {v}" for k, v in result["machine"].items())
    parts = [f"**Machine:** {machine}; fusion `{result['fusion']}`."]
    if any(part in result for part in ("targets", "fit", "transformer")):
        parts += [
            f"{h} Speed targets",
            "In parentheses after a ratio over its target: the middle half (quartiles) of that "
            "row's per-round ratios.",
            targets_table(result, bold=True),
        ]
    if "kernels" in result:
        parts += [f"{h} Forward + backward", _legend(KERNEL_COLUMNS).replace("  - ", "- "),
                  kernel_table(result["kernels"])]
    if "training" in result:
        parts += [f"{h} Training steps per second ({TRAINING_MODES.get(backend, backend)})",
                  _legend(TRAINING_COLUMNS).replace("  - ", "- "), training_table(result["training"])]
    if "memory" in result:
        parts += [f"{h} Memory", memory_table(result["memory"])]
    if "fit" in result:
        parts += [f"{h} Keras fit with a partial last batch", fit_table(result["fit"])]
        if backend != "tensorflow":
            parts.append(FIT_MEMORY)
    if "transformer" in result:
        parts += [f"{h} Transformer feed-forward blocks", TRANSFORMER_TEXT,
                  transformer_table(result["transformer"])]
    return "\n\n".join(parts) + "\n"


def fit_table(rows):
    """Markdown: per-step time and extra memory, ours against Keras's."""
    lines = [
        "| activation | model | batch / rows | step ms ours / Keras | ratio | ratio, middle half "
        "| partial step ms ours / Keras | extra MiB ours / Keras | ratio |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        ratio = r.get("step_ratio", r["ours_step_ms"] / r["keras_step_ms"])
        spread = r.get("step_ratio_range")
        spread = "-" if spread is None else f"{spread[0]:.2f}-{spread[1]:.2f}"
        lines.append(
            f"| {r['name']} | {r['depth']} x Dense({r['width']}) | {r['batch']} / {r['rows']} "
            f"| {r['ours_step_ms']:.1f} / {r['keras_step_ms']:.1f} "
            f"| {ratio:.2f} | {spread} "
            f"| {r['ours_partial_step_ms']:.1f} / {r['keras_partial_step_ms']:.1f} "
            f"| {r['ours_extra_mib']:.0f} / {r['keras_extra_mib']:.0f} "
            f"| {r['ours_extra_mib'] / max(r['keras_extra_mib'], 1e-9):.2f} |"
        )
    return "\n".join(lines)


TRANSFORMER_MEMORY_METHOD = {"tensorflow": "allocator peak, traced step", "jax": "XLA temp bytes",
                             "torch": "autograd saved bytes"}
# The gated units' aims: extra memory against the same blocks written with
# keras.ops, and step time.
TRANSFORMER_TARGETS = (0.70, 1.00)


def transformer_table(rows):
    """Markdown: the feed-forward blocks' step time and extra memory, ours
    against the same gate written with keras.ops."""
    lines = [
        "| backend | activation | step ms ours / keras.ops | time ratio | middle half "
        "| extra MiB ours / keras.ops | memory ratio | memory measured as |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        ratio = "-" if r["memory_ratio"] is None else f"{r['memory_ratio']:.2f}"
        low, high = r["time_ratio_range"]
        lines.append(
            f"| {r['backend']} | {r['activation']} | {r['ours_step_ms']:.1f} / {r['keras_ops_step_ms']:.1f} "
            f"| {r['time_ratio']:.2f} | {low:.2f}-{high:.2f} "
            f"| {r['ours_extra_mib']:.1f} / {r['keras_ops_extra_mib']:.1f} | {ratio} "
            f"| {TRANSFORMER_MEMORY_METHOD[r['backend']]} |"
        )
    return "\n".join(lines)


def _transformer_target_rows(result):
    memory_max, time_max = TRANSFORMER_TARGETS
    rows = []
    for r in result.get("transformer", []):
        low, high = r["time_ratio_range"]
        memory = r["memory_ratio"]
        rows += [
            (f"feed-forward {r['activation']}: extra memory <= {memory_max:.2f}x keras.ops's",
             "-" if memory is None else
             f"{memory:.2f} ({r['ours_extra_mib']:.0f} vs {r['keras_ops_extra_mib']:.0f} MiB)",
             None if memory is None else memory <= memory_max),
            (f"feed-forward {r['activation']}: step time <= {time_max:.2f}x keras.ops's",
             f"{r['time_ratio']:.2f} ({low:.2f}-{high:.2f})", r["time_ratio"] <= time_max),
        ]
    return rows

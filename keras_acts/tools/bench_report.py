"""``keras-acts bench``'s report: the tables, the speed targets and the
markdown of docs/benchmarks.md, from the results that ``bench`` measured."""

import math


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


def kernel_summary(rows, big, small):
    """The speed targets, checked on the rows measured."""
    out = {}
    for mode, (gmean_max, worst_max) in (("graph", (0.6, 1.05)), ("xla", (1.0, 1.10))):
        sel = [r for r in rows if r["mode"] == mode and r["size"] == big and r["ours_vs_keras"]]
        if not sel:
            continue
        ratios = [r["ours_vs_keras"] for r in sel]
        gmean = math.exp(sum(math.log(v) for v in ratios) / len(ratios))
        worst = max(sel, key=lambda r: r["ours_vs_keras"])
        out[f"{mode}_2^{int(math.log2(big))}"] = {
            "n": len(sel),
            "geomean_ours_vs_keras": gmean,
            "geomean_target": gmean_max,
            "worst": (worst["name"], worst["ours_vs_keras"]),
            "worst_target": worst_max,
            "above_target": sorted(
                _above(r) for r in sel if r["ours_vs_keras"] > worst_max
            ),
            "met": gmean <= gmean_max and worst["ours_vs_keras"] <= worst_max,
        }
        if mode == "xla":
            floors = {
                r["name"]: r["ours_vs_floor"] for r in sel if r["name"] in ("mish", "softmax")
            }
            out[f"{mode}_2^{int(math.log2(big))}"]["ours_vs_floor"] = floors
            out[f"{mode}_2^{int(math.log2(big))}"]["floor_met"] = all(v <= 1.5 for v in floors.values())
    if small is not None and small != big:
        for mode in ("graph", "xla"):
            sel = [r for r in rows if r["mode"] == mode and r["size"] == small and r["ours_vs_keras"]]
            if not sel:
                continue
            above = sorted(_above(r) for r in sel if r["ours_vs_keras"] > 1.10)
            out[f"{mode}_2^{int(math.log2(small))}"] = {
                "n": len(sel),
                "worst_target": 1.10,
                "above_target": above,
                "met": not above,
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


def memory_table(result):
    lines = [
        f"Deep MLP: {result['depth']} x Dense({result['width']}), batch {result['batch']} "
        f"(one activation tensor = {result['tensor_mib']:.0f} MiB); step peak with `linear`: "
        f"{result['linear_peak_mib']:.0f} MiB. Extra = step peak - step peak with linear (step "
        "peak: resident memory above the level just before the step, with XLA's compiled code "
        "from a warm persistent cache); first step = the same where the step also compiles what "
        "it fuses (a one-time cost); tensors = extra / (layers x tensor size).",
        "",
        "| activation | ours extra MiB | keras extra MiB | ours tensors/layer | keras tensors/layer "
        "| ours first step MiB |",
        "|---|---|---|---|---|---|",
    ]
    for r in result["rows"]:
        first = r.get("ours_first_step_extra_mib", r["ours_extra_mib"])
        lines.append(
            f"| {r['name']} | {r['ours_extra_mib']:.0f} | {_fmt(r['keras_extra_mib'], 0)} | "
            f"{r['ours_extra_tensors']:.2f} | {_fmt(r['keras_extra_tensors'])} | {first:.0f} |"
        )
    return "\n".join(lines)


KERNEL_COLUMNS = (
    "ours ms: our function's forward + backward pass (our hand-written gradient), median "
    "milliseconds per call over the interleaved rounds.",
    "keras ms: the same for Keras's built-in of the same name and arguments (TensorFlow's "
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
        lines += ["", "Keras fit with a partial last batch:", "", _fit_table(result["fit"])]
    if "targets" in result:
        lines += ["", "Targets (in parentheses after a ratio over its target: the middle half of "
                  "its per-round ratios):", "", targets_table(result)]
    return "\n".join(lines)


def target_rows(result):
    """``(target, measured, met)`` for each speed and memory target; ``met`` is
    None where nothing was measured."""
    t = result["targets"]

    def above(key):
        return ", ".join(
            f"{name} {value:.2f} ({low:.2f}-{high:.2f})"
            for name, value, (low, high) in t[key]["above_target"]
        ) or "none"

    exponents = sorted({int(key.split("^")[1]) for key in t})
    big, small = f"2^{exponents[-1]}", f"2^{exponents[0]}"
    g_big, x_big = t[f"graph_{big}"], t[f"xla_{big}"]
    floor = ", ".join(f"{n} {v:.2f}x" for n, v in x_big["ours_vs_floor"].items())
    rows = [
        (f"no XLA, {big}: geometric mean ours/Keras <= 0.6",
         f"{g_big['geomean_ours_vs_keras']:.2f} over {g_big['n']}",
         g_big["geomean_ours_vs_keras"] <= 0.6),
        (f"no XLA, {big}: none above 1.05", "above: " + above(f"graph_{big}"),
         not g_big["above_target"]),
        (f"model-wide XLA, {big}: geometric mean <= 1.0",
         f"{x_big['geomean_ours_vs_keras']:.2f}", x_big["geomean_ours_vs_keras"] <= 1.0),
        (f"model-wide XLA, {big}: none above 1.10", "above: " + above(f"xla_{big}"),
         not x_big["above_target"]),
        ("mish and softmax within 1.5x of the floor (XLA)", floor or "not measured",
         x_big["floor_met"] if floor else None),
    ]
    if small != big:
        rows += [
            (f"{small}, no XLA: none above 1.10", "above: " + above(f"graph_{small}"),
             not t[f"graph_{small}"]["above_target"]),
            (f"{small}, XLA: none above 1.10", "above: " + above(f"xla_{small}"),
             not t[f"xla_{small}"]["above_target"]),
        ]
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
    return rows


def _verdict(ok, bold=False):
    if ok is None:
        return "-"
    return ("**met**" if bold else "met") if ok else "not met"


def targets_table(result, bold=False):
    lines = ["| target | measured | met? |", "|---|---|---|"]
    lines += [f"| {a} | {b} | {_verdict(c, bold)} |" for a, b, c in target_rows(result)]
    return "\n".join(lines)


def markdown(result):
    """The results as the body of docs/benchmarks.md: targets, then tables."""
    machine = ", ".join(f"{k} {v}" for k, v in result["machine"].items())
    parts = [f"**Machine:** {machine}; fusion `{result['fusion']}`."]
    if "targets" in result:
        parts += [
            "## Speed targets",
            "In parentheses after a ratio over its target: the middle half (quartiles) of that "
            "row's per-round ratios.",
            targets_table(result, bold=True),
        ]
    if "kernels" in result:
        parts += ["## Forward + backward", _legend(KERNEL_COLUMNS).replace("  - ", "- "),
                  kernel_table(result["kernels"])]
    if "training" in result:
        parts += ["## Training steps per second (graph mode)",
                  _legend(TRAINING_COLUMNS).replace("  - ", "- "), training_table(result["training"])]
    if "memory" in result:
        parts += ["## Memory", memory_table(result["memory"])]
    if "fit" in result:
        parts += ["## Keras fit with a partial last batch", _fit_table(result["fit"])]
    return "\n\n".join(parts) + "\n"


def _fit_table(rows):
    from keras_acts.tools.bench_fit import fit_table

    return fit_table(rows)

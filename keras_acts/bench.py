"""``keras-acts bench``: our activations against Keras's, measured.

Three parts:

1. kernels: forward plus backward of one activation on a float32 tensor
   (2^22 and 2^14 elements), under ``tf.function`` without and with
   model-wide XLA (``jit_compile=True``): ours, the Keras built-in of the same
   name with the same parameters, and a bandwidth floor (a custom-gradient
   ``y = 2x``, one read and one write each way), in interleaved repeated
   runs. Medians and ratios.
2. training: steps per second of an MLP and a small CNN, ours against Keras.
3. memory: peak resident memory of one training step of a deep MLP at a
   large batch, one fresh process per case, minus the same model with
   ``linear``: the extra memory an activation costs, ours against Keras
   (XLA's one-time compiling kept apart, through a persistent cache).

Run ``python -m keras_acts.bench --help``. The benchmark is not a test.
"""

import argparse
import datetime
import json
import math
import os
import platform
import random
import statistics
import subprocess
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

# Parameters for activations whose parameters have no defaults.
REQUIRED_PARAMS = {
    "threshold": {"threshold": 0.0, "default_value": 0.0},
    "prelu": {"alpha": 0.25},
}
QUICK_NAMES = ["relu", "gelu", "silu", "mish", "softmax"]
TRAIN_NAMES = ["relu", "gelu", "silu", "mish", "tanh", "elu"]
MEMORY_NAMES = [
    "relu", "sigmoid", "tanh", "elu", "gelu", "silu", "mish", "softplus", "squareplus", "softmax",
]


# -- machine -----------------------------------------------------------------


def machine():
    import keras
    import tensorflow as tf

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "gpus": len(tf.config.list_physical_devices("GPU")),
        "python": platform.python_version(),
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "date": datetime.date.today().isoformat(),
    }


# -- timing ------------------------------------------------------------------


def _calibrate(fn, target_s):
    start = time.perf_counter()
    fn()
    elapsed = max(time.perf_counter() - start, 1e-6)
    return max(1, min(1000, int(math.ceil(target_s / elapsed))))


def interleaved(fns, repeats, target_s=0.02):
    """Seconds per call of each function, one sample per interleaved round."""
    for fn in fns.values():  # compile and warm up
        fn()
        fn()
    inner = {k: _calibrate(fn, target_s) for k, fn in fns.items()}
    samples = {k: [] for k in fns}
    keys = list(fns)
    # Each round runs the functions in a new order: a function runs a little
    # slower right after certain others (their freed buffers, a cold cache),
    # and a fixed or rotated order would charge that to the same one always.
    shuffler = random.Random(0)
    for _ in range(repeats):
        shuffler.shuffle(keys)
        for key in keys:
            fn = fns[key]
            n = inner[key]
            start = time.perf_counter()
            for _ in range(n):
                fn()
            samples[key].append((time.perf_counter() - start) / n)
    return samples


def medians(samples):
    return {k: statistics.median(v) for k, v in samples.items()}


def ratio(samples, a, b):
    """Median over rounds of a / b: robust to load that drifts between rounds."""
    return statistics.median(x / y for x, y in zip(samples[a], samples[b]))


def ratio_spread(samples, a, b):
    """The middle half (quartiles) of the per-round ratios a / b: how far one
    run's median could move."""
    ratios = sorted(x / y for x, y in zip(samples[a], samples[b]))
    if len(ratios) < 4:
        return [ratios[0], ratios[-1]]
    q1, _, q3 = statistics.quantiles(ratios, n=4)
    return [q1, q3]


# -- part 1: kernels ----------------------------------------------------------


def _floor_fn():
    import tensorflow as tf

    @tf.custom_gradient
    def floor(x):
        def grad(dy):
            return dy * tf.constant(2.0, dy.dtype)

        return x * tf.constant(2.0, x.dtype), grad

    return floor


def bench_params(spec):
    if spec.name in REQUIRED_PARAMS:
        return dict(REQUIRED_PARAMS[spec.name])
    from keras_acts.core import REQUIRED

    if any(v is REQUIRED for v in spec.defaults.values()):
        return None
    return {}


def keras_builtin(name):
    import keras

    fn = getattr(keras.activations, name, None)
    if fn is None or name in ("get", "serialize", "deserialize"):
        return None
    return fn


def _step(f, jit):
    import tensorflow as tf

    def step(x, dy):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = f(x)
        # Both outputs: a step that returned only dx would let TensorFlow and
        # XLA prune the forward pass wherever the backward does not need it.
        return y, tape.gradient(y, x, output_gradients=dy)

    return tf.function(step, jit_compile=jit, autograph=False)


def bench_kernels(specs, sizes, repeats, log):
    import tensorflow as tf

    rows = []
    floor = _floor_fn()
    for spec in specs:
        params = bench_params(spec)
        if params is None:
            log(f"  {spec.name}: skipped (required parameters)")
            continue
        ours = lambda t, p=params, f=spec.function: f(t, **p)  # noqa: E731
        builtin = keras_builtin(spec.name)
        theirs = None if builtin is None else (lambda t, p=params, f=builtin: f(t, **p))
        for size in sizes:
            width = min(1024, size)
            x = tf.random.stateless_normal((size // width, width), seed=(1, 2))
            dy = tf.random.stateless_normal(ours(x).shape, seed=(3, 4))
            dx_floor = tf.random.stateless_normal(x.shape, seed=(3, 4))
            for mode, jit in (("graph", False), ("xla", True)):
                variants = {
                    "ours": _step(ours, jit),
                    "floor": _step(floor, jit),
                }
                if theirs is not None:
                    variants["keras"] = _step(theirs, jit)
                args = {"ours": dy, "floor": dx_floor, "keras": dy}
                fns = {
                    k: (lambda s=s, d=args[k]: s(x, d)) for k, s in variants.items()
                }
                s = interleaved(fns, repeats)
                t = medians(s)
                row = {
                    "name": spec.name,
                    "size": size,
                    "mode": mode,
                    "ours_ms": 1e3 * t["ours"],
                    "keras_ms": 1e3 * t["keras"] if "keras" in t else None,
                    "floor_ms": 1e3 * t["floor"],
                }
                has_keras = "keras" in s
                row["ours_vs_keras"] = ratio(s, "ours", "keras") if has_keras else None
                row["ours_vs_keras_spread"] = ratio_spread(s, "ours", "keras") if has_keras else None
                row["ours_vs_floor"] = ratio(s, "ours", "floor")
                row["keras_vs_floor"] = ratio(s, "keras", "floor") if has_keras else None
                rows.append(row)
                log("  " + _kernel_line(row))
    return rows


def _fmt(value, digits=2):
    return "-" if value is None else f"{value:.{digits}f}"


def _spread(spread):
    return "-" if spread is None else f"{spread[0]:.2f}-{spread[1]:.2f}"


def _kernel_line(row):
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
    """The issue's speed targets, checked on the rows measured."""
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


# -- part 2: training ---------------------------------------------------------


def _model(kind, activation, quick):
    import keras

    if kind == "mlp":
        width = 256 if quick else 1024
        inputs = keras.Input((256,))
        h = inputs
        for _ in range(3):
            h = keras.layers.Dense(width, activation=activation)(h)
        outputs = keras.layers.Dense(10)(h)
        batch, in_shape = 256, (256,)
    else:
        inputs = keras.Input((32, 32, 3))
        h = keras.layers.Conv2D(32, 3, padding="same", activation=activation)(inputs)
        h = keras.layers.Conv2D(32, 3, padding="same", activation=activation)(h)
        h = keras.layers.MaxPooling2D()(h)
        h = keras.layers.Conv2D(64, 3, padding="same", activation=activation)(h)
        h = keras.layers.GlobalAveragePooling2D()(h)
        outputs = keras.layers.Dense(10)(h)
        batch, in_shape = (32 if quick else 64), (32, 32, 3)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer="sgd", loss="mse", jit_compile=False)
    return model, batch, in_shape


def bench_training(names, repeats, quick, log):
    import numpy as np
    import keras_acts

    rows = []
    rng = np.random.default_rng(0)
    for kind in ("mlp", "cnn"):
        for name in names:
            spec = keras_acts.lookup(name)
            if keras_builtin(spec.name) is None or spec.string is None:
                continue
            fns = {}
            for who, act in (("ours", spec.string), ("keras", spec.name)):
                model, batch, in_shape = _model(kind, act, quick)
                x = rng.normal(size=(batch,) + in_shape).astype("float32")
                y = rng.normal(size=(batch, 10)).astype("float32")
                fns[who] = lambda m=model, x=x, y=y: m.train_on_batch(x, y)
            s = interleaved(fns, repeats, target_s=0.05 if quick else 0.2)
            t = medians(s)
            row = {
                "model": kind,
                "name": name,
                "ours_steps_per_s": 1 / t["ours"],
                "keras_steps_per_s": 1 / t["keras"],
            }
            row["speedup"] = ratio(s, "keras", "ours")
            row["speedup_spread"] = ratio_spread(s, "keras", "ours")
            rows.append(row)
            log(
                f"  {kind} {name:<8} ours {row['ours_steps_per_s']:.1f}/s  "
                f"keras {row['keras_steps_per_s']:.1f}/s  ours/keras speed {row['speedup']:.2f}"
            )
    return rows


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


# -- part 3: memory -------------------------------------------------------------

_MEMORY_CHILD = r"""
import os, sys, json, threading, time
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
import numpy as np, tensorflow as tf, keras, keras_acts
act, depth, width, batch = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
layers = [keras.Input((width,))] + [keras.layers.Dense(width, activation=act) for _ in range(depth)]
model = keras.Sequential(layers + [keras.layers.Dense(1)])
opt = keras.optimizers.SGD(1e-3)
x = tf.random.stateless_normal((batch, width), seed=(1, 2))
y = tf.zeros((batch, 1))
@tf.function(jit_compile=False)
def step(x, y):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(model(x, training=True) - y))
    grads = tape.gradient(loss, model.trainable_variables)
    opt.apply_gradients(zip(grads, model.trainable_variables))
    return loss
page = os.sysconf("SC_PAGE_SIZE")
def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * page
step.get_concrete_function(x, y)  # trace and build, without running
# The peak of the first training step above the resident memory just before
# it, sampled while it runs (the process-lifetime maximum, ru_maxrss, would
# mostly show start-up; later steps reuse memory the first one mapped).
baseline, peak, done = rss(), [0], threading.Event()
def sample():
    while not done.is_set():
        peak[0] = max(peak[0], rss())
        time.sleep(0.0002)
sampler = threading.Thread(target=sample)
sampler.start()
step(x, y).numpy()
done.set()
sampler.join()
print(json.dumps({"step_peak_bytes": peak[0] - baseline}))
"""


def _memory_case(activation, depth, width, batch, xla_cache):
    """Peak MiB of one training step; XLA's compiled code comes from
    ``xla_cache`` (a persistent cache directory) where an earlier process put
    it. A first step compiles whatever it fuses (~30 MiB of compiler memory
    each time), a one-time cost no later step pays: where a cold run compiled
    anything, the same case runs again on a warm cache, and that is the
    step's figure; the cold one is kept as ``first``."""
    # A fixed mmap threshold makes glibc map every large tensor and unmap it
    # when freed, so resident memory follows what is alive; by default the
    # threshold grows after the first large free and freed tensors stay.
    flags = os.environ.get("TF_XLA_FLAGS", "")
    env = dict(
        os.environ,
        MALLOC_MMAP_THRESHOLD_="131072",
        TF_XLA_FLAGS=f"{flags} --tf_xla_persistent_cache_directory={xla_cache}".strip(),
    )

    def peak_mib():
        out = subprocess.run(
            [sys.executable, "-c", _MEMORY_CHILD, activation, str(depth), str(width), str(batch)],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        return json.loads(out.stdout.strip().splitlines()[-1])["step_peak_bytes"] / 2**20

    def cached():
        return sorted(os.listdir(xla_cache))

    before = cached()
    first = peak_mib()
    compiled = cached() != before
    return {"step": peak_mib() if compiled else first, "first": first, "compiled": compiled}


def bench_memory(names, quick, log):
    import tempfile

    import keras_acts

    depth, width, batch = (4, 512, 1024) if quick else (8, 1024, 8192)
    tensor_mib = width * batch * 4 / 2**20
    cases = [("linear", "linear")]
    for name in names:
        spec = keras_acts.lookup(name)
        if spec.string is None:
            continue
        cases.append((name + "/ours", spec.string))
        if keras_builtin(spec.name) is not None:
            cases.append((name + "/keras", spec.name))
    peaks = {}
    with tempfile.TemporaryDirectory(prefix="keras-acts-xla-cache-") as xla_cache:
        for label, act in cases:
            peaks[label] = _memory_case(act, depth, width, batch, xla_cache)
            first = f" (first step, compiling: {peaks[label]['first']:.0f})" if peaks[label]["compiled"] else ""
            log(f"  {label:<16} peak {peaks[label]['step']:.0f} MiB{first}")
    base = peaks["linear"]["step"]
    rows = []
    for name in names:
        if name + "/ours" not in peaks:
            continue
        ours = peaks[name + "/ours"]
        keras_peak = peaks.get(name + "/keras")
        ours_extra = ours["step"] - base
        keras_extra = None if keras_peak is None else keras_peak["step"] - base
        rows.append(
            {
                "name": name,
                "ours_extra_mib": ours_extra,
                "ours_first_step_extra_mib": ours["first"] - base,
                "ours_compiled": ours["compiled"],
                "keras_extra_mib": keras_extra,
                "ours_extra_tensors": ours_extra / (depth * tensor_mib),
                "keras_extra_tensors": None if keras_extra is None else keras_extra / (depth * tensor_mib),
            }
        )
    return {
        "depth": depth,
        "width": width,
        "batch": batch,
        "tensor_mib": tensor_mib,
        "linear_peak_mib": base,
        "rows": rows,
    }


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


# -- command ------------------------------------------------------------------


def parser():
    p = argparse.ArgumentParser(
        prog="keras-acts bench",
        description="Time our activations against Keras's built-ins (not a test).",
    )
    p.add_argument("names", nargs="*", metavar="NAME", help="activations (default: all)")
    p.add_argument("--json", action="store_true", help="print the results as JSON")
    p.add_argument(
        "--markdown", action="store_true", help="print the results as docs/benchmarks.md's tables"
    )
    p.add_argument("--quick", action="store_true", help="small sizes, few repeats (< 1 min)")
    p.add_argument(
        "--parts",
        default="kernels,training,memory",
        help="comma-separated parts to run: kernels, training, memory",
    )
    p.add_argument("--repeats", type=int, default=None, help="interleaved rounds")
    p.add_argument(
        "--sizes", default=None, help="comma-separated log2 sizes (default 22,14; quick 16,14)"
    )
    return p


def run(args, log=print):
    import keras_acts

    parts = {p.strip() for p in args.parts.split(",") if p.strip()}
    unknown = parts - {"kernels", "training", "memory"}
    if unknown:
        raise ValueError(f"unknown parts {sorted(unknown)}")
    if args.names:
        specs = []
        for n in args.names:
            spec = keras_acts.lookup(n)
            if spec not in specs:
                specs.append(spec)
    elif args.quick:
        specs = [keras_acts.lookup(n) for n in QUICK_NAMES if n in keras_acts.core._REGISTRY]
    else:
        specs = [s for s in keras_acts.catalog() if s.package == "keras_acts"]
    if args.sizes:
        sizes = [2 ** int(s) for s in args.sizes.split(",")]
    else:
        sizes = [2**16, 2**14] if args.quick else [2**22, 2**14]
    repeats = args.repeats or (3 if args.quick else 7)
    result = {"machine": machine(), "fusion": keras_acts.config.fusion_mode()}
    if "kernels" in parts:
        log("kernels: forward + backward, float32, median ms")
        rows = bench_kernels(specs, sizes, repeats, log)
        result["kernels"] = rows
        result["targets"] = kernel_summary(rows, max(sizes), min(sizes))
    names = [s.name for s in specs]
    if "training" in parts:
        log("training: steps per second")
        train_names = names if (args.names or args.quick) else TRAIN_NAMES
        if args.quick:
            train_names = train_names[:2]
        result["training"] = bench_training(train_names, repeats, args.quick, log)
    if "memory" in parts:
        log("memory: peak resident memory of a training step above the level before it, one process per case")
        memory_names = names if args.names else MEMORY_NAMES
        if args.quick:
            memory_names = memory_names[:1]
        result["memory"] = bench_memory(memory_names, args.quick, log)
    return result


def report(result):
    lines = ["Machine: " + ", ".join(f"{k} {v}" for k, v in result["machine"].items())]
    if "kernels" in result:
        lines += ["", "Forward + backward (median ms):", "", kernel_table(result["kernels"])]
        lines += ["", "Targets:"]
        for key, value in result["targets"].items():
            lines.append(f"  {key}: {json.dumps(value)}")
    if "training" in result:
        lines += ["", "Training steps per second:", "", training_table(result["training"])]
    if "memory" in result:
        lines += ["", "Memory:", "", memory_table(result["memory"])]
    return "\n".join(lines)


def _targets_table(result):
    t = result["targets"]

    def above(key):
        return ", ".join(
            f"{name} {value:.2f} ({low:.2f}-{high:.2f})"
            for name, value, (low, high) in t[key]["above_target"]
        ) or "none"

    def verdict(ok):
        return "-" if ok is None else "**met**" if ok else "not met"

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
    lines = ["| target | measured | |", "|---|---|---|"]
    lines += [f"| {a} | {b} | {verdict(c)} |" for a, b, c in rows]
    return "\n".join(lines)


def markdown(result):
    """The results as the body of docs/benchmarks.md: targets, then tables."""
    machine = ", ".join(f"{k} {v}" for k, v in result["machine"].items())
    parts = [f"**Machine:** {machine}; fusion `{result['fusion']}`."]
    if "targets" in result:
        parts += [
            "## The targets of issue 5",
            "In parentheses after a ratio over its target: the middle half (quartiles) of that "
            "row's per-round ratios.",
            _targets_table(result),
        ]
    if "kernels" in result:
        parts += ["## Forward + backward", kernel_table(result["kernels"])]
    if "training" in result:
        parts += ["## Training steps per second (graph mode)", training_table(result["training"])]
    if "memory" in result:
        parts += ["## Memory", memory_table(result["memory"])]
    return "\n\n".join(parts) + "\n"


def main(argv=None):
    args = parser().parse_args(argv)
    quiet = args.json or args.markdown
    log = (lambda *a: print(*a, file=sys.stderr)) if quiet else print
    try:
        result = run(args, log)
    except ValueError as error:
        print(f"keras-acts bench: {error}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(result, indent=1))
    elif args.markdown:
        print(markdown(result), end="")
    else:
        print()
        print(report(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())

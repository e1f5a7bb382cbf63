"""``keras-acts bench``: our activations against Keras's, measured on the
active Keras backend (``KERAS_BACKEND``; TensorFlow where it is unset).

Five parts:

1. kernels: forward plus backward of one activation on a float32 tensor
   (2^22 and 2^14 elements): on TensorFlow under ``tf.function`` without and
   with model-wide XLA (``jit_compile=True``), on JAX under ``jax.jit``, on
   PyTorch eagerly (``keras_acts.tools.bench_backends``): ours, the Keras
   built-in of the same name with the same parameters, and a bandwidth floor
   (a custom-gradient ``y = 2x``, one read and one write each way), in
   interleaved repeated runs. Medians and ratios.
2. training: steps per second of an MLP and a small CNN, ours against Keras.
3. memory: the extra memory one training step of a deep MLP at a large batch
   costs with an activation, over the same model with ``linear``, one fresh
   process per case, measured as each backend allows
   (``keras_acts.tools.bench_memory_child``).
4. fit: Keras ``fit`` with a partial last batch, step time and extra memory
   (``keras_acts.tools.bench_fit``).
5. transformer: four transformer feed-forward blocks with SwiGLU and GeGLU
   trained by ``fit``, ours against the same gate written with ``keras.ops``
   (``keras_acts.tools.bench_transformer``).

Run ``keras-acts bench --help``. The benchmark is not a test.
"""

import argparse
import json
import math
import os
import random
import statistics
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

from keras_acts.tools import bench_backends  # noqa: E402
from keras_acts.tools.bench_backends import BACKEND, MODES, TRAINING_JIT, machine  # noqa: E402
from keras_acts.tools.bench_memory import bench_memory  # noqa: E402
from keras_acts_cli.options import BENCH_DESCRIPTION, add_bench_arguments  # noqa: E402
from keras_acts.tools.bench_report import kernel_line, kernel_summary, markdown, report  # noqa: E402
from keras_acts.tools.keras_builtins import keras_builtin  # noqa: E402

QUICK_NAMES = ["relu", "gelu", "silu", "mish", "softmax"]
TRAIN_NAMES = ["relu", "gelu", "silu", "mish", "tanh", "elu"]
PARTS = ("kernels", "training", "memory", "fit", "transformer")
FIT_NAMES = ["mish", "gelu"]
MEMORY_NAMES = [
    "relu", "sigmoid", "tanh", "elu", "gelu", "silu", "mish", "softplus", "squareplus", "softmax",
]


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
    """The arguments a benchmark calls ``spec`` with: its example arguments
    for required parameters, defaults otherwise; None if it has no example."""
    try:
        return spec.example_params
    except ValueError:
        return None


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


def _inputs(size):
    """x, dy for ours and Keras's (dy shaped as y) and dy for the floor."""
    width = min(1024, size)
    if BACKEND != "tensorflow":
        x = bench_backends.normal((size // width, width), 1)
        return x, lambda shape: bench_backends.normal(shape, 3), bench_backends.normal(x.shape, 3)
    import tensorflow as tf

    x = tf.random.stateless_normal((size // width, width), seed=(1, 2))
    upstream = lambda shape: tf.random.stateless_normal(shape, seed=(3, 4))  # noqa: E731
    return x, upstream, upstream(x.shape)


def _runs(fn, name, log):
    """Whether Keras's built-in runs here (not every one does on every backend)."""
    try:
        fn()
        return True
    except Exception as error:  # noqa: BLE001  (a measurement, not a test: say it and go on)
        log(f"  {name}: Keras's built-in failed on {BACKEND}: {type(error).__name__}: {str(error)[:200]}")
        return False


def bench_kernels(specs, sizes, repeats, log):
    rows = []
    floor = _floor_fn() if BACKEND == "tensorflow" else bench_backends.floor_fn()
    make_step = _step if BACKEND == "tensorflow" else bench_backends.step
    for spec in specs:
        params = bench_params(spec)
        if params is None:
            log(f"  {spec.name}: skipped (required parameters)")
            continue
        ours = lambda t, p=params, f=spec.function: f(t, **p)  # noqa: E731
        builtin = keras_builtin(spec.name)
        theirs = None if builtin is None else (lambda t, p=params, f=builtin: f(t, **p))
        for size in sizes:
            x, upstream, dx_floor = _inputs(size)
            dy = upstream(tuple(ours(x).shape))
            for mode, jit in MODES[BACKEND]:
                variants = {
                    "ours": make_step(ours, jit),
                    "floor": make_step(floor, jit),
                }
                if theirs is not None:
                    variants["keras"] = make_step(theirs, jit)
                args = {"ours": dy, "floor": dx_floor, "keras": dy}
                fns = {
                    k: (lambda s=s, d=args[k]: s(x, d)) for k, s in variants.items()
                }
                if "keras" in fns and not _runs(fns["keras"], spec.name, log):
                    del fns["keras"]
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
                log("  " + kernel_line(row))
    return rows


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
    model.compile(optimizer="sgd", loss="mse", jit_compile=TRAINING_JIT[BACKEND])
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


# -- command ------------------------------------------------------------------

def parser():
    return add_bench_arguments(
        argparse.ArgumentParser(prog="keras-acts bench", description=BENCH_DESCRIPTION)
    )


def _stderr(*a):
    print(*a, file=sys.stderr)


def run(args, log=_stderr):
    import keras_acts

    parts = {p.strip() for p in args.parts.split(",") if p.strip()}
    unknown = parts - set(PARTS)
    if unknown:
        raise ValueError(
            f"--parts {args.parts!r}: unknown part(s) {sorted(unknown)}; "
            f"choose from {', '.join(PARTS)}"
        )
    if args.names:
        specs = []
        for n in args.names:
            spec = keras_acts.lookup(n)
            if spec not in specs:
                specs.append(spec)
    elif args.quick:
        specs = [keras_acts.lookup(n) for n in QUICK_NAMES]
    else:
        specs = keras_acts.catalog(builtin=True)
    if args.sizes:
        try:
            sizes = [2 ** int(s) for s in args.sizes.split(",")]
        except ValueError:
            raise ValueError(f"--sizes {args.sizes!r}: give comma-separated integers (log2 sizes)") from None
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
        log(f"memory: the extra memory of a training step on {BACKEND}, one process per case")
        memory_names = names if args.names else MEMORY_NAMES
        if args.quick:
            memory_names = memory_names[:1]
        result["memory"] = bench_memory(memory_names, args.quick, log)
    if "fit" in parts:
        from keras_acts.tools.bench_fit import bench_fit

        log("fit: Keras fit with a partial last batch, per-step time and extra memory")
        result["fit"] = bench_fit(names if args.names else FIT_NAMES, args.quick, log)
    if "transformer" in parts:
        from keras_acts.tools import bench_transformer

        log("transformer: feed-forward blocks with SwiGLU and GeGLU, ours against keras.ops")
        sizes = dict(bench_transformer.QUICK if args.quick else bench_transformer.FULL)
        result["transformer"] = bench_transformer.bench_backend(BACKEND, sizes, log)
    return result


def report_run(args):
    """Measure, progress on stderr; print the report (or --json, --markdown) on stdout."""
    result = run(args, _stderr)
    if args.json:
        print(json.dumps(result, indent=1))
    elif args.markdown:
        print(markdown(result), end="")
    else:
        print(report(result))
    return 0


def main(argv=None):
    args = parser().parse_args(argv)
    try:
        return report_run(args)
    except ValueError as error:
        print(f"keras-acts bench: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())

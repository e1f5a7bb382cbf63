"""``keras-acts bench``'s fit part: Keras ``fit`` with a partial last batch.

When the rows are not a multiple of the batch size (the common case), Keras
traces its train step with batch dimension ``None`` on TensorFlow, where
``"auto"`` fusion then decides on the known part of the shape (see
``keras_acts.config``), and compiles one step per batch shape on JAX. Each
case is an MLP of ``depth`` x Dense(``width``) + the activation, trained by
``fit`` on ``rows`` rows at ``batch`` on the active backend, with Keras's
defaults there (``jit_compile="auto"``: XLA on JAX, eager on PyTorch).
Times: the median time of a full-batch step and of the partial last step,
in epochs after the first (which traces and compiles).

* TensorFlow: each case in a fresh process of its own, ours and Keras's
  interleaved, ``repeats`` rounds; memory: the extra resident memory of the
  first epoch over the process before ``fit`` (tracing and compiling
  included: a one-time cost for both).
* JAX and PyTorch: ``pairs`` fresh processes, each training ours and
  Keras's in turn, an epoch each, so that both see the same load (the ratio
  is per epoch pair); memory: the memory part's figure for one train step
  at ``batch`` over the same model with ``linear``
  (``keras_acts.tools.bench_memory_child``).

``bench_fit(names, quick, log) -> rows`` (``bench_report.fit_table(rows)`` prints them).
"""

import json
import os
import statistics
import subprocess
import sys
import threading
import time

import keras

from keras_acts.tools.bench_report import fit_table, middle_half

# repeats: TensorFlow's rounds of fresh processes (one per case); pairs: JAX's
# and PyTorch's processes, each timing ours and Keras's in turn (an even
# number: half of them build Keras's model first).
FULL = dict(depth=8, width=1024, batch=4096, rows=9000, epochs=4, repeats=3, pairs=4)
QUICK = dict(depth=3, width=256, batch=512, rows=1100, epochs=3, repeats=1, pairs=2)


def _resident_mib():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _setup(activation, depth, width, rows):
    """The case's model (compiled with Keras's defaults on the backend) and data."""
    import keras
    import numpy as np

    import keras_acts  # noqa: F401  (registers the "_custom" strings)

    rng = np.random.default_rng(0)
    x = rng.normal(size=(rows, width)).astype("float32")
    y = rng.normal(size=(rows, 1)).astype("float32")
    layers = [keras.Input((width,))]
    layers += [keras.layers.Dense(width, activation=activation) for _ in range(depth)]
    model = keras.Sequential(layers + [keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(1e-4), loss="mse")
    return model, x, y


def step_timer(steps):
    """A callback that appends (batch index, seconds) per step to ``steps``;
    overriding on_train_batch_end makes Keras wait for each step's result
    before calling it (no asynchronous dispatch), on every backend."""
    import keras

    class Timer(keras.callbacks.Callback):
        def on_train_batch_begin(self, batch, logs=None):
            self.start = time.perf_counter()

        def on_train_batch_end(self, batch, logs=None):
            steps.append((batch, time.perf_counter() - self.start))

    return Timer()


def step_times(steps, rows, batch):
    """The median full-batch and partial-batch step, ms, of ``step_timer``'s record."""
    last = (rows - 1) // batch
    return {
        "step_ms": 1e3 * statistics.median(t for b, t in steps if b != last),
        "partial_step_ms": 1e3 * statistics.median(t for b, t in steps if b == last),
    }


def _child(activation, depth, width, batch, rows, epochs):
    """One case in this process (TensorFlow's): its figures as a dict."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    model, x, y = _setup(activation, depth, width, rows)
    steps, peak, stop = [], [_resident_mib()], threading.Event()

    def sample():
        while not stop.is_set():
            peak[0] = max(peak[0], _resident_mib())
            time.sleep(0.002)

    before = _resident_mib()
    sampler = threading.Thread(target=sample)
    sampler.start()
    model.fit(x, y, batch_size=batch, epochs=1, verbose=0, shuffle=False)
    stop.set()
    sampler.join()
    model.fit(x, y, batch_size=batch, epochs=epochs - 1, verbose=0, shuffle=False,
              callbacks=[step_timer(steps)])
    return {**step_times(steps, rows, batch), "extra_mib": peak[0] - before}


def _pair_child(name, depth, width, batch, rows, epochs, keras_first=False):
    """JAX and PyTorch: ours and Keras's in this one process, an epoch of
    each in turn (who goes first alternating), after a first untimed epoch of
    each (tracing, compiling); per timed epoch, each one's step times.
    ``keras_first``: Keras's model is built (and trained) first; the model
    built first ran up to ~2% slower than its twin in A/A runs on PyTorch, so
    rounds alternate it."""
    cases = [("ours", f"{name}_custom"), ("keras", name)]
    first, second = cases[::-1] if keras_first else cases
    models = {who: _setup(act, depth, width, rows) for who, act in (first, second)}
    for model, x, y in models.values():
        model.fit(x, y, batch_size=batch, epochs=1, verbose=0, shuffle=False)
    epochs_out = []
    for epoch in range(epochs - 1):
        order = [first[0], second[0]] if epoch % 2 == 0 else [second[0], first[0]]
        timed = {}
        for who in order:
            model, x, y = models[who]
            steps = []
            model.fit(x, y, batch_size=batch, epochs=1, verbose=0, shuffle=False, callbacks=[step_timer(steps)])
            timed[who] = step_times(steps, rows, batch)
        epochs_out.append(timed)
    return epochs_out


def _case(activation, sizes):
    return _run_child("--child", activation, sizes)


def _pair_case(name, sizes, keras_first=False):
    return _run_child("--pair", name, sizes, keras_first=keras_first)


def _run_child(flag, name, sizes, **more):
    figures = {k: sizes[k] for k in ("depth", "width", "batch", "rows", "epochs")}
    args = [sys.executable, "-m", "keras_acts.tools.bench_fit", flag, name, json.dumps({**figures, **more})]
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", KERAS_BACKEND=keras.backend.backend())
    out = subprocess.run(args, capture_output=True, text=True, env=env, timeout=3600)
    if out.returncode != 0:
        raise RuntimeError(f"bench fit case {name} failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _step_memory(names, sizes, log):
    """JAX and PyTorch: each name's train step memory over ``linear``, ours
    and Keras's, at the fit's sizes (the memory part's cases)."""
    from keras_acts.tools.bench_memory import bench_memory

    shape = (sizes["depth"], sizes["width"], sizes["batch"])
    return {r["name"]: r for r in bench_memory(names, False, log, sizes=shape)["rows"]}


def _separate_rounds(name, sizes):
    """TensorFlow: ours and Keras's each in fresh processes, interleaved; each
    process's first-epoch resident memory is its memory figure."""
    ours, keras_ = [], []
    for _ in range(sizes["repeats"]):
        ours.append(_case(f"{name}_custom", sizes))
        keras_.append(_case(name, sizes))
    row = {}
    for key in ("step_ms", "partial_step_ms", "extra_mib"):
        row[f"ours_{key}"] = statistics.median(r[key] for r in ours)
        row[f"keras_{key}"] = statistics.median(r[key] for r in keras_)
    ratios = [o["step_ms"] / k["step_ms"] for o, k in zip(ours, keras_)]
    return row, ratios


def _paired_rounds(name, sizes):
    """JAX and PyTorch: ``pairs`` fresh processes, each timing ours and
    Keras's epoch by epoch in turn (memory comes from the memory part)."""
    epochs = [e for i in range(sizes["pairs"]) for e in _pair_case(name, sizes, keras_first=i % 2 == 1)]
    row = {}
    for key in ("step_ms", "partial_step_ms"):
        for who in ("ours", "keras"):
            row[f"{who}_{key}"] = statistics.median(e[who][key] for e in epochs)
    return row, [e["ours"]["step_ms"] / e["keras"]["step_ms"] for e in epochs]


def bench_fit(names, quick, log):
    """One row per activation name that Keras also has (mish, gelu, ...)."""
    sizes = QUICK if quick else FULL
    backend = keras.backend.backend()
    rows = []
    for name in names:
        rounds = _separate_rounds if backend == "tensorflow" else _paired_rounds
        figures, ratios = rounds(name, sizes)
        rows.append({"name": name, "backend": backend,
                     **{k: sizes[k] for k in ("depth", "width", "batch", "rows")}, **figures,
                     "step_ratio": statistics.median(ratios), "step_ratio_range": middle_half(ratios)})
    if backend != "tensorflow":
        memory = _step_memory([r["name"] for r in rows], sizes, log)
        for row in rows:
            row["memory"] = "train step over linear"
            row["ours_extra_mib"] = memory[row["name"]]["ours_extra_mib"]
            row["keras_extra_mib"] = memory[row["name"]]["keras_extra_mib"]
    for row in rows:
        log(f"  fit {row['name']}: step {row['step_ratio']:.2f}x "
            f"({row['step_ratio_range'][0]:.2f}-{row['step_ratio_range'][1]:.2f}), "
            f"memory {row['ours_extra_mib'] / max(row['keras_extra_mib'], 1e-9):.2f}x")
    return rows


if __name__ == "__main__":  # pragma: no cover
    if sys.argv[1:2] == ["--child"]:
        print(json.dumps(_child(sys.argv[2], **json.loads(sys.argv[3]))))
    elif sys.argv[1:2] == ["--pair"]:
        print(json.dumps(_pair_child(sys.argv[2], **json.loads(sys.argv[3]))))
    else:
        quick = "--quick" in sys.argv
        print(fit_table(bench_fit([a for a in sys.argv[1:] if a != "--quick"] or ["mish"],
                                  quick, print)))

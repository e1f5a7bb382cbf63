"""``keras-acts bench``'s fit part: Keras ``fit`` with a partial last batch.

When the rows are not a multiple of the batch size (the common case), Keras
traces its train step with batch dimension ``None``; ``"auto"`` fusion then
decides on the known part of the shape (see ``keras_acts.config``). Each
case is an MLP of ``depth`` x Dense(``width``) + the activation, trained by
``fit`` on ``rows`` rows at ``batch``, in a fresh process of its own, ours
and Keras's interleaved. Per case: the median time of a full-batch step and
of the partial last step (epochs after the first, which traces), and the
extra resident memory of the first epoch over the process before ``fit``
(tracing and compiling included: a one-time cost for both).

``bench_fit(names, quick, log) -> rows`` and ``fit_table(rows)``.
"""

import json
import os
import statistics
import subprocess
import sys
import threading
import time

FULL = dict(depth=8, width=1024, batch=4096, rows=9000, epochs=4, repeats=2)
QUICK = dict(depth=3, width=256, batch=512, rows=1100, epochs=3, repeats=1)


def _resident_mib():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _child(activation, depth, width, batch, rows, epochs):
    """One case in this process: its figures as a dict."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
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
    steps, peak, stop = [], [_resident_mib()], threading.Event()

    def sample():
        while not stop.is_set():
            peak[0] = max(peak[0], _resident_mib())
            time.sleep(0.002)

    class Timer(keras.callbacks.Callback):
        def on_train_batch_begin(self, batch, logs=None):
            self.start = time.perf_counter()

        def on_train_batch_end(self, batch, logs=None):
            steps.append((batch, time.perf_counter() - self.start))

    before = _resident_mib()
    sampler = threading.Thread(target=sample)
    sampler.start()
    model.fit(x, y, batch_size=batch, epochs=1, verbose=0, shuffle=False)
    stop.set()
    sampler.join()
    model.fit(x, y, batch_size=batch, epochs=epochs - 1, verbose=0, shuffle=False,
              callbacks=[Timer()])
    last = (rows - 1) // batch
    return {
        "step_ms": 1e3 * statistics.median(t for b, t in steps if b != last),
        "partial_step_ms": 1e3 * statistics.median(t for b, t in steps if b == last),
        "extra_mib": peak[0] - before,
    }


def _case(activation, sizes):
    args = [sys.executable, "-m", "keras_acts.tools.bench_fit", "--child", activation,
            json.dumps({k: sizes[k] for k in ("depth", "width", "batch", "rows", "epochs")})]
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", KERAS_BACKEND="tensorflow")
    out = subprocess.run(args, capture_output=True, text=True, env=env, timeout=1800)
    if out.returncode != 0:
        raise RuntimeError(f"bench fit case {activation} failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def bench_fit(names, quick, log):
    """One row per activation name that Keras also has (mish, gelu, ...)."""
    sizes = QUICK if quick else FULL
    rows = []
    for name in names:
        ours, keras_ = [], []
        for _ in range(sizes["repeats"]):  # interleaved, fresh processes
            ours.append(_case(f"{name}_custom", sizes))
            keras_.append(_case(name, sizes))
        row = {"name": name, **{k: sizes[k] for k in ("depth", "width", "batch", "rows")}}
        for key in ("step_ms", "partial_step_ms", "extra_mib"):
            row[f"ours_{key}"] = statistics.median(r[key] for r in ours)
            row[f"keras_{key}"] = statistics.median(r[key] for r in keras_)
        rows.append(row)
        log(f"  fit {name}: step {row['ours_step_ms'] / row['keras_step_ms']:.2f}x, "
            f"memory {row['ours_extra_mib'] / max(row['keras_extra_mib'], 1e-9):.2f}x")
    return rows


def fit_table(rows):
    """Markdown: per-step time and extra memory, ours against Keras's."""
    lines = [
        "| activation | model | batch / rows | step ms ours / Keras | ratio "
        "| partial step ms ours / Keras | extra MiB ours / Keras | ratio |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['name']} | {r['depth']} x Dense({r['width']}) | {r['batch']} / {r['rows']} "
            f"| {r['ours_step_ms']:.1f} / {r['keras_step_ms']:.1f} "
            f"| {r['ours_step_ms'] / r['keras_step_ms']:.2f} "
            f"| {r['ours_partial_step_ms']:.1f} / {r['keras_partial_step_ms']:.1f} "
            f"| {r['ours_extra_mib']:.0f} / {r['keras_extra_mib']:.0f} "
            f"| {r['ours_extra_mib'] / max(r['keras_extra_mib'], 1e-9):.2f} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover
    if sys.argv[1:2] == ["--child"]:
        print(json.dumps(_child(sys.argv[2], **json.loads(sys.argv[3]))))
    else:
        quick = "--quick" in sys.argv
        print(fit_table(bench_fit([a for a in sys.argv[1:] if a != "--quick"] or ["mish"],
                                  quick, print)))

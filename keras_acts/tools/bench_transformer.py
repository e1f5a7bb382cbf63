"""The transformer feed-forward bench: SwiGLU and GeGLU, ours against the
same gate written with ``keras.ops``, trained by ``fit`` on every backend.

    python -m keras_acts.tools.bench_transformer [--quick] [--json]
        [--backends tensorflow,jax,torch] [--repeats N]

or, on the active backend, ``keras-acts bench --parts transformer``.

The model: ``blocks`` residual feed-forward blocks stacked,
``x -> x + Dense(d_model)(gate(Dense(2 * hidden)(x)))`` (no biases), so that
every block's saved tensors are alive together at the end of the forward
pass; trained by ``fit`` with mse on ``rows`` rows at ``batch`` (a partial
last batch), Keras's defaults on each backend (``jit_compile="auto"``: XLA
on JAX, a traced graph on TensorFlow, eager on PyTorch). The gates:

* ``ours``: ``keras_acts.layers.SwiGLU()`` / ``GeGLU()`` (exact gelu), whose
  backward keeps ``h`` only (the Dense output, the gate's input).
* ``keras.ops``: ``a, b = keras.ops.split(h, 2, axis=-1)``, then
  ``keras.ops.silu(a) * b`` / ``keras.ops.gelu(a, approximate=False) * b``,
  differentiated by the backend's autodiff.
* ``baseline``: ``a + b``, the same weights and matmuls and nothing saved
  for its backward: the memory figures are over this model's.

Each backend runs in fresh processes of its own (``KERAS_BACKEND`` set):

* time: ``repeats`` processes, each training every model an epoch at a time
  in turn (the order rotating), after a first untimed epoch of each
  (tracing, compiling); a step's time is from the start of a batch to its
  end (Keras waits for the step's result before the callback). Per timed
  epoch, the median full-batch step; the ratio ours / keras.ops per epoch
  pair, reported as the median and the middle half over all pairs.
* extra memory, each model's training step over the baseline's:
  TensorFlow: the peak bytes of TensorFlow's allocator (which counts every
  tensor: ``tf.config.experimental.get_memory_info``) during a run of the traced ``tf.function``
  step (tape, gradients, SGD) above its level before, after a first run
  that traces and compiles; the median of seven runs, one process per
  model. JAX: XLA's
  ``memory_analysis()`` temporary bytes of Keras's ``train_step`` compiled
  under ``jax.jit`` as ``fit`` runs it (state donated): everything alive
  inside the step, exact. PyTorch: the bytes of the distinct storages
  autograd saves for the backward pass during one ``train_on_batch``
  (``torch.autograd.graph.saved_tensors_hooks``), exact.
"""

import json
import os
import statistics
import subprocess
import sys

from keras_acts.tools.bench_fit import step_timer, step_times
from keras_acts.tools.bench_memory_child import saved_bytes
from keras_acts.tools.bench_report import middle_half, transformer_table

FULL = dict(d_model=512, hidden=4096, blocks=4, rows=600, batch=256, epochs=7, repeats=2)
QUICK = dict(d_model=32, hidden=64, blocks=2, rows=40, batch=16, epochs=3, repeats=1)
GATES = ("swiglu", "geglu")
VARIANTS = ("swiglu/ours", "swiglu/keras.ops", "geglu/ours", "geglu/keras.ops", "baseline")
BACKENDS = ("tensorflow", "jax", "torch")
SIZE_KEYS = ("d_model", "hidden", "blocks", "rows", "batch", "epochs")


# -- the model (in a child process, on its backend) ----------------------------------


def _gate(variant):
    import keras

    import keras_acts

    def ops_swiglu(h):
        a, b = keras.ops.split(h, 2, axis=-1)
        return keras.ops.silu(a) * b

    def ops_geglu(h):
        a, b = keras.ops.split(h, 2, axis=-1)
        return keras.ops.gelu(a, approximate=False) * b

    def halves_added(h):
        a, b = keras.ops.split(h, 2, axis=-1)
        return a + b

    if variant == "swiglu/ours":
        return keras_acts.layers.SwiGLU()
    if variant == "geglu/ours":
        return keras_acts.layers.GeGLU()
    function = {"swiglu/keras.ops": ops_swiglu, "geglu/keras.ops": ops_geglu,
                "baseline": halves_added}[variant]
    return keras.layers.Lambda(function)


def _model(variant, sizes):
    """The compiled stack of blocks with ``variant``'s gate."""
    import keras

    keras.utils.set_random_seed(0)
    inputs = keras.Input((sizes["d_model"],))
    x = inputs
    for _ in range(sizes["blocks"]):
        h = keras.layers.Dense(2 * sizes["hidden"], use_bias=False)(x)
        g = _gate(variant)(h)
        x = keras.layers.Add()([x, keras.layers.Dense(sizes["d_model"], use_bias=False)(g)])
    model = keras.Model(inputs, x)
    model.compile(optimizer=keras.optimizers.SGD(1e-4), loss="mse")
    return model


def _data(sizes, rows=None):
    import numpy as np

    rng = np.random.default_rng(0)
    shape = (rows or sizes["rows"], sizes["d_model"])
    return rng.standard_normal(shape).astype("float32"), rng.standard_normal(shape).astype("float32")


# -- time ------------------------------------------------------------------------------


def _time_child(variants, sizes):
    """Per timed epoch, each variant's median full-batch and partial step ms."""
    x, y = _data(sizes)
    models = {v: _model(v, sizes) for v in variants}
    for model in models.values():  # traces and compiles both batch shapes
        model.fit(x, y, batch_size=sizes["batch"], epochs=1, verbose=0, shuffle=False)
    epochs = []
    for epoch in range(sizes["epochs"] - 1):
        shift = epoch % len(variants)
        timed = {}
        for variant in variants[shift:] + variants[:shift]:
            steps = []
            models[variant].fit(x, y, batch_size=sizes["batch"], epochs=1, verbose=0,
                                shuffle=False, callbacks=[step_timer(steps)])
            timed[variant] = step_times(steps, sizes["rows"], sizes["batch"])
        epochs.append(timed)
    return epochs


# -- memory ----------------------------------------------------------------------------


def _tensorflow_memory(variant, sizes, steps=7):
    """The median over ``steps`` runs of a traced step (after a first run
    that compiles) of the allocator's peak bytes above its level before.
    TensorFlow's allocator counts every tensor's bytes exactly
    (``tf.config.experimental.get_memory_info``), where a resident-size
    peak would count XLA's compilers in the first run and the C allocator's
    caching after it. Runs vary by the order in which the graph executor's
    threads happen to run independent ops: hence the median."""
    import tensorflow as tf

    model = _model(variant, sizes)
    x, y = (tf.constant(t) for t in _data(sizes, rows=sizes["batch"]))

    @tf.function(jit_compile=False)
    def step(x, y):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(model(x, training=True) - y))
        grads = tape.gradient(loss, model.trainable_variables)
        model.optimizer.apply_gradients(zip(grads, model.trainable_variables))
        return loss

    model.optimizer.build(model.trainable_variables)
    step(x, y).numpy()  # traces and compiles
    peaks = []
    for _ in range(steps):
        tf.config.experimental.reset_memory_stats("CPU:0")
        before = tf.config.experimental.get_memory_info("CPU:0")["current"]
        step(x, y).numpy()
        peaks.append(tf.config.experimental.get_memory_info("CPU:0")["peak"] - before)
    return statistics.median(peaks)


def _jax_memory(variant, sizes):
    import jax

    model = _model(variant, sizes)
    model.optimizer.build(model.trainable_variables)
    state = tuple(
        [v.value for v in variables]
        for variables in (model.trainable_variables, model.non_trainable_variables,
                          model.optimizer.variables, model.metrics_variables)
    )
    data = _data(sizes, rows=sizes["batch"])
    compiled = jax.jit(model.train_step, donate_argnums=0).lower(state, data).compile()
    return compiled.memory_analysis().temp_size_in_bytes


def _torch_memory(variant, sizes):
    model = _model(variant, sizes)
    x, y = _data(sizes, rows=sizes["batch"])
    model.train_on_batch(x, y)  # builds the optimizer, whatever a first call builds
    return saved_bytes(lambda: model.train_on_batch(x, y))


def _memory_child(variants, sizes):
    """Each variant's step memory in bytes, on the active backend."""
    import keras

    measure = {"tensorflow": _tensorflow_memory, "jax": _jax_memory,
               "torch": _torch_memory}[keras.backend.backend()]
    return {v: measure(v, sizes) for v in variants}


# -- the parent: a process per backend and part ----------------------------------------


def _run_child(backend, part, variants, sizes):
    env = dict(os.environ, KERAS_BACKEND=backend, TF_CPP_MIN_LOG_LEVEL="3")
    args = [sys.executable, "-m", "keras_acts.tools.bench_transformer", "--child", part,
            ",".join(variants), json.dumps({k: sizes[k] for k in SIZE_KEYS})]
    out = subprocess.run(args, capture_output=True, text=True, env=env, timeout=3600)
    if out.returncode != 0:
        raise RuntimeError(f"bench_transformer {backend} {part} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _memory(backend, sizes):
    """MiB per variant, each variant's figure from one process of its own
    (exact figures on JAX and PyTorch; a median of steps on TensorFlow)."""
    if backend != "tensorflow":
        return {v: b / 2**20 for v, b in _run_child(backend, "memory", VARIANTS, sizes).items()}
    return {v: _run_child(backend, "memory", [v], sizes)[v] / 2**20 for v in VARIANTS}


def bench_backend(backend, sizes, log=print):
    """One row per gate on ``backend``: time ratio and extra memory."""
    timed = VARIANTS[:4]
    epochs = [e for _ in range(sizes["repeats"]) for e in _run_child(backend, "time", timed, sizes)]
    memory = _memory(backend, sizes)
    log(f"  {backend}: memory MiB " + ", ".join(f"{v} {m:.1f}" for v, m in memory.items()))
    rows = []
    for gate in GATES:
        ours, ops = f"{gate}/ours", f"{gate}/keras.ops"
        ratios = [e[ours]["step_ms"] / e[ops]["step_ms"] for e in epochs]
        extra_ours = memory[ours] - memory["baseline"]
        extra_ops = memory[ops] - memory["baseline"]
        rows.append({
            "backend": backend, "activation": gate,
            "ours_step_ms": statistics.median(e[ours]["step_ms"] for e in epochs),
            "keras_ops_step_ms": statistics.median(e[ops]["step_ms"] for e in epochs),
            "ours_partial_step_ms": statistics.median(e[ours]["partial_step_ms"] for e in epochs),
            "keras_ops_partial_step_ms": statistics.median(e[ops]["partial_step_ms"] for e in epochs),
            "time_ratio": statistics.median(ratios), "time_ratio_range": middle_half(ratios),
            "time_pairs": len(ratios),
            "ours_extra_mib": extra_ours, "keras_ops_extra_mib": extra_ops,
            "memory_ratio": extra_ours / extra_ops if extra_ops > 0 else None,
            "baseline_mib": memory["baseline"],
            **{k: sizes[k] for k in ("d_model", "hidden", "blocks", "rows", "batch")},
        })
        log(f"  {backend} {gate}: time {rows[-1]['time_ratio']:.2f}x, "
            f"extra MiB {extra_ours:.1f} / {extra_ops:.1f}")
    return rows


def main(argv=None):
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes (the test's run)")
    parser.add_argument("--json", action="store_true", help="the rows as JSON")
    parser.add_argument("--backends", default=",".join(BACKENDS))
    parser.add_argument("--repeats", type=int, help="processes per backend and part")
    args = parser.parse_args(argv)
    sizes = dict(QUICK if args.quick else FULL)
    if args.repeats:
        sizes["repeats"] = args.repeats
    log = lambda line: print(line, file=sys.stderr, flush=True)  # noqa: E731
    log(f"sizes: {sizes}")
    rows = [r for b in args.backends.split(",") for r in bench_backend(b, sizes, log)]
    print(json.dumps(rows) if args.json else transformer_table(rows))
    return 0


if __name__ == "__main__":  # pragma: no cover
    if sys.argv[1:2] == ["--child"]:
        part, variants, sizes = sys.argv[2], sys.argv[3].split(","), json.loads(sys.argv[4])
        child = {"time": _time_child, "memory": _memory_child}[part]
        print(json.dumps(child(variants, sizes)))
    else:
        sys.exit(main())

"""One case of ``keras-acts bench``'s memory part, run in a fresh process.

    python -m keras_acts.tools.bench_memory_child ACTIVATION DEPTH WIDTH BATCH

Builds a deep MLP of ``DEPTH`` x ``Dense(WIDTH, activation=ACTIVATION)`` on
the active Keras backend and prints as JSON the memory of one training step
(``step_peak_bytes``), measured as the backend allows:

* TensorFlow: the peak resident memory of the first step of a traced
  ``tf.function`` above the level just before it (sampled while it runs).
* JAX: the temporary buffers of Keras's own train step (``model.train_step``,
  what ``fit`` runs) as XLA compiles it under ``jax.jit``: XLA's
  ``memory_analysis()``, its plan for everything alive inside the step,
  exact and the same on every run (the step is compiled, not run).
* PyTorch: the peak resident memory of a ``train_on_batch`` step (Keras's own
  train step, eager) above the level just before it, after a first step;
  and ``saved_bytes``, what autograd saved for the backward pass during a
  step (every distinct storage a ``saved_tensors_hooks`` pack hook saw).

The resident figures need glibc's mmap threshold fixed (the parent sets
``MALLOC_MMAP_THRESHOLD_``), so that large tensors are mapped and unmapped as
they live and die.
"""

import json
import os
import sys
import threading
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")


def _resident_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _peak_while(run):
    """The peak resident memory while ``run()`` runs, above the level just
    before it (the process-lifetime maximum, ru_maxrss, would mostly show
    start-up)."""
    baseline, peak, done = _resident_bytes(), [0], threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], _resident_bytes())
            time.sleep(0.0002)

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        run()
    finally:
        done.set()
        sampler.join()
    return max(peak[0], _resident_bytes()) - baseline


def _model(activation, depth, width):
    import keras

    import keras_acts  # noqa: F401  (registers the strings)

    layers = [keras.Input((width,))]
    layers += [keras.layers.Dense(width, activation=activation) for _ in range(depth)]
    return keras.Sequential(layers + [keras.layers.Dense(1)])


def _tensorflow_step(activation, depth, width, batch):
    import keras
    import tensorflow as tf

    model = _model(activation, depth, width)
    optimizer = keras.optimizers.SGD(1e-3)
    x = tf.random.stateless_normal((batch, width), seed=(1, 2))
    y = tf.zeros((batch, 1))

    @tf.function(jit_compile=False)
    def step(x, y):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(model(x, training=True) - y))
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        return loss

    step.get_concrete_function(x, y)  # trace and build, without running
    # The first step's peak: later steps reuse memory the first one mapped.
    return {"step_peak_bytes": _peak_while(lambda: step(x, y).numpy())}


def _compiled_model(activation, depth, width):
    import keras

    model = _model(activation, depth, width)
    model.compile(optimizer=keras.optimizers.SGD(1e-3), loss="mse")
    return model


def _jax_step(activation, depth, width, batch):
    import jax
    import numpy as np

    model = _compiled_model(activation, depth, width)
    model.optimizer.build(model.trainable_variables)
    state = tuple(
        [v.value for v in variables]
        for variables in (model.trainable_variables, model.non_trainable_variables,
                          model.optimizer.variables, model.metrics_variables)
    )
    x = np.random.default_rng(1).standard_normal((batch, width)).astype("float32")
    y = np.zeros((batch, 1), "float32")
    # As fit compiles it (jit_compile="auto" is True on JAX), state donated.
    compiled = jax.jit(model.train_step, donate_argnums=0).lower(state, (x, y)).compile()
    return {"step_peak_bytes": compiled.memory_analysis().temp_size_in_bytes}


def saved_bytes(run):
    """Bytes of the distinct storages autograd saves for backward during ``run()``."""
    import torch

    storages = {}

    def pack(tensor):
        storage = tensor.untyped_storage()
        storages[storage.data_ptr()] = storage.nbytes()
        return tensor

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda tensor: tensor):
        run()
    return sum(storages.values())


def _torch_step(activation, depth, width, batch):
    import numpy as np

    model = _compiled_model(activation, depth, width)
    x = np.random.default_rng(1).standard_normal((batch, width)).astype("float32")
    y = np.zeros((batch, 1), "float32")
    model.train_on_batch(x, y)  # builds the optimizer and whatever a first call builds
    peak = _peak_while(lambda: model.train_on_batch(x, y))
    return {"step_peak_bytes": peak, "saved_bytes": saved_bytes(lambda: model.train_on_batch(x, y))}


def step_memory(activation, depth, width, batch):
    """The case's figures (``step_peak_bytes``; ``saved_bytes`` on PyTorch)
    on the active backend."""
    import keras

    measure = {"tensorflow": _tensorflow_step, "jax": _jax_step, "torch": _torch_step}
    return measure[keras.backend.backend()](activation, depth, width, batch)


def step_peak_bytes(activation, depth, width, batch):
    return step_memory(activation, depth, width, batch)["step_peak_bytes"]


if __name__ == "__main__":
    name, depth, width, batch = sys.argv[1], *map(int, sys.argv[2:5])
    print(json.dumps(step_memory(name, depth, width, batch)))

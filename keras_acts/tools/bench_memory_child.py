"""One case of ``keras-acts bench``'s memory part, run in a fresh process.

    python -m keras_acts.tools.bench_memory_child ACTIVATION DEPTH WIDTH BATCH

Builds a deep MLP of ``DEPTH`` x ``Dense(WIDTH, activation=ACTIVATION)``,
traces one training step, and prints as JSON the peak resident memory of the
first step above the level just before it (``step_peak_bytes``).
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


def step_peak_bytes(activation, depth, width, batch):
    import keras
    import tensorflow as tf

    import keras_acts  # noqa: F401  (registers the strings)

    layers = [keras.Input((width,))]
    layers += [keras.layers.Dense(width, activation=activation) for _ in range(depth)]
    model = keras.Sequential(layers + [keras.layers.Dense(1)])
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
    # The peak of the first training step above the resident memory just
    # before it, sampled while it runs (the process-lifetime maximum,
    # ru_maxrss, would mostly show start-up; later steps reuse memory the
    # first one mapped).
    baseline, peak, done = _resident_bytes(), [0], threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], _resident_bytes())
            time.sleep(0.0002)

    sampler = threading.Thread(target=sample)
    sampler.start()
    step(x, y).numpy()
    done.set()
    sampler.join()
    return peak[0] - baseline


if __name__ == "__main__":
    name, depth, width, batch = sys.argv[1], *map(int, sys.argv[2:5])
    print(json.dumps({"step_peak_bytes": step_peak_bytes(name, depth, width, batch)}))

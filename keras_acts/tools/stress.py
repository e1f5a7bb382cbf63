"""Stress checks against the installed package: ``run_stress(log)``.

Three parts, all runnable on a user's own install without pytest:

* **properties** of every activation in every float dtype, on seeded
  batches of edge and random inputs (``keras_acts.tools.properties``, which
  states them; the test suite feeds the same checks from hypothesis);
* **threads**: workers call activations while another thread changes the
  fusion settings and clears the cache (``run_threads``);
* **the tampered-file corpus** of ``keras_acts.tools.tampered`` where that
  module is available: ``.keras`` files with hostile configs, each of which
  must give a clean error or a correct load, and never run code."""

import time

import numpy as np
import tensorflow as tf

import keras_acts
from keras_acts import config
from keras_acts.tools.properties import SHAPE, run_properties


def run_threads(workers=8, calls=6):
    """``workers`` threads call activations while another changes the fusion
    settings and clears the cache; each result must equal the one computed
    alone. Returns (threads, errors)."""
    import threading

    names = ("gelu", "mish", "softmax", "elu", "softplus", "glu")
    x = tf.constant(np.linspace(-4.0, 4.0, 96).reshape(12, 8), tf.float32)
    expected = {n: getattr(keras_acts.activations, n)(x).numpy() for n in names}
    errors, stop = [], threading.Event()

    def work(i):
        try:
            for k in range(calls):
                name = names[(i + k) % len(names)]
                got = getattr(keras_acts.activations, name)(x).numpy()
                np.testing.assert_allclose(got, expected[name], rtol=2e-5, atol=2e-6)
        except Exception as error:  # noqa: BLE001  (reported, not raised)
            errors.append(f"{type(error).__name__}: {error}")

    def meddle():
        modes = ("always", "never", "auto")
        i = 0
        while not stop.is_set():
            with config.fusion(modes[i % 3], min_size=0):
                config.clear_fusion_cache()
            i += 1

    meddler = threading.Thread(target=meddle)
    threads = [threading.Thread(target=work, args=(i,)) for i in range(workers)]
    meddler.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stop.set()
    meddler.join()
    return workers + 1, errors


def run_tampered(log=None):
    """The tampered-file corpus, where ``keras_acts.tools.tampered`` exists:
    its figures, or None."""
    import tempfile

    try:
        from keras_acts.tools import tampered
    except ImportError:
        return None
    with tempfile.TemporaryDirectory() as folder:
        return tampered.run_corpus(folder)


def run_stress(log=print):
    """Run the property checks, the threads and the tampered-file corpus
    against this install; log a line per step and return the figures:
    ``property_batches``, ``property_values``, ``property_violations``,
    ``violations`` (the first 20 lines), ``threads``, ``thread_errors``,
    ``files`` (the corpus's dict, or None: not available), ``seconds``."""
    tf.get_logger().setLevel("ERROR")
    start = time.perf_counter()
    log = log or (lambda line: None)
    log("stress: properties of every activation in float16, bfloat16, float32, float64")
    checked, violations = run_properties(log=log)
    log(f"stress: {len(violations)} property violations in {checked} batches")
    threads, thread_errors = run_threads()
    log(f"stress: {threads} threads, {len(thread_errors)} errors")
    files = run_tampered(log)
    if files is None:
        log("stress: tampered-file corpus: not available in this install")
    else:
        log(f"stress: tampered files: {files}")
    return {
        "property_batches": checked,
        "property_values": checked * int(np.prod(SHAPE)),
        "property_violations": len(violations),
        "violations": violations[:20],
        "threads": threads,
        "thread_errors": thread_errors,
        "files": files,
        "seconds": round(time.perf_counter() - start, 1),
    }


if __name__ == "__main__":  # pragma: no cover
    import json

    print(json.dumps(run_stress(), indent=1))

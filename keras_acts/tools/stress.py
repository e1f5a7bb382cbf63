"""Stress checks against the installed package: ``run_stress(log)``.

Three parts, all runnable on a user's own install without pytest:

* **properties** of every activation in every float dtype, on seeded
  batches of edge and random inputs (``keras_acts.tools.properties``, which
  states them; the test suite feeds the same checks from hypothesis);
* **threads**: workers call activations while another thread changes the
  fusion settings and clears the cache (``run_threads``; fusion is
  TensorFlow's XLA, so on JAX and PyTorch the workers run without it);
* **the tampered-file corpus** of ``keras_acts.tools.tampered`` where that
  module is available: ``.keras`` files with hostile configs, each of which
  must give a clean error or a correct load, and never run code.

They run on the active Keras backend; the property paths are that
backend's (``properties.backend_paths``), and the figures name them."""

import time

import numpy as np

import keras_acts
from keras_acts import config
from keras_acts.tools import autodiff
from keras_acts.tools.properties import DTYPES, SHAPE, backend_paths, describe_paths, run_properties
from keras_acts_cli.terminal import tensorflow_start_hidden


def run_threads(workers=8, calls=6):
    """``workers`` threads call activations while another changes the fusion
    settings and clears the cache (on TensorFlow: fusion is its XLA); each
    result must equal the one computed alone. Returns (threads, errors)."""
    import threading

    names = ("gelu", "mish", "softmax", "elu", "softplus", "glu")
    x = autodiff.tensor(np.linspace(-4.0, 4.0, 96).reshape(12, 8), "float32")
    expected = {n: autodiff.numpy(getattr(keras_acts.activations, n)(x)) for n in names}
    errors, stop = [], threading.Event()

    def work(i):
        try:
            for k in range(calls):
                name = names[(i + k) % len(names)]
                got = autodiff.numpy(getattr(keras_acts.activations, name)(x))
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

    meddlers = [threading.Thread(target=meddle)] if autodiff.is_tensorflow() else []
    threads = [threading.Thread(target=work, args=(i,)) for i in range(workers)]
    for t in meddlers + threads:
        t.start()
    for t in threads:
        t.join()
    stop.set()
    for t in meddlers:
        t.join()
    return workers + len(meddlers), errors


def run_tampered(log=None):
    """The tampered-file corpus, where ``keras_acts.tools.tampered`` exists:
    its figures, or None."""
    import tempfile

    try:
        from keras_acts.tools import tampered
    except ImportError:
        return None
    with tempfile.TemporaryDirectory() as folder, tensorflow_start_hidden():
        return tampered.run_corpus(folder)


def run_stress(log=print):
    """Run the property checks, the threads and the tampered-file corpus
    against this install; log a line per step and return the figures:
    ``property_batches``, ``property_values``, ``property_violations``,
    ``violations`` (the first 20 lines), ``threads``, ``thread_errors``,
    ``files`` (the corpus's dict, or None: not available), ``seconds``,
    ``backend`` and ``paths`` (the property paths, in words)."""
    autodiff.quiet()
    start = time.perf_counter()
    log = log or (lambda line: None)
    paths = describe_paths(backend_paths())
    log(f"stress: properties of every activation in {', '.join(DTYPES)} on {autodiff.title()} ({paths})")
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
        "backend": autodiff.title(),
        "paths": paths,
    }


if __name__ == "__main__":  # pragma: no cover
    import json

    print(json.dumps(run_stress(), indent=1))

"""Many threads at once: 8 workers build, run, train and save models while
another thread changes fusion settings and clears the caches. Nothing
raises, and every worker's results equal a single-threaded reference (to
float rounding: fused and plain passes may differ in the last bits)."""

import os
import threading

import keras
import numpy as np
import pytest
import tensorflow as tf

import keras_acts
from keras_acts import config

WORKERS = 8
ROUNDS = 1
ACTIVATIONS = ("mish_custom", "gelu_custom", "softplus_custom", "silu_custom")


def _model(activation):
    # Seeded initializers: the global seed would race between threads.
    model = keras.Sequential(
        [
            keras.Input((16,)),
            keras.layers.Dense(32, activation=activation, kernel_initializer=_init(1)),
            keras_acts.layers.Softmax(),
            keras.layers.Dense(1, kernel_initializer=_init(2)),
        ]
    )
    # Eager steps: every call goes through the fusion cache and settings
    # (a traced step would decide once, at its trace).
    model.compile(optimizer=keras.optimizers.SGD(0.01), loss="mse", run_eagerly=True)
    return model


def _init(seed):
    return keras.initializers.GlorotUniform(seed=seed)


def _data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 16)).astype("float32")  # a partial last batch of 8
    return x, x[:, :1] * 0.5


def _work(activation, folder):
    """Build, run, train one epoch, save, load, run: the figures to compare."""
    x, y = _data()
    model = _model(activation)
    before = model(x).numpy()
    loss = model.fit(x, y, epochs=1, batch_size=32, verbose=0, shuffle=False).history["loss"]
    path = os.path.join(folder, f"{activation}-{threading.get_ident()}.keras")
    model.save(path)
    after = keras.saving.load_model(path)(x).numpy()
    direct = keras_acts.get(activation.replace("_custom", ""))(tf.constant(x)).numpy()
    return before, np.array(loss), after, direct


@pytest.fixture(scope="module")
def references(tmp_path_factory):
    folder = str(tmp_path_factory.mktemp("reference"))
    return {a: _work(a, folder) for a in ACTIVATIONS}


def _meddle(stop, errors):
    """Change every setting, over and over, and clear the caches."""
    settings = [("always", 0), ("never", None), ("auto", 256), ("auto", None)]
    i = 0
    try:
        while not stop.is_set():
            mode, size = settings[i % len(settings)]
            with config.fusion(mode, min_size=size):
                config.clear_fusion_cache()
            config.set_fusion(mode, min_size=size if size is not None else None)
            config.set_fusion_cache_size(1 + i % 3)
            config.fusion_cache_info()
            i += 1
            # A pause between changes: clearing without one makes every
            # worker's call compile again, and the test measures compilers.
            stop.wait(0.02)
    except Exception as error:  # noqa: BLE001
        errors.append(error)
    finally:
        config.set_fusion("auto", min_size=config.DEFAULT_MIN_SIZE)
        config.set_fusion_cache_size(config.DEFAULT_CACHE_SIZE)


def test_eight_threads_with_settings_changing_underneath(references, tmp_path):
    results, errors = {}, []

    def worker(index):
        try:
            for round_ in range(ROUNDS):
                activation = ACTIVATIONS[(index + round_) % len(ACTIVATIONS)]
                results[(index, round_)] = (activation, _work(activation, str(tmp_path)))
        except Exception as error:  # noqa: BLE001
            errors.append(error)

    stop = threading.Event()
    meddler = threading.Thread(target=_meddle, args=(stop, errors))
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(WORKERS)]
    meddler.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    stop.set()
    meddler.join(timeout=30)
    assert not errors, errors
    assert len(results) == WORKERS * ROUNDS
    for activation, got in results.values():
        for a, b in zip(got, references[activation]):
            np.testing.assert_allclose(a, b, rtol=2e-5, atol=2e-6)
    assert config.fusion_mode() == "auto"


def test_fusion_cache_survives_concurrent_eviction():
    # Each thread fuses several activations into a cache of 1-3 entries
    # while another clears it: the LRU bookkeeping never loses a key.
    errors = []
    stop = threading.Event()

    def fuse():
        try:
            for _ in range(2):
                with config.fusion("always", min_size=0):
                    for name in ("gelu", "mish"):
                        getattr(keras_acts.activations, name)(tf.ones((4, 4)))
        except Exception as error:  # noqa: BLE001
            errors.append(error)

    def clear():
        while not stop.is_set():
            config.clear_fusion_cache()
            config.set_fusion_cache_size(1)
            config.set_fusion_cache_size(3)

    threads = [threading.Thread(target=fuse) for _ in range(4)]
    clearer = threading.Thread(target=clear)
    clearer.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stop.set()
    clearer.join()
    config.set_fusion_cache_size(config.DEFAULT_CACHE_SIZE)
    config.clear_fusion_cache()
    assert not errors, errors


def _mode_in_thread(own=None):
    seen = []

    def run():
        if own is None:
            seen.append(config.fusion_mode())
        else:
            with config.fusion(own):
                seen.append(config.fusion_mode())

    t = threading.Thread(target=run)
    t.start()
    t.join()
    return seen[0]


def test_a_block_reaches_threads_without_their_own():
    with config.fusion("never", min_size=3):
        assert _mode_in_thread() == "never"  # as MirroredStrategy's replicas
        assert _mode_in_thread(own="always") == "always"  # its own block wins
        with config.fusion("always"):
            assert _mode_in_thread() == "always"  # the most recent block
        assert _mode_in_thread() == "never"
    assert _mode_in_thread() == "auto"
    assert config.fusion_min_size() == config.DEFAULT_MIN_SIZE

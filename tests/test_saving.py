"""Save in this process, load in a fresh one that only imports keras_acts.

One fresh process loads everything this module saves (each would otherwise
pay TensorFlow's import again): a Sequential model of every string, a
functional model of every layer and some functional calls, both in .keras
and legacy .h5; a model of the trainable and random layers; and a file
saved by an earlier version of the package
(``fixtures/before_layout.keras``, saved before the package was split into
its current modules: strings, layers, a functional call of a function, PReLU,
Snake and RReLU). Outputs are compared bit for bit. SavedModel exports are
served in a process without keras_acts in tests/test_export.py.
"""

import json
import os
import subprocess
import sys
import textwrap

import keras
import numpy as np
import pytest

import keras_acts
from catalog_cases import catalog_specs, string_specs

STARTS_PROCESSES = 1  # TensorFlow processes at once: conftest runs this module first

TESTS_DIR = os.path.dirname(__file__)
FIXTURES = os.path.join(TESTS_DIR, "fixtures")
L = keras_acts.layers

LOADER = textwrap.dedent(
    """
    import json, sys
    import numpy as np, keras
    import keras_acts
    import custom_acts  # the user's own activation module, as a user would import it

    folder = sys.argv[1]
    x = np.load(folder + "/x.npy")
    report = {}
    # One model of each kind and format keeps training, eagerly: loading is
    # what is tested here, and a compiled step of these models traces ~90
    # branches. The .h5 files are loaded uncompiled: Keras's legacy loader
    # fails on a string loss ("mse") and drops the optimizer state.
    trained = {"sequential.keras", "functional.h5"}
    for name in ("sequential", "functional"):
        for ext in ("keras", "h5"):
            key = f"{name}.{ext}"
            model = keras.saving.load_model(f"{folder}/{key}", compile=ext == "keras")
            np.save(f"{folder}/{key}.out.npy", model(x))
            report[key] = {}
            if key in trained:
                model.compile(optimizer="adam", loss="mse", run_eagerly=True)
                # One step per epoch: each epoch's loss is the one before its step.
                history = model.fit(x, np.zeros((len(x), 1)), epochs=2, batch_size=len(x), verbose=0)
                report[key]["loss"] = history.history["loss"]

    for key in ("trainable.keras", "before_layout.keras"):
        model = keras.saving.load_model(sys.argv[2] if key == "before_layout.keras" else f"{folder}/{key}")
        inputs = np.load(f"{folder}/{key}.in.npy")
        outputs = model(inputs, training=False)
        np.savez(f"{folder}/{key}.out.npz", *(outputs if isinstance(outputs, list) else [outputs]))
        np.savez(f"{folder}/{key}.weights.npz", *model.get_weights())
    print(json.dumps(report))
    """
)


def default_layers():
    for spec in catalog_specs():
        try:
            yield spec.layer()
        except TypeError:
            pass  # needs arguments


def sequential_model():
    layers = [keras.Input((6,))]
    for spec in string_specs():
        for string in spec.strings:
            layers.append(keras.layers.Dense(6, activation=string))
    layers.append(keras.layers.Dense(1))
    return keras.Sequential(layers)


def functional_model():
    from custom_acts import scaled_tanh

    inputs = keras.Input((6,))
    branches = [layer(keras.layers.Dense(4)(inputs)) for layer in default_layers()]
    branches.append(keras.layers.Dense(4, activation=L.ReLU(max_value=2.0, negative_slope=0.1))(inputs))
    branches.append(keras.layers.Dense(4, activation=L.Step(straight_through=True))(inputs))
    branches.append(keras.layers.Dense(4, activation=keras_acts.activations.softmax)(inputs))
    branches.append(scaled_tanh.layer(scale=0.5)(keras.layers.Dense(4, activation="scaled_tanh_custom")(inputs)))
    # Our functions called on symbolic inputs, as Keras's own can be.
    branches.append(keras_acts.activations.leaky_relu(keras.layers.Dense(4)(inputs), negative_slope=0.05))
    branches.append(keras_acts.activations.prelu(keras.layers.Dense(4)(inputs), 0.25))
    branches.append(keras_acts.activations.glu(keras.layers.Dense(8)(inputs)))
    outputs = keras.layers.Dense(1)(keras.layers.Concatenate()(branches))
    return keras.Model(inputs, outputs)


def trainable_model():
    """Trainable and random layers, trained two steps so their weights are
    no longer the initial ones."""
    keras.utils.set_random_seed(1)
    inputs = keras.Input((6, 8))
    h = keras.layers.Dense(8)(inputs)
    h = L.PReLU(alpha_initializer="random_uniform", shared_axes=[1])(h)
    h = L.Snake(frequency_initializer=keras.initializers.RandomUniform(0.5, 2.0))(h)
    h = L.RReLU(lower=0.1, upper=0.2, seed=9)(h)
    h = L.GLU()(keras.layers.Dense(8)(h))
    model = keras.Model(inputs, [L.LogSoftmax()(h), L.Softmin(axis=1)(h), L.Sparsemax()(h)])
    x = np.random.default_rng(0).uniform(-3, 3, size=(3, 6, 8)).astype("float32")
    model.compile("adam", ["mse", "mse", "mse"], run_eagerly=True)
    model.fit(x, [np.zeros((3, 6, 4))] * 3, epochs=2, verbose=0)
    return model, x


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """Save every model here, load them all in one fresh process: (folder,
    the models and inputs saved here, the loader's report)."""
    folder = str(tmp_path_factory.mktemp("saved"))
    x = np.random.default_rng(0).uniform(-3, 3, size=(32, 6)).astype("float32")
    np.save(f"{folder}/x.npy", x)
    models = {"sequential": sequential_model(), "functional": functional_model()}
    for name, model in models.items():
        model.compile(optimizer="adam", loss="mse")
        model.save(f"{folder}/{name}.keras")
        model.save(f"{folder}/{name}.h5")
    models["trainable"], trainable_x = trainable_model()
    models["trainable"].save(f"{folder}/trainable.keras")
    np.save(f"{folder}/trainable.keras.in.npy", trainable_x)
    before_layout = np.load(os.path.join(FIXTURES, "before_layout_io.npz"))
    np.save(f"{folder}/before_layout.keras.in.npy", before_layout["x"])
    env = dict(os.environ, PYTHONPATH=TESTS_DIR + os.pathsep + os.environ.get("PYTHONPATH", ""))
    result = subprocess.run(
        [sys.executable, "-c", LOADER, folder, os.path.join(FIXTURES, "before_layout.keras")],
        env=env, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    return folder, models, x, json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("key", ["sequential.keras", "functional.keras", "sequential.h5", "functional.h5"])
def test_fresh_process_predicts_identically(saved, key):
    folder, models, x, _ = saved
    expected = models[key.split(".")[0]](x).numpy()
    np.testing.assert_array_equal(np.load(f"{folder}/{key}.out.npy"), expected)


@pytest.mark.parametrize("key", ["sequential.keras", "functional.h5"])
def test_fresh_process_keeps_training(saved, key):
    loss = saved[3][key]["loss"]
    assert np.isfinite(loss).all()
    assert loss[-1] < loss[0]


def test_trainable_and_random_layers_keep_weights_and_predictions(saved):
    folder, models, _, _ = saved
    model = models["trainable"]
    expected = model(np.load(f"{folder}/trainable.keras.in.npy"), training=False)
    with np.load(f"{folder}/trainable.keras.out.npz") as got:
        assert len(got.files) == len(expected) == 3
        for i, e in enumerate(expected):
            np.testing.assert_array_equal(got[f"arr_{i}"], e.numpy())  # bit for bit
    with np.load(f"{folder}/trainable.keras.weights.npz") as weights:
        saved_weights = [weights[f"arr_{i}"] for i in range(len(weights.files))]
    ours = model.get_weights()
    assert len(saved_weights) == len(ours)
    for w, s in zip(ours, saved_weights):
        np.testing.assert_array_equal(w, s)


def test_file_saved_before_the_layout_change_predicts_the_same(saved):
    folder = saved[0]
    expected = np.load(os.path.join(FIXTURES, "before_layout_io.npz"))["y"]
    with np.load(f"{folder}/before_layout.keras.out.npz") as got:
        np.testing.assert_array_equal(got["arr_0"], expected)

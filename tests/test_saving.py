"""Save in this process, load in a fresh one that only imports keras_acts."""

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

TESTS_DIR = os.path.dirname(__file__)

LOADER = textwrap.dedent(
    """
    import json, sys
    import numpy as np, keras, tensorflow as tf
    import keras_acts
    import custom_acts  # the user's own activation module, as a user would import it

    folder = sys.argv[1]
    x, expected = np.load(folder + "/x.npy"), np.load(folder + "/y.npy")
    report = {}
    # Training goes on for one model of each kind and each format; each fit
    # traces a large graph, so the other two only predict.
    trained = {"sequential.keras", "functional.h5"}
    for name in ("sequential", "functional"):
        for ext in ("keras", "h5"):
            key = f"{name}.{ext}"
            # Keras's own legacy .h5 loader fails on a string loss ("mse") and
            # drops the optimizer state: load it uncompiled and recompile.
            legacy = ext == "h5"
            model = keras.saving.load_model(f"{folder}/{key}", compile=not legacy)
            same = bool(np.array_equal(model.predict(x, verbose=0), expected[name]))
            report[key] = {"same": same}
            if key in trained:
                if legacy:
                    model.compile(optimizer="adam", loss="mse")
                model.jit_compile = False  # XLA is tested elsewhere; here it only costs time
                before = model.evaluate(x, np.zeros((len(x), 1)), verbose=0)
                history = model.fit(x, np.zeros((len(x), 1)), epochs=3, verbose=0)
                report[key]["loss"] = [before] + history.history["loss"]
    reloaded = tf.saved_model.load(folder + "/exported")  # keep it alive while serving
    served = reloaded.serve(x).numpy()
    report["export"] = {"same": bool(np.allclose(served, expected["functional"], rtol=1e-6, atol=1e-6))}
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
    branches.append(keras.layers.Dense(4, activation=keras_acts.layers.ReLU(max_value=2.0, negative_slope=0.1))(inputs))
    branches.append(keras.layers.Dense(4, activation=keras_acts.layers.Step(straight_through=True))(inputs))
    branches.append(keras.layers.Dense(4, activation=keras_acts.activations.softmax)(inputs))
    branches.append(scaled_tanh.layer(scale=0.5)(keras.layers.Dense(4, activation="scaled_tanh_custom")(inputs)))
    # Our functions called on symbolic inputs, as Keras's own can be.
    branches.append(keras_acts.activations.leaky_relu(keras.layers.Dense(4)(inputs), negative_slope=0.05))
    branches.append(keras_acts.activations.prelu(keras.layers.Dense(4)(inputs), 0.25))
    branches.append(keras_acts.activations.glu(keras.layers.Dense(8)(inputs)))
    outputs = keras.layers.Dense(1)(keras.layers.Concatenate()(branches))
    return keras.Model(inputs, outputs)


@pytest.fixture(scope="module")
def loaded_report(tmp_path_factory):
    folder = str(tmp_path_factory.mktemp("saved"))
    x = np.random.default_rng(0).uniform(-3, 3, size=(32, 6)).astype("float32")
    expected = {}
    for name, model in (("sequential", sequential_model()), ("functional", functional_model())):
        model.compile(optimizer="adam", loss="mse")
        expected[name] = model.predict(x, verbose=0)
        model.save(f"{folder}/{name}.keras")
        model.save(f"{folder}/{name}.h5")
        if name == "functional":
            model.export(f"{folder}/exported", verbose=False)
    np.save(f"{folder}/x.npy", x)
    np.save(f"{folder}/y.npy", expected, allow_pickle=True)
    env = dict(os.environ, PYTHONPATH=TESTS_DIR + os.pathsep + os.environ.get("PYTHONPATH", ""))
    script = LOADER.replace('np.load(folder + "/y.npy")', 'np.load(folder + "/y.npy", allow_pickle=True).item()')
    result = subprocess.run(
        [sys.executable, "-c", script, folder], env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-4000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("key", ["sequential.keras", "functional.keras", "sequential.h5", "functional.h5"])
def test_fresh_process_predicts_identically(loaded_report, key):
    assert loaded_report[key]["same"]


@pytest.mark.parametrize("key", ["sequential.keras", "functional.h5"])
def test_fresh_process_keeps_training(loaded_report, key):
    loss = loaded_report[key]["loss"]
    assert np.isfinite(loss).all()
    assert loss[-1] < loss[0]


def test_exported_savedmodel_serves_the_same_predictions(loaded_report):
    assert loaded_report["export"]["same"]

"""The models tests/test_saving.py loads, saved with what they predicted
here: ``save_all(folder)``, called by the process of tests/producers.py, so
that the test's loader is a fresh process beside a saver that is not
pytest's (both run in the background: tests/background.py).

Writes, in the folder: x.npy; sequential and functional models (.keras,
.h5) with their predictions for x (``NAME.expected.npy``); trainable.keras
with its inputs (``.in.npy``), outputs and weights (``.expected.npz``,
``.expected-weights.npz``).
"""

import keras
import numpy as np

import keras_acts
from catalog_cases import catalog_specs, string_specs

L = keras_acts.layers


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
    # Starting values and parameters given as a list and a NumPy array.
    branches.append(L.PReLU(alpha=[0.1, -0.2, 0.3, 0.4])(keras.layers.Dense(4)(inputs)))
    branches.append(L.Snake(frequency=np.array([0.5, 1.0, 2.0, 3.0]))(keras.layers.Dense(4)(inputs)))
    slopes = np.array([0.1, 0.2, 0.3, 0.4])
    branches.append(keras_acts.activations.prelu(keras.layers.Dense(4)(inputs), slopes))
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


def save_all(folder):
    x = np.random.default_rng(0).uniform(-3, 3, size=(32, 6)).astype("float32")
    np.save(f"{folder}/x.npy", x)
    for name, model in (("sequential", sequential_model()), ("functional", functional_model())):
        model.compile(optimizer="adam", loss="mse")
        model.save(f"{folder}/{name}.keras")
        model.save(f"{folder}/{name}.h5")
        np.save(f"{folder}/{name}.expected.npy", model(x).numpy())
    model, inputs = trainable_model()
    model.save(f"{folder}/trainable.keras")
    np.save(f"{folder}/trainable.keras.in.npy", inputs)
    np.savez(f"{folder}/trainable.keras.expected.npz", *[y.numpy() for y in model(inputs, training=False)])
    np.savez(f"{folder}/trainable.keras.expected-weights.npz", *model.get_weights())
